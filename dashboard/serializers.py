"""The dashboard response as the OpenAPI schema shows it. dashboard.selectors builds it from rows;
the guard test (dashboard/tests/test_dashboard.py) renders instances through these
serializers and holds the two byte-for-byte equal.

Component names start with "Dashboard" so they stay distinct from the resources' own components
(`Reservation`, `Shift`, ...) once a client generator normalizes them.
"""

from __future__ import annotations

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from kpis.models import KPIRecord
from orders.models import Order
from zhilian.api.fields import DayField


class DashboardQuerySerializer(serializers.Serializer):
    store = serializers.CharField(required=False, max_length=50)
    date = DayField(required=False)


class DashboardStoreSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()


class DashboardFiguresSerializer(serializers.Serializer):
    revenue_cents = serializers.IntegerField()
    order_count = serializers.IntegerField()
    average_check_cents = serializers.IntegerField()
    guest_count = serializers.IntegerField()
    open_order_count = serializers.IntegerField()


class DashboardKPISerializer(serializers.Serializer):
    """A KPI record of the day; the `kpi.updated` event carries the same shape (kpis.events)."""

    kpi = serializers.CharField(source="kpi_id")
    # In the language of the request (a user-defined KPI's stored Chinese name, or the catalogue's).
    name = serializers.CharField(source="kpi.display_name")
    metric = serializers.CharField(source="kpi.metric")
    unit = serializers.CharField(source="kpi.unit")
    category = serializers.CharField(source="kpi.category")
    direction = serializers.CharField(source="kpi.direction")
    # Decimals as the database holds them (4 places), like every decimal of the API.
    value = serializers.CharField()
    target_value = serializers.CharField(allow_null=True)
    achievement_rate = serializers.CharField(allow_null=True)
    change_rate = serializers.CharField(allow_null=True)
    status = serializers.ChoiceField(choices=KPIRecord.Status.choices)
    trend = serializers.ChoiceField(choices=KPIRecord.Trend.choices)


class DashboardRevenueDaySerializer(serializers.Serializer):
    date = DayField()
    revenue_cents = serializers.IntegerField()
    order_count = serializers.IntegerField()


# One count per order status, whatever statuses the order model has.
DashboardOrdersByStatusSerializer = type(
    "DashboardOrdersByStatusSerializer",
    (serializers.Serializer,),
    {status: serializers.IntegerField() for status in Order.Status.values},
)


class DashboardOpenOrderSerializer(serializers.Serializer):
    id = serializers.CharField()
    status = serializers.CharField()
    order_type = serializers.CharField()
    table = serializers.CharField(source="table.number", allow_null=True)
    customer_name = serializers.CharField()
    total_cents = serializers.IntegerField()
    order_time = serializers.DateTimeField()


class DashboardReservationSerializer(serializers.Serializer):
    id = serializers.CharField()
    customer_name = serializers.CharField()
    party_size = serializers.IntegerField()
    reservation_time = serializers.TimeField()
    status = serializers.CharField()
    reservation_type = serializers.CharField()
    tables = serializers.SerializerMethodField()

    @extend_schema_field(serializers.ListField(child=serializers.CharField()))
    def get_tables(self, reservation) -> list[str]:
        return sorted(t.number for t in reservation.tables.all())  # prefetched by the selector


class DashboardShiftSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    employee = serializers.CharField(source="employee_id")
    employee_name = serializers.CharField(source="employee.name")
    position = serializers.CharField()
    shift_type = serializers.CharField()
    start_time = serializers.TimeField()
    end_time = serializers.TimeField()
    is_confirmed = serializers.BooleanField()


class DashboardLowStockSerializer(serializers.Serializer):
    id = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.CharField()
    current_quantity = serializers.CharField()
    min_quantity = serializers.CharField()
    status = serializers.CharField()


class DashboardFoodCostSerializer(serializers.Serializer):
    """Theoretical food cost % of the day (live), the latest actual food cost % recorded and the gap."""

    theoretical_percent = serializers.CharField(allow_null=True, help_text="Null without revenue.")
    recipe_cost_cents = serializers.IntegerField()
    actual_percent = serializers.CharField(allow_null=True, help_text="Null until a stock count period is recorded.")
    actual_date = DayField(allow_null=True)
    gap_points = serializers.CharField(allow_null=True, help_text="Actual − theoretical, in percentage points.")


class DashboardRankedDishSerializer(serializers.Serializer):
    dish = serializers.UUIDField()
    code = serializers.CharField()
    name_zh = serializers.CharField()
    name_en = serializers.CharField()
    quantity = serializers.IntegerField()
    revenue_cents = serializers.IntegerField()


class DashboardRankingSerializer(serializers.Serializer):
    by_quantity = DashboardRankedDishSerializer(many=True)
    by_revenue = DashboardRankedDishSerializer(many=True)


class DashboardDishRankingSerializer(serializers.Serializer):
    today = DashboardRankingSerializer()
    last_7_days = DashboardRankingSerializer()


class DashboardPaceFigureSerializer(serializers.Serializer):
    actual = serializers.IntegerField()
    expected = serializers.IntegerField(allow_null=True)
    difference = serializers.IntegerField(allow_null=True)
    status = serializers.ChoiceField(choices=["on_pace", "ahead", "behind", "no_history"])


class DashboardPaceSerializer(serializers.Serializer):
    """Today so far against the mean of the last same weekdays by the same time (dashboard.pace)."""

    as_of = serializers.CharField()
    samples = serializers.IntegerField()
    revenue = DashboardPaceFigureSerializer(help_text="In cents.")
    covers = DashboardPaceFigureSerializer(help_text="Guests.")


# The selector builds this response from rows; the guard test renders instances through this
# serializer and compares. (The docstring is the schema's description: kept as clients know it.)
class DashboardSerializer(serializers.Serializer):
    """Renders `dashboard.selectors.dashboard_summary`."""

    store = DashboardStoreSerializer()
    date = DayField()
    figures = DashboardFiguresSerializer()
    kpis = DashboardKPISerializer(many=True)
    revenue_14d = DashboardRevenueDaySerializer(many=True)
    orders_by_status = DashboardOrdersByStatusSerializer()
    open_orders = DashboardOpenOrderSerializer(many=True)
    reservations = DashboardReservationSerializer(many=True)
    shifts = DashboardShiftSerializer(many=True)
    low_stock = DashboardLowStockSerializer(many=True)
    food_cost = DashboardFoodCostSerializer()
    dish_ranking = DashboardDishRankingSerializer()
    unread_notifications = serializers.IntegerField()
    pace = DashboardPaceSerializer(allow_null=True, help_text="Today only; null for other days.")
