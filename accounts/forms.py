"""Login forms of the admin and the dashboard: Django's, plus the lockout message."""

from __future__ import annotations

from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext as _

from accounts import lockout
from zhilian import roles


class LockoutMessageMixin:
    """After a refused login, say "try again in N minutes" when the lockout refused it.

    ``retry_after`` (seconds) is set then, so the view can answer 429 with Retry-After.
    """

    retry_after: int | None = None

    def get_invalid_login_error(self):
        seconds = lockout.retry_after(self.request, self.cleaned_data.get("username"))
        if seconds is None:
            return super().get_invalid_login_error()
        self.retry_after = seconds
        return ValidationError(lockout.lockout_message(seconds), code="locked_out")


class LoginForm(LockoutMessageMixin, AuthenticationForm):
    """The dashboard's login form (everyone on shift)."""


class AdminLoginForm(LockoutMessageMixin, AdminAuthenticationForm):
    """The admin's login form (admins and managers)."""

    def confirm_login_allowed(self, user):
        # Right password, but a role that works from the dashboard: say where to go instead of
        # Django's "enter the correct username and password for a staff account".
        if user.is_active and not roles.may_enter_admin(user):
            raise ValidationError(
                format_html(
                    '{} <a href="{}">{}</a>',
                    _("The admin is for managers. Your work is on the dashboard:"),
                    reverse("dashboard-login"),
                    _("open the dashboard"),
                ),
                code="use_dashboard",
            )
        super().confirm_login_allowed(user)
