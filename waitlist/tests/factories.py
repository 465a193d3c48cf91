import factory
from django.utils import timezone

from waitlist.models import WaitlistTicket


class WaitlistTicketFactory(factory.django.DjangoModelFactory):
    """A ticket written directly (the services are tested on their own); pass the stamps you need."""

    class Meta:
        model = WaitlistTicket

    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    business_date = factory.LazyAttribute(lambda o: timezone.localdate(o.issued_at))
    band = "A"
    number = factory.Sequence(lambda n: n + 1)
    party_size = 2
    issued_at = factory.LazyFunction(timezone.now)
