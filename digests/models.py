"""Who receives the daily or weekly digest (a subscription per user) and which digests went out
(a log row per user and period, unique: a digest is sent once even if the job runs twice)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from zhilian import roles
from zhilian.models import TimestampedModel


class Frequency(models.TextChoices):
    DAILY = "daily", _("Daily")
    WEEKLY = "weekly", _("Weekly")
    OFF = "off", _("Off")


class OwnRowsQuerySet(models.QuerySet):
    """Everyone sees their own subscription and digests; admins see everyone's."""

    def for_user(self, user):
        if not (user and user.is_authenticated and user.is_active):
            return self.none()
        if roles.is_admin(user):
            return self
        return self.filter(user=user)


class DigestSubscription(TimestampedModel):
    user = models.OneToOneField(
        "accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="digest_subscription"
    )
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices, default=Frequency.OFF)
    # The user account has no language of its own: the digest's is chosen here.
    language = models.CharField(_("language"), max_length=8, choices=settings.LANGUAGES, default="zh-hans")

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        verbose_name = _("digest subscription")
        verbose_name_plural = _("digest subscriptions")
        ordering = ["user__username"]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_frequency_display()}"


class DigestLog(TimestampedModel):
    user = models.ForeignKey("accounts.User", verbose_name=_("user"), on_delete=models.CASCADE, related_name="+")
    frequency = models.CharField(_("frequency"), max_length=8, choices=Frequency.choices)
    period_start = models.DateField(_("first day"))
    period_end = models.DateField(_("last day"))
    stores = models.PositiveIntegerField(_("stores"), default=0)
    # Set once the e-mail backend took the message (the notification is written with the log).
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)

    objects = OwnRowsQuerySet.as_manager()

    class Meta:
        verbose_name = _("digest sent")
        verbose_name_plural = _("digests sent")
        ordering = ["-period_start", "user"]
        constraints = [
            models.UniqueConstraint(fields=["user", "frequency", "period_start"], name="digestlog_once_per_period"),
        ]

    def __str__(self) -> str:
        return f"{self.user} {self.frequency} {self.period_start}"
