import factory

from notifications.models import Notification


class NotificationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Notification

    recipient = factory.SubFactory("accounts.tests.factories.UserFactory")
    store = factory.SelfAttribute("recipient.store")
    kind = Notification.Kind.SYSTEM
    level = Notification.Level.INFO
    title = factory.Sequence(lambda n: f"Notice {n}")
    body = "Something happened."
