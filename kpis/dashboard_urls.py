from django.contrib.auth import views as auth_views
from django.urls import path

from kpis import dashboard_views

urlpatterns = [
    path("dashboard/", dashboard_views.dashboard, name="dashboard"),
    path("dashboard/login/", dashboard_views.DashboardLoginView.as_view(), name="dashboard-login"),
    path("dashboard/logout/", auth_views.LogoutView.as_view(next_page="/dashboard/login/"), name="dashboard-logout"),
]
