"""The dashboard summary under /api/v1/ (before kpis.urls, whose "kpis/{id}/" would match it)."""

from django.urls import path

from dashboard.views import DashboardView

app_name = "dashboard"

urlpatterns = [
    path("kpis/dashboard/", DashboardView.as_view(), name="summary"),
]
