import datetime as dt

import factory
from django.utils import timezone

from reservations.models import Reservation


class ReservationFactory(factory.django.DjangoModelFactory):
    """Pass `tables=[table, ...]` to hold tables."""

    class Meta:
        model = Reservation
        skip_postgeneration_save = True

    id = factory.Sequence(lambda n: f"TESTRESV-{n:06d}")
    store = factory.SubFactory("stores.tests.factories.StoreFactory")
    customer_name = factory.Faker("name")
    customer_phone = factory.Sequence(lambda n: f"1390000{n:04d}")
    reservation_date = factory.LazyFunction(lambda: timezone.localdate() + dt.timedelta(days=1))
    reservation_time = dt.time(18, 0)
    duration_minutes = 120
    party_size = 4

    @factory.post_generation
    def tables(obj, create, extracted, **kwargs):
        if create and extracted:
            obj.tables.set(extracted)
