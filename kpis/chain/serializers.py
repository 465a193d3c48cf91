"""The chain report's query parameters and response shape (the OpenAPI schema reads them)."""

from __future__ import annotations

from django.utils.translation import gettext as _
from rest_framework import serializers

from kpis.chain.chart import BY_REGION, BY_STORE
from kpis.chain.report import CUSTOM, PERIOD_KINDS, WEEK, period_of
from kpis.models import KPI, KPIRecord
from stores.models import Region
from zhilian.api.fields import DayField
from zhilian.errors import InvalidInput


class ChainQuerySerializer(serializers.Serializer):
    period = serializers.ChoiceField(choices=PERIOD_KINDS, default=WEEK)
    date = DayField(required=False)
    region = serializers.CharField(max_length=40, required=False)

    def get_fields(self):
        # `from` is a Python keyword: the fields are added by name.
        fields = super().get_fields()
        fields["from"] = DayField(required=False)
        fields["to"] = DayField(required=False)
        return fields

    def validate(self, attrs):
        try:
            attrs["period_obj"] = period_of(
                attrs["period"], day=attrs.get("date"), start=attrs.get("from"), end=attrs.get("to")
            )
        except InvalidInput as exc:
            raise serializers.ValidationError(exc.errors) from None
        if attrs["period"] != CUSTOM and (attrs.get("from") or attrs.get("to")):
            raise serializers.ValidationError({"period": _("Use period=custom with from and to.")})
        code = attrs.get("region")
        attrs["region_obj"] = None
        if code:
            attrs["region_obj"] = Region.objects.filter(code=code).first()
            if attrs["region_obj"] is None:
                raise serializers.ValidationError({"region": _("No such region.")})
        return attrs


class ChainExportQuerySerializer(ChainQuerySerializer):
    file_type = serializers.ChoiceField(choices=["csv", "xlsx"])


class ChainChartQuerySerializer(ChainQuerySerializer):
    kpi = serializers.CharField(max_length=50)
    by = serializers.ChoiceField(choices=[BY_STORE, BY_REGION], default=BY_STORE)

    def validate(self, attrs):
        attrs = super().validate(attrs)
        attrs["kpi_obj"] = KPI.objects.filter(pk=attrs["kpi"]).first()
        if attrs["kpi_obj"] is None:
            raise serializers.ValidationError({"kpi": _("No such KPI.")})
        return attrs


class ChainPeriodSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=PERIOD_KINDS)
    start = serializers.DateField()
    end = serializers.DateField()
    days = serializers.IntegerField()
    previous_start = serializers.DateField()
    previous_end = serializers.DateField()


class ChainKPISerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    metric = serializers.CharField()
    direction = serializers.CharField()
    aggregation = serializers.ChoiceField(
        choices=["sum", "ratio", "weighted", "mean"],
        help_text="How the days and stores add up: sum; ratio of summed parts; weighted mean; plain mean.",
    )


class CellSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True, coerce_to_string=True)
    previous = serializers.DecimalField(
        max_digits=24, decimal_places=4, allow_null=True, help_text="The previous period of the same length."
    )
    change = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    change_percent = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    target = serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True)
    status = serializers.ChoiceField(choices=KPIRecord.Status.choices, allow_null=True)
    days = serializers.IntegerField(help_text="Records counted (store-days).")
    rank = serializers.IntegerField(allow_null=True, help_text="1 = best among the stores (store rows only).")


class ChainStoreSerializer(serializers.Serializer):
    store = serializers.CharField()
    name = serializers.CharField()
    region = serializers.CharField(help_text="Region code; empty without one.")
    region_name = serializers.CharField()
    dashboard_url = serializers.CharField()
    values = serializers.DictField(child=CellSerializer(), help_text="KPI id -> cell")


class ChainGroupSerializer(serializers.Serializer):
    stores = serializers.IntegerField()
    total = serializers.DictField(child=CellSerializer())
    average = serializers.DictField(child=CellSerializer(), help_text="Sum KPIs: total / stores.")


class ChainRegionSerializer(ChainGroupSerializer):
    region = serializers.CharField()
    name = serializers.CharField()


class ChainReportSerializer(serializers.Serializer):
    period = ChainPeriodSerializer()
    region = serializers.CharField(allow_null=True)
    kpis = ChainKPISerializer(many=True)
    stores = ChainStoreSerializer(many=True)
    regions = ChainRegionSerializer(many=True)
    chain = ChainGroupSerializer()


class ChainLineSerializer(serializers.Serializer):
    key = serializers.CharField()
    label = serializers.CharField()
    values = serializers.ListField(child=serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True))


class ChainChartSerializer(serializers.Serializer):
    kpi = serializers.DictField(child=serializers.CharField())
    by = serializers.CharField()
    bucket = serializers.ChoiceField(choices=["day", "week"])
    points = serializers.ListField(child=serializers.DateField())
    lines = ChainLineSerializer(many=True)
    target = serializers.ListField(child=serializers.DecimalField(max_digits=24, decimal_places=4, allow_null=True))
