import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _

from zhilian import roles
from zhilian.jsonvalues import BoundedJSONField
from zhilian.models import StoreScopedQuerySet, TimestampedModel


class NotificationQuerySet(StoreScopedQuerySet):
    def for_user(self, user):
        # Everyone, admins included, sees only the notifications addressed to them.
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        return self.filter(recipient=user)

    def for_admin_site(self, user):
        """The Django admin's changelist: a chain admin audits every notification; everyone
        else (managers) still sees only their own. The API always uses `for_user`."""
        if roles.is_admin(user):
            return self
        return self.for_user(user)

    def unread(self):
        return self.filter(read_at__isnull=True)


class Notification(TimestampedModel):
    class Kind(models.TextChoices):
        LOW_STOCK = "low_stock", _("Low stock")
        RESERVATION_CREATED = "reservation_created", _("New reservation")
        ORDER_STATUS = "order_status", _("Order status")
        SCHEDULE_PUBLISHED = "schedule_published", _("Schedule published")
        KPI_OFF_TRACK = "kpi_off_track", _("KPI off track")
        SYSTEM = "system", _("System")
        LEAVE_REQUESTED = "leave_requested", _("Leave requested")
        LEAVE_DECIDED = "leave_decided", _("Leave decided")

    class Level(models.TextChoices):
        INFO = "info", _("Info")
        WARNING = "warning", _("Warning")
        CRITICAL = "critical", _("Critical")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    recipient = models.ForeignKey(
        "accounts.User", verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices, default=Level.INFO)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    data = BoundedJSONField(_("data"), default=dict, blank=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    objects = models.Manager.from_queryset(NotificationQuerySet)()

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at"]
        indexes = [
            models.Index(fields=["recipient", "-created_at"], name="notif_recipient_time_idx"),
            models.Index(fields=["recipient", "read_at"], name="notif_recipient_read_idx"),
        ]

    def __str__(self) -> str:
        return self.display_title

    @property
    def display_title(self) -> str:
        """The title in the reader's language (notifications.texts)."""
        from notifications.texts import render

        i18n = (self.data or {}).get("i18n") if isinstance(self.data, dict) else None
        return render(i18n["title"]) if i18n and "title" in i18n else self.title

    @property
    def display_body(self) -> str:
        from notifications.texts import render

        i18n = (self.data or {}).get("i18n") if isinstance(self.data, dict) else None
        return render(i18n["body"]) if i18n and "body" in i18n else self.body

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
