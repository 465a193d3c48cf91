"""django.contrib.admin with our admin site (INSTALLED_APPS names this instead of the stock config).

Kept apart from zhilian/apps.py (one AppConfig per module, found automatically) and from
zhilian/admin_site.py (which imports models, unavailable while apps load).
"""

from django.contrib.admin.apps import AdminConfig as DjangoAdminConfig


class AdminConfig(DjangoAdminConfig):
    default_site = "zhilian.admin_site.ZhilianAdminSite"

    def ready(self):
        super().ready()
        from zhilian.admin import display

        display.install()  # cents fields shown in yuan (zhilian/admin/display.py)
