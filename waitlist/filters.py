import django_filters as filters

from waitlist.models import WaitlistTicket
from zhilian.api.filters import DateFilter, FilterSet


class WaitlistTicketFilter(FilterSet):
    store = filters.CharFilter(field_name="store_id")
    status = filters.MultipleChoiceFilter(choices=WaitlistTicket.Status.choices)
    band = filters.CharFilter()
    date = DateFilter(field_name="business_date")

    class Meta:
        model = WaitlistTicket
        fields = ["store", "status", "band", "date"]
