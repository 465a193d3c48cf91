from django.urls import path

from accounts import auth_views

app_name = "auth"
urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("refresh/", auth_views.RefreshView.as_view(), name="refresh"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("me/", auth_views.MeView.as_view(), name="me"),
    path("password/change/", auth_views.PasswordChangeView.as_view(), name="password-change"),
    path("register/", auth_views.RegisterView.as_view(), name="register"),
]
