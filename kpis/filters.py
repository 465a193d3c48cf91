import django_filters

from kpis.models import KPI, KPIRecord
from zhilian.api.filters import DateFilter, DateFromToRangeFilter, FilterSet


class KPIFilter(FilterSet):
    class Meta:
        model = KPI
        fields = ["category", "metric", "direction", "is_active"]


class KPIRecordFilter(FilterSet):
    record_date = DateFromToRangeFilter(help_text="record_date_after / record_date_before")
    date_from = DateFilter(field_name="record_date", lookup_expr="gte")
    date_to = DateFilter(field_name="record_date", lookup_expr="lte")
    category = django_filters.ChoiceFilter(field_name="kpi__category", choices=KPI.Category.choices)
    metric = django_filters.ChoiceFilter(field_name="kpi__metric", choices=KPI.Metric.choices)
    store = django_filters.CharFilter(field_name="store_id")
    kpi = django_filters.CharFilter(field_name="kpi_id")

    class Meta:
        model = KPIRecord
        fields = ["store", "kpi", "status", "trend", "record_date", "category", "metric"]
