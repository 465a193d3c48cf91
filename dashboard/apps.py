from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class DashboardConfig(AppConfig):
    """The live dashboard: the one reader of every domain (docs/architecture.md)."""

    name = "dashboard"
    verbose_name = _("Dashboard")
