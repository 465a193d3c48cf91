"""Walk-in waitlist tickets (排队取号): one row per number taken at a store."""

import secrets
import uuid

from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from waitlist.bands import ticket_code
from zhilian.models import StoreScopedManager, TimestampedModel

MAX_PARTY_SIZE = 50


def new_token() -> str:
    # The public "where am I in the queue" link: unguessable (192 bits), unlike the ticket's code.
    return secrets.token_urlsafe(24)


class WaitlistTicket(TimestampedModel):
    class Status(models.TextChoices):
        WAITING = "waiting", _("Waiting")
        CALLED = "called", _("Called")
        SEATED = "seated", _("Seated")
        SKIPPED = "skipped", _("Skipped")
        CANCELLED = "cancelled", _("Cancelled")

    id = models.UUIDField(primary_key=True, default=uuid.uuid4, editable=False)
    token = models.CharField(_("token"), max_length=40, unique=True, default=new_token, editable=False)
    store = models.ForeignKey(
        "stores.Store", verbose_name=_("store"), on_delete=models.PROTECT, related_name="waitlist_tickets"
    )
    # The local day the number was taken: numbers restart at 1 per store, day and band.
    business_date = models.DateField(_("date"), editable=False)
    band = models.CharField(_("band"), max_length=1, editable=False)
    number = models.PositiveIntegerField(_("number"), editable=False)
    party_size = models.PositiveSmallIntegerField(
        _("party size"), validators=[MinValueValidator(1), MaxValueValidator(MAX_PARTY_SIZE)]
    )
    phone = models.CharField(_("phone"), max_length=32, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.WAITING)
    # Minutes quoted when the number was taken (None: the band has no tables to estimate from).
    quoted_wait_minutes = models.PositiveIntegerField(_("quoted wait (minutes)"), null=True, blank=True)
    issued_at = models.DateTimeField(_("issued at"), editable=False)
    called_at = models.DateTimeField(_("called at"), null=True, blank=True, editable=False)
    call_count = models.PositiveSmallIntegerField(_("calls"), default=0, editable=False)
    seated_at = models.DateTimeField(_("seated at"), null=True, blank=True, editable=False)
    skipped_at = models.DateTimeField(_("skipped at"), null=True, blank=True, editable=False)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True, editable=False)
    table = models.ForeignKey(
        "stores.Table",
        verbose_name=_("table"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="waitlist_tickets",
    )
    reason = models.CharField(_("reason"), max_length=255, blank=True)
    created_by = models.ForeignKey(
        "accounts.User",
        verbose_name=_("issued by"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="+",
    )

    objects = StoreScopedManager()

    class Meta:
        verbose_name = _("waitlist ticket")
        verbose_name_plural = _("waitlist tickets")
        ordering = ["-business_date", "band", "number"]
        indexes = [
            models.Index(fields=["store", "business_date", "band", "status"], name="waitlist_store_day_band_idx"),
        ]
        constraints = [
            # The numbering guarantee (waitlist.services takes numbers from a locked counter row).
            models.UniqueConstraint(
                fields=["store", "business_date", "band", "number"], name="waitlist_ticket_number_unique"
            ),
            models.CheckConstraint(condition=Q(party_size__gte=1), name="waitlist_party_size_positive"),
            models.CheckConstraint(condition=Q(number__gte=1), name="waitlist_number_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.code} ×{self.party_size}"

    @property
    def code(self) -> str:
        return ticket_code(self.band, self.number) if self.band and self.number else ""
