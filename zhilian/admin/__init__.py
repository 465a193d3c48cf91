"""Admin building blocks: store scoping for every ModelAdmin and inline, money in yuan, writes
through each admin's named services with domain errors shown as form errors, bulk transitions,
and the audit trail as every object's History page (docs/architecture.md, "The admin")."""

from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhilian.admin import audit  # noqa: F401  (registers the audit trail's admin)
from zhilian.admin.actions import transition_action, yuan
from zhilian.admin.base import ScopedModelAdmin, add_domain_error
from zhilian.admin.changelist import (
    EstimatedCountPaginator,
    FastRowLinksChangeList,
    RegionListFilter,
    ScopedRelatedFieldListFilter,
)
from zhilian.admin.scoping import (
    ReadOnlyAdminMixin,
    ScopedStackedInline,
    ScopedTabularInline,
    StoreScopedFormfieldsMixin,
)

admin.site.site_header = _("Zhilian OS")
admin.site.site_title = _("Zhilian OS")
admin.site.index_title = _("Store operations")

__all__ = [
    "EstimatedCountPaginator",
    "FastRowLinksChangeList",
    "ReadOnlyAdminMixin",
    "RegionListFilter",
    "ScopedModelAdmin",
    "ScopedRelatedFieldListFilter",
    "ScopedStackedInline",
    "ScopedTabularInline",
    "StoreScopedFormfieldsMixin",
    "add_domain_error",
    "transition_action",
    "yuan",
]
