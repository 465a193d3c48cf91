"""The admin site: Django's, with the login lockout's message and status on its login page.

Installed as the default site by ``zhilian.apps.AdminConfig`` (INSTALLED_APPS), so
``admin.site`` and ``@admin.register`` everywhere use it.
"""

from __future__ import annotations

from django.contrib import admin
from django.template.response import TemplateResponse
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.lockout import mark_locked_out


class ZhilianAdminSite(admin.AdminSite):
    login_form = AdminLoginForm

    def index(self, request, extra_context=None):
        # A store manager lands on today's store (zhilian/admin/home.py); admins on the chain.
        from zhilian.admin.home import store_home_context, wants_store_home

        if not wants_store_home(request.user):
            return super().index(request, extra_context)
        context = {
            **self.each_context(request),
            "title": _("Today"),
            "app_list": self.get_app_list(request),
            **store_home_context(request),
            **(extra_context or {}),
        }
        request.current_app = self.name
        return TemplateResponse(request, "admin/zhilian/store_home.html", context)

    def login(self, request, extra_context=None):
        response = super().login(request, extra_context)
        form = (getattr(response, "context_data", None) or {}).get("form")
        seconds = getattr(form, "retry_after", None)
        if seconds is not None:
            mark_locked_out(response, seconds)
        return response
