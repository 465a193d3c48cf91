"""The admin site: Django's, with the login lockout's message and status on its login page, and
shortcuts to the apps' own screens (the week grid, ...) above the index's app list.

Installed as the default site by ``zhilian.apps.AdminConfig`` (INSTALLED_APPS), so
``admin.site`` and ``@admin.register`` everywhere use it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib import admin
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from accounts.forms import AdminLoginForm
from accounts.lockout import mark_locked_out


@dataclass(frozen=True)
class Shortcut:
    url_name: str
    label: str
    description: str = ""
    # A Django permission ("scheduling.view_schedule") the user needs to see the link.
    permission: str | None = None


class ZhilianAdminSite(admin.AdminSite):
    login_form = AdminLoginForm
    index_template = "admin/zhilian/index.html"

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.shortcuts: list[Shortcut] = []

    def add_shortcut(self, url_name: str, label, description="", *, permission: str | None = None) -> None:
        """A link above the index's app list (an app's admin.py adds its own screens)."""
        self.shortcuts.append(Shortcut(url_name, label, description, permission))

    def visible_shortcuts(self, request) -> list[dict]:
        return [
            {"url": reverse(s.url_name), "label": s.label, "description": s.description, "id": s.url_name}
            for s in self.shortcuts
            if s.permission is None or request.user.has_perm(s.permission)
        ]

    def index(self, request, extra_context=None):
        # A store manager lands on today's store (zhilian/admin/home.py); admins on the chain.
        # Both show the apps' shortcuts.
        from zhilian.admin.home import store_home_context, wants_store_home

        extra_context = {"shortcuts": self.visible_shortcuts(request), **(extra_context or {})}
        if not wants_store_home(request.user):
            return super().index(request, extra_context)
        context = {
            **self.each_context(request),
            "title": _("Today"),
            "app_list": self.get_app_list(request),
            **store_home_context(request),
            **extra_context,
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
