from django.contrib import admin, messages
from django.urls import path
from django.utils.translation import gettext_lazy as _

from kpis import services
from kpis.chain.page import chain_report_view
from kpis.models import KPI, KPIRecord
from stores.models import Store
from zhilian import roles
from zhilian.admin import ScopedModelAdmin
from zhilian.formatting import format_change, format_kpi_value, format_rate


def _in_unit(field: str, description):
    """A column showing a KPI value field in its KPI's unit (¥, %, min, ...), sortable."""

    def display(obj) -> str:
        kpi = obj if isinstance(obj, KPI) else obj.kpi
        return format_kpi_value(getattr(obj, field), kpi.unit)

    display.short_description = description
    display.admin_order_field = field
    display.__name__ = f"{field}_in_unit"
    return display


# The admin recompute action handles at most this many store-days at once.
RECOMPUTE_LIMIT = 62


@admin.register(KPI)
class KPIAdmin(ScopedModelAdmin):
    """Chain-wide definitions; the role matrix makes them read-only for managers."""

    list_display = [
        "id",
        "name",
        "category",
        "metric",
        "unit",
        "direction",
        _in_unit("target_value", _("target")),
        _in_unit("warning_threshold", _("warning threshold")),
        _in_unit("critical_threshold", _("critical threshold")),
        "is_active",
    ]
    list_filter = ["category", "direction", "is_active", "metric"]
    search_fields = ["id", "name", "description"]
    ordering = ["category", "id"]
    fieldsets = [
        (None, {"fields": ["id", "name", "category", "metric", "unit", "is_active"]}),
        (_("Targets"), {"fields": ["direction", "target_value", "warning_threshold", "critical_threshold"]}),
        (_("Description"), {"fields": ["description", "calculation_method"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        return [*KPI.SERVER_OWNED_FIELDS, "id"] if obj is not None else KPI.SERVER_OWNED_FIELDS


@admin.register(KPIRecord)
class KPIRecordAdmin(ScopedModelAdmin):
    """Records are written by the computation only; they can be recomputed, never hand-edited."""

    list_display = [
        "kpi",
        "store",
        "record_date",
        _in_unit("value", _("value")),
        _in_unit("target_value", _("target")),
        "achievement",
        "change",
        "status",
        "trend",
    ]
    list_filter = ["status", "trend", "kpi__category", "kpi", "store"]
    search_fields = ["kpi__id", "kpi__name", "store__name", "store__id"]
    date_hierarchy = "record_date"
    list_select_related = ["kpi", "store"]
    ordering = ["-record_date", "kpi__category", "kpi"]
    actions = ["recompute"]
    # Values in the KPI's unit and rates as percentages (zhilian.formatting), not raw decimals.
    fields = readonly_fields = [
        "kpi",
        "store",
        "record_date",
        "value_shown",
        "target_shown",
        "achievement",
        "previous_shown",
        "change",
        "status",
        "trend",
        "metadata",
        "created_at",
        "updated_at",
    ]

    value_shown = staticmethod(_in_unit("value", _("value")))
    target_shown = staticmethod(_in_unit("target_value", _("target")))
    previous_shown = staticmethod(_in_unit("previous_value", _("previous value")))

    @admin.display(description=_("achievement"), ordering="achievement_rate")
    def achievement(self, obj: KPIRecord) -> str:
        return format_rate(obj.achievement_rate)

    @admin.display(description=_("change"), ordering="change_rate")
    def change(self, obj: KPIRecord) -> str:
        return format_change(obj.change_rate)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_compute_permission(self, request):
        return roles.can(request.user, "compute", "kpis.kpirecord")

    @admin.action(description=_("Recompute the selected records' store-days"), permissions=["compute"])
    def recompute(self, request, queryset):
        pairs = sorted(set(queryset.order_by().values_list("store_id", "record_date")))
        if len(pairs) > RECOMPUTE_LIMIT:
            self.message_user(
                request, _("Select records of at most %d store-days.") % RECOMPUTE_LIMIT, level=messages.ERROR
            )
            return
        stores = {s.pk: s for s in Store.objects.filter(pk__in={p[0] for p in pairs})}
        done = 0
        for store_id, day in pairs:
            if self.call_service(request, services.kpi_compute_day, store=stores[store_id], day=day) is not None:
                done += 1
        if done:
            self.message_user(request, _("Recomputed %d store-day(s).") % done, level=messages.SUCCESS)

    # --- the chain report page (kpis.chain.page) -------------------------------------------------

    def get_urls(self):
        view = self.admin_site.admin_view(lambda request: chain_report_view(self, request))
        return [path("chain-report/", view, name="kpis_kpirecord_chain_report"), *super().get_urls()]


admin.site.add_shortcut(
    "admin:kpis_kpirecord_chain_report",
    _("Chain report"),
    _("Compare the stores' KPIs over a day, week, month or any period; chart, CSV and XLSX"),
    permission="kpis.view_kpirecord",
)
