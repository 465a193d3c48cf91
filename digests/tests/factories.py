import datetime as dt

import factory

from digests.models import DigestLog, DigestSubscription, Frequency


class DigestSubscriptionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DigestSubscription

    user = factory.SubFactory("accounts.tests.factories.ManagerFactory")
    frequency = Frequency.DAILY
    language = "zh-hans"


class DigestLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = DigestLog

    user = factory.SubFactory("accounts.tests.factories.ManagerFactory")
    frequency = Frequency.DAILY
    period_start = factory.Sequence(lambda n: dt.date(2026, 3, 1) + dt.timedelta(days=n))
    period_end = factory.SelfAttribute("period_start")
