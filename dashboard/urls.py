"""The dashboard's pages (included at the site root by zhilian/urls.py)."""

from django.contrib.auth import views as auth_views
from django.urls import path

from dashboard import views

urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("dashboard/kpi-trend/", views.kpi_trend, name="dashboard-kpi-trend"),
    path("dashboard/login/", views.DashboardLoginView.as_view(), name="dashboard-login"),
    path("dashboard/logout/", auth_views.LogoutView.as_view(next_page="/dashboard/login/"), name="dashboard-logout"),
]
