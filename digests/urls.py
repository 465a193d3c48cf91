from django.urls import path

from digests.views import MyDigestSubscriptionView

app_name = "digests"
urlpatterns = [
    path("digests/subscription/", MyDigestSubscriptionView.as_view(), name="my-subscription"),
]
