"""Subscribing to digests and sending one: a digest for (user, frequency, period) goes out once.

`digest_send` inserts the DigestLog row first, in its own savepoint: the unique constraint makes a
second run (a job run twice, two workers) fail there and send nothing. The notification is written
in the same transaction; the e-mail (plain text and HTML, in the subscriber's language) is handed to
the e-mail backend after commit and stamps `emailed_at` when the backend took it.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.db import IntegrityError, transaction
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.models import User
from digests.models import DigestLog, DigestSubscription, Frequency
from digests.selectors import digest_summary
from kpis.chain.report import DAY, WEEK, Period, period_of
from notifications.models import Notification
from notifications.services import notification_create
from zhilian import audit, roles
from zhilian.errors import Forbidden, InvalidInput

logger = logging.getLogger(__name__)
LANGUAGE_CODES = {code for code, _name in settings.LANGUAGES}


def may_subscribe(user: User) -> bool:
    """Whoever reads KPI records of stores (admins, managers, and the roles the matrix gives it)."""
    return roles.can(user, roles.VIEW, "kpis.kpirecord")


def digest_subscription_set(
    *, actor: User, user: User, frequency: str, language: str | None = None
) -> DigestSubscription:
    """Set `user`'s digest frequency (daily, weekly, off) and language."""
    if frequency not in Frequency.values:
        raise InvalidInput({"frequency": _("Choose daily, weekly or off.")})
    if language is not None and language not in LANGUAGE_CODES:
        raise InvalidInput({"language": _("Choose a language the site offers.")})
    if frequency != Frequency.OFF and not may_subscribe(user):
        raise Forbidden(_("Only users who read store KPIs receive digests."))
    if actor.pk != user.pk and not roles.is_admin(actor):
        raise Forbidden(_("You may change only your own subscription."))
    values = {"frequency": frequency, **({"language": language} if language else {})}
    with transaction.atomic():
        # The one-to-one key decides: a concurrent first subscription updates the row the other made.
        subscription, created = DigestSubscription.objects.select_for_update().update_or_create(
            user=user, defaults=values
        )
        audit.audit_record(
            actor=actor,
            instance=subscription,
            event="digest.subscribe",
            action=audit.CREATE if created else audit.UPDATE,
            frequency=frequency,
            language=subscription.language,
        )
    return subscription


def digest_period(frequency: str, *, today: dt.date | None = None) -> Period:
    """Yesterday for a daily digest; last week (Monday to Sunday) for a weekly one."""
    today = today or timezone.localdate()
    if frequency == Frequency.WEEKLY:
        return period_of(WEEK, day=today - dt.timedelta(days=7))
    return period_of(DAY, day=today - dt.timedelta(days=1))


def render_digest(summary: dict, *, user: User) -> tuple[str, str, str]:
    """(subject, plain text, HTML) in the active language."""
    context = {"digest": summary, "user": user, "site": settings.ZHILIAN_SITE_URL}
    text = render_to_string("digests/digest_email.txt", context)
    html = render_to_string("digests/digest_email.html", context)
    return summary["title"], text, html


def digest_send(*, user: User, frequency: str, period: Period, language: str, actor=None) -> DigestLog | None:
    """Send `user` the digest of `period` once: None when it was already sent (or is being sent)."""
    with transaction.atomic():
        try:
            with transaction.atomic():
                log = DigestLog.objects.create(
                    user=user, frequency=frequency, period_start=period.start, period_end=period.end
                )
        except IntegrityError:
            logger.info("digest %s %s for %s: already sent", frequency, period.start, user.username)
            return None
        with translation.override(language):
            summary = digest_summary(user=user, period=period)
            subject, text, html = render_digest(summary, user=user)
        log.stores = len(summary["stores"])
        log.save(update_fields=["stores", "updated_at"])
        notification_create(
            recipients=[user],
            kind=Notification.Kind.SYSTEM,
            level=Notification.Level.WARNING if summary["exceptions"] else Notification.Level.INFO,
            title=subject[:200],
            body=text,
            data={"digest": frequency, "start": period.start.isoformat(), "end": period.end.isoformat()},
        )
        audit.audit_record(actor=actor, instance=log, event="digest.send", action=audit.CREATE, stores=log.stores)
        if user.email:
            transaction.on_commit(lambda: _mail(log.pk, user.email, subject, text, html))
    return log


def _mail(log_id, address: str, subject: str, text: str, html: str) -> None:
    message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [address])
    message.attach_alternative(html, "text/html")
    try:
        message.send()
    except Exception:
        # The notification is there; the log keeps emailed_at empty so an admin sees what failed.
        logger.exception("digest %s: the e-mail to %s was not sent", log_id, address)
        return
    DigestLog.objects.filter(pk=log_id).update(emailed_at=timezone.now())
