"""The audit trail (zhilian.audit): django-auditlog's table, our read-only admin for admins."""

from __future__ import annotations

# auditlog's own admin registers itself on import; import it first so that replacing it below does
# not depend on which of the two admin modules autodiscover reaches first.
from auditlog import admin as _auditlog_admin  # noqa: F401
from auditlog.mixins import LogEntryAdminMixin
from auditlog.models import LogEntry
from django.contrib import admin
from django.utils.translation import gettext_lazy as _

from zhilian.admin.changelist import EstimatedCountPaginator
from zhilian.admin.scoping import ReadOnlyAdminMixin


class AuditEventFilter(admin.SimpleListFilter):
    """The service's event name (`order.transition`, `stock.adjust`), kept in additional_data."""

    title = _("event")
    parameter_name = "event"

    # The trail grows with every order move; a DISTINCT over all of it would read the whole table
    # on every page. The choices come from the newest entries (a range of the primary key), plus
    # the event being filtered on; any event can still be filtered on by URL.
    RECENT = 5_000

    def lookups(self, request, model_admin):
        recent = LogEntry.objects.order_by("-pk").values_list("additional_data", flat=True)[: self.RECENT]
        events = {data.get("event") for data in recent if isinstance(data, dict)}
        events.add(self.value())
        return [(event, event) for event in sorted(e for e in events if e)]

    def queryset(self, request, queryset):
        if self.value():
            return queryset.filter(additional_data__event=self.value())
        return queryset


@admin.display(description=_("event"))
def audit_event(entry: LogEntry) -> str:
    return (entry.additional_data or {}).get("event", "") if isinstance(entry.additional_data, dict) else ""


class AuditEntryAdmin(ReadOnlyAdminMixin, LogEntryAdminMixin, admin.ModelAdmin):
    """Who changed what (written by the services, zhilian.audit): read-only, admins only
    (the role matrix gives no other role `auditlog.logentry`)."""

    date_hierarchy = "timestamp"
    list_select_related = ["content_type", "actor"]
    list_display = ["created", "resource_url", "action", audit_event, "msg_short", "user_url"]
    list_filter = ["action", AuditEventFilter]
    search_fields = ["object_repr", "object_pk", "changes", "actor__username", "actor__full_name"]
    readonly_fields = ["created", "user_url", "resource_url", "action", audit_event, "msg", "additional_data"]
    fieldsets = [
        (None, {"fields": ["created", "user_url", "resource_url"]}),
        (_("Changes"), {"fields": ["action", audit_event, "msg", "additional_data"]}),
    ]
    list_per_page = 50
    show_full_result_count = False
    paginator = EstimatedCountPaginator

    def get_queryset(self, request):
        # LogEntryAdminMixin's links read the request.
        self.request = request
        return super().get_queryset(request)


if admin.site.is_registered(LogEntry):
    admin.site.unregister(LogEntry)
admin.site.register(LogEntry, AuditEntryAdmin)
