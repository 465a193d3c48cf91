"""The admin site: Django's, with the login lockout's message and status on its login page.

Installed as the default site by ``zhilian.apps.AdminConfig`` (INSTALLED_APPS), so
``admin.site`` and ``@admin.register`` everywhere use it.
"""

from __future__ import annotations

from django.contrib import admin

from accounts.forms import AdminLoginForm
from accounts.lockout import mark_locked_out


class ZhilianAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        seconds = getattr(form, "retry_after", None)
        if seconds is not None:
            mark_locked_out(response, seconds)
        return response
