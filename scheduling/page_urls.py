"""Scheduling's pages (included at the site root by zhilian/urls.py); the API is scheduling/urls.py."""

from django.urls import path

from scheduling import pages

urlpatterns = [
    path("my-shifts/", pages.my_shifts, name="my-shifts"),
    path("my-shifts/<uuid:pk>/confirm/", pages.my_shift_confirm, name="my-shift-confirm"),
    path("my-shifts/open/<uuid:pk>/claim/", pages.my_open_shift_claim, name="my-open-shift-claim"),
]
