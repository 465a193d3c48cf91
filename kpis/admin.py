from urllib.parse import urlencode

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils import timezone
from django.utils.html import format_html
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from kpis import services
from kpis.charts import sparkline, trend_chart
from kpis.models import KPI, KPIRecord
from kpis.selectors import DEFAULT_PERIOD, TREND_PERIODS, kpi_series, recent_values
from stores.models import Store
from zhilian import roles
from zhilian.admin import ScopedModelAdmin
from zhilian.admin.changelist import FastRowLinksChangeList
from zhilian.formatting import format_change, format_kpi_value, format_rate


def trend_url(kpi_id: str, store_id: str | None = None, days: int | None = None) -> str:
    params = {"kpi": kpi_id, **({"store": store_id} if store_id else {}), **({"days": days} if days else {})}
    return f"{reverse('admin:kpis_kpirecord_trend')}?{urlencode(params)}"


class SparklineChangeList(FastRowLinksChangeList):
    """The page's rows carry the last values of their KPI and store, read for the whole page in
    one query (kpis.selectors.recent_values), for the sparkline column."""

    def get_results(self, request):
        super().get_results(request)
        self.result_list = list(self.result_list)
        values = recent_values(self.result_list)
        for record in self.result_list:
            record.recent_values = values.get(record.pk, [])


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
        "name_shown",
        "category",
        "metric",
        "unit_shown",
        "direction",
        _in_unit("target_value", _("target")),
        _in_unit("warning_threshold", _("warning threshold")),
        _in_unit("critical_threshold", _("critical threshold")),
        "is_active",
        "trend_link",
    ]
    list_filter = ["category", "direction", "is_active", "metric"]
    search_fields = ["id", "name", "name_zh", "description"]
    ordering = ["category", "id"]
    fieldsets = [
        (None, {"fields": ["id", "name", "name_zh", "category", "metric", "unit", "is_active", "trend_link"]}),
        (_("Targets"), {"fields": ["direction", "target_value", "warning_threshold", "critical_threshold"]}),
        (_("Description"), {"fields": ["description", "calculation_method"]}),
    ]

    # Who may only view a definition (managers) reads it in their language: the built-in names,
    # units and descriptions through the catalogue, a user-defined KPI's stored Chinese name.
    SHOWN = {"name": "name_shown", "unit": "unit_shown", "description": "description_shown",
             "calculation_method": "calculation_method_shown"}  # fmt: skip

    def get_fieldsets(self, request, obj=None):
        fieldsets = super().get_fieldsets(request, obj)
        if obj is None or self.has_change_permission(request, obj):
            return fieldsets
        return [
            (title, {**opts, "fields": [self.SHOWN.get(f, f) for f in opts["fields"]]}) for title, opts in fieldsets
        ]

    def get_readonly_fields(self, request, obj=None):
        owned = [*KPI.SERVER_OWNED_FIELDS, "trend_link", *self.SHOWN.values()]
        return [*owned, "id"] if obj is not None else owned

    @admin.display(description=_("unit"), ordering="unit")
    def unit_shown(self, obj: KPI) -> str:
        return pgettext("KPI unit", obj.unit) if obj.unit else "-"

    @admin.display(description=_("description"))
    def description_shown(self, obj: KPI) -> str:
        return gettext(obj.description) if obj.description else "-"

    @admin.display(description=_("calculation method"))
    def calculation_method_shown(self, obj: KPI) -> str:
        return gettext(obj.calculation_method) if obj.calculation_method else "-"

    @admin.display(description=_("name"), ordering="name")
    def name_shown(self, obj: KPI) -> str:
        return obj.display_name

    @admin.display(description=_("trend"))
    def trend_link(self, obj: KPI | None) -> str:
        if obj is None or not obj.pk:
            return "-"
        return format_html('<a href="{}" class="kpi-trend-link">{}</a>', trend_url(obj.pk), gettext("Trend chart"))


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
        "sparkline",
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

    @admin.display(description=_("last 14 days"))
    def sparkline(self, obj: KPIRecord) -> str:
        # Values read for the whole page by SparklineChangeList; a link to the full chart.
        line = sparkline(getattr(obj, "recent_values", []))
        return format_html(
            '<a href="{}" title="{}">{}</a>', trend_url(obj.kpi_id, obj.store_id), gettext("Trend chart"), line or "—"
        )

    def get_changelist(self, request, **kwargs):
        return SparklineChangeList

    def get_urls(self):
        view = self.admin_site.admin_view(self.trend_view)
        return [path("trend/", view, name="kpis_kpirecord_trend"), *super().get_urls()]

    def trend_view(self, request):
        """One KPI of one store over 7, 30 or 90 days: values, target line and status bands."""
        user = request.user
        if not self.has_view_permission(request):
            raise PermissionDenied
        kpis = list(KPI.objects.for_user(user).filter(is_active=True).order_by("category", "id"))
        stores = list(Store.objects.for_user(user).order_by("pk").only("pk", "name"))
        kpi_id = request.GET.get("kpi") or (kpis[0].pk if kpis else None)
        kpi = next((k for k in kpis if k.pk == kpi_id), None)
        wanted = request.GET.get("store") or user.store_id or (stores[0].pk if stores else None)
        store = next((s for s in stores if s.pk == wanted), None)
        if (kpi_id and kpi is None) or (wanted and store is None):
            raise Http404(gettext("No such store."))  # another store's chart looks like none at all
        try:
            days = int(request.GET.get("days") or DEFAULT_PERIOD)
        except ValueError:
            days = DEFAULT_PERIOD
        if days not in TREND_PERIODS:
            days = DEFAULT_PERIOD
        series = chart = None
        if kpi is not None and store is not None:
            series = kpi_series(kpi=kpi, store=store, end=timezone.localdate(), days=days)
            chart = trend_chart(series)
            for dot in chart["dots"]:
                dot["text"] = format_kpi_value(dot["value"], kpi.unit)
                dot["status_label"] = KPIRecord.Status(dot["status"]).label
        context = {
            **self.admin_site.each_context(request),
            "title": gettext("KPI trend"),
            "opts": self.model._meta,
            "kpis": kpis,
            "kpi": kpi,
            "stores": stores,
            "store": store,
            "single_store": len(stores) <= 1,
            "days": days,
            "periods": [
                {"days": d, "url": trend_url(kpi.pk, store.pk, d) if kpi and store else ""} for d in TREND_PERIODS
            ],
            "series": series,
            "chart": chart,
            "texts": _trend_texts(series) if series else None,
        }
        request.current_app = self.admin_site.name
        return TemplateResponse(request, "admin/kpis/kpirecord/trend.html", context)

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


def _trend_texts(series) -> dict:
    unit = series["kpi"].unit
    last = series["points"][-1] if series["points"] else None
    return {
        "target": format_kpi_value(series["target"], unit) if series["target"] is not None else "-",
        "warning": format_kpi_value(series["warning"], unit) if series["warning"] is not None else "-",
        "critical": format_kpi_value(series["critical"], unit) if series["critical"] is not None else "-",
        "last": format_kpi_value(last["value"], unit) if last else "-",
        "last_status": KPIRecord.Status(last["status"]).label if last else "",
        "direction": KPI.Direction(series["direction"]).label,
    }
