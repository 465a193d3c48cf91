import django_filters as filters

from reservations.models import Reservation
from zhilian.api.filters import DateFilter, FilterSet


class ReservationFilter(FilterSet):
    store = filters.CharFilter(field_name="store_id")
    status = filters.MultipleChoiceFilter(choices=Reservation.Status.choices)
    reservation_type = filters.ChoiceFilter(choices=Reservation.Type.choices)
    date = DateFilter(field_name="reservation_date")
    date_from = DateFilter(field_name="reservation_date", lookup_expr="gte")
    date_to = DateFilter(field_name="reservation_date", lookup_expr="lte")
    customer_phone = filters.CharFilter()
    table = filters.UUIDFilter(field_name="tables", distinct=True)
    party_size_min = filters.NumberFilter(field_name="party_size", lookup_expr="gte")
    party_size_max = filters.NumberFilter(field_name="party_size", lookup_expr="lte")

    class Meta:
        model = Reservation
        fields = ["store", "status", "reservation_type", "date", "date_from", "date_to", "customer_phone", "table"]
