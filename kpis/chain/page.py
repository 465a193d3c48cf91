"""The chain report's admin page (linked from the admin index): the chooser, the comparison table
coloured by status, the region and chain totals, a line chart of one KPI, CSV/XLSX downloads.
Wired into KPIRecordAdmin's URLs (kpis/admin.py), as the menu engineering page hangs off dishes."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import PermissionDenied
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.translation import gettext, pgettext
from django.utils.translation import gettext_lazy as _

from kpis.chain.chart import BY_REGION, BY_STORE, kpi_series, line_chart
from kpis.chain.report import CUSTOM, DAY, MONTH, WEEK, chain_report, period_of, report_kpis
from kpis.chain.views import export_response
from kpis.models import KPI
from stores.models import Region
from zhilian import roles
from zhilian.db import replica_reads
from zhilian.errors import InvalidInput
from zhilian.formatting import format_kpi_value, format_percent

PERIOD_CHOICES = [(DAY, _("Day")), (WEEK, _("Week")), (MONTH, _("Month")), (CUSTOM, _("Custom"))]


class ChainReportForm(forms.Form):
    period = forms.ChoiceField(label=_("period"), choices=PERIOD_CHOICES)
    date = forms.DateField(
        label=_("date"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    start = forms.DateField(
        label=_("first day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    end = forms.DateField(
        label=_("last day"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    region = forms.ChoiceField(label=_("region"), required=False)
    kpi = forms.ChoiceField(label=_("chart"), required=False)
    by = forms.ChoiceField(label=_("lines"), choices=[(BY_STORE, _("per store")), (BY_REGION, _("per region"))])

    def __init__(self, data, *, regions, kpis):
        super().__init__(data)
        self.fields["region"].choices = [("", _("All regions"))] + [(r.code, r.name) for r in regions]
        self.fields["kpi"].choices = [(k.pk, gettext(k.name)) for k in kpis]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            data["period_obj"] = period_of(
                data["period"], day=data.get("date"), start=data.get("start"), end=data.get("end")
            )
        except InvalidInput as exc:
            for field, message in exc.errors.items():
                self.add_error({"from": "start", "to": "end"}.get(field, field), message)
        return data


def _decorate(report: dict) -> None:
    """Display strings beside the raw values (the KPI's unit, signed change %); the page leaves
    out the KPIs no store has a value for in either period (the export keeps every column)."""
    units = {k["id"]: k["unit"] for k in report["kpis"]}
    chain = report["chain"]["total"]
    report["kpis"] = [
        k for k in report["kpis"] if chain[k["id"]]["value"] is not None or chain[k["id"]]["previous"] is not None
    ]
    for kpi in report["kpis"]:
        kpi["unit_shown"] = pgettext("KPI unit", kpi["unit"]) if kpi["unit"] else ""
    groups = [r["values"] for r in report["stores"]]
    for group in [*report["regions"], report["chain"]]:
        groups += [group["total"], group["average"]]
    for values in groups:
        for kpi_id, c in values.items():
            c["shown"] = format_kpi_value(c["value"], units[kpi_id])
            c["previous_shown"] = format_kpi_value(c["previous"], units[kpi_id])
            percent = None if c["change_percent"] is None else Decimal(c["change_percent"])
            c["change_shown"] = (
                ""
                if percent is None
                else ("+" if percent > 0 else "−" if percent < 0 else "") + format_percent(abs(percent))
            )
            c["trend"] = "" if percent is None or not percent else ("up" if percent > 0 else "down")
    # The cells in column order, for the template.
    order = [k["id"] for k in report["kpis"]]
    for row in report["stores"]:
        row["cells"] = [row["values"][i] for i in order]
    for group in [*report["regions"], report["chain"]]:
        group["total_cells"] = [group["total"][i] for i in order]
        group["average_cells"] = [group["average"][i] for i in order]


@replica_reads
def chain_report_view(model_admin, request):
    user = request.user
    if not roles.can(user, roles.VIEW, "kpis.kpirecord"):
        raise PermissionDenied
    kpis = report_kpis()
    regions = list(Region.objects.order_by("name"))
    yesterday = timezone.localdate() - timezone.timedelta(days=1)
    defaults = {"period": WEEK, "date": yesterday, "by": BY_STORE, "kpi": kpis[0].pk if kpis else ""}
    form = ChainReportForm({**defaults, **request.GET.dict()}, regions=regions, kpis=kpis)
    report = chart = series = None
    if form.is_valid():
        data = form.cleaned_data
        region = next((r for r in regions if r.code == data.get("region")), None)
        report = chain_report(user=user, period=data["period_obj"], region=region)
        if request.GET.get("file_type") in ("csv", "xlsx"):
            return export_response(report, request.GET["file_type"])
        _decorate(report)
        kpi = next((k for k in kpis if k.pk == data.get("kpi")), None)
        if kpi is not None:
            series = kpi_series(user=user, kpi=kpi, period=data["period_obj"], by=data["by"], region=region)
            chart = line_chart(series)
            if chart:
                for line in chart["lines"]:
                    line["last_shown"] = format_kpi_value(line["last"], kpi.unit)
    query = request.GET.copy()
    query.pop("file_type", None)
    context = {
        **model_admin.admin_site.each_context(request),
        "title": gettext("Chain report"),
        "opts": model_admin.model._meta,
        "form": form,
        "report": report,
        "chart": chart,
        "series": series,
        "chart_kpi": gettext(series["kpi"]["name"]) if series else None,
        "query": query.urlencode(),
        "directions": dict(KPI.Direction.choices),
    }
    request.current_app = model_admin.admin_site.name
    return TemplateResponse(request, "admin/kpis/kpirecord/chain_report.html", context)
