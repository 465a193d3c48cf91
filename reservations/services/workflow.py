"""The reservation workflow: status moves by people, no-shows by the periodic job."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from django.conf import settings
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from reservations.models import Reservation
from reservations.services.rules import reservation_payload
from zhilian import events
from zhilian.audit import audit_record
from zhilian.errors import InvalidInput, InvalidTransition

Status = Reservation.Status

# The workflow: status -> statuses it may move to.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.PENDING: (Status.CONFIRMED, Status.CANCELLED, Status.NO_SHOW),
    Status.CONFIRMED: (Status.ARRIVED, Status.CANCELLED, Status.NO_SHOW),
    Status.ARRIVED: (Status.SEATED,),
    Status.SEATED: (Status.COMPLETED,),
    Status.COMPLETED: (),
    Status.CANCELLED: (),
    Status.NO_SHOW: (),
}
# The time each status stamps when entered.
STAMPS: dict[str, str] = {
    Status.CONFIRMED: "confirmed_at",
    Status.ARRIVED: "arrival_time",
    Status.SEATED: "seated_at",
    Status.COMPLETED: "completed_at",
    Status.CANCELLED: "cancelled_at",
    Status.NO_SHOW: "no_show_at",
}


def reservation_transition(*, reservation: Reservation, status: str, reason: str = "", user=None) -> Reservation:
    """Move along pending → confirmed → arrived → seated → completed; cancelled (with a reason)
    or no_show from pending/confirmed. Stamps the time of the new status."""
    if status not in Status.values:
        raise InvalidInput({"status": [_("Unknown status %r.") % status]})
    reason = (reason or "").strip()
    if status == Status.CANCELLED and not reason:
        raise InvalidInput({"reason": [_("Give a reason to cancel a reservation.")]})
    with transaction.atomic():
        current = Reservation.objects.select_for_update().get(pk=reservation.pk)
        allowed = list(TRANSITIONS[current.status])
        if status not in allowed:
            raise InvalidTransition(
                _("A %(from)s reservation cannot become %(to)s.") % {"from": current.status, "to": status},
                allowed=allowed,
                status=current.status,
            )
        previous = current.status
        now = timezone.now()
        current.status = status
        setattr(current, STAMPS[status], now)
        update_fields = ["status", STAMPS[status], "updated_at"]
        if status == Status.CANCELLED:
            current.cancel_reason = reason[:255]
            update_fields.append("cancel_reason")
        current.save(update_fields=update_fields)
        audit_record(
            actor=user,
            instance=current,
            event="reservation.transition",
            changes={"status": (previous, status)},
            reason=reason,
        )
        events.publish(
            "reservation.status_changed",
            store_id=current.store_id,
            data={**reservation_payload(current), "from": previous, "to": status, "reason": reason},
        )
    # Keep the caller's instance in step with the row.
    for field in update_fields:
        setattr(reservation, field, getattr(current, field))
    return reservation


def reservation_mark_no_shows(*, now: dt.datetime | None = None, grace_minutes: int | None = None) -> int:
    """Pending/confirmed reservations whose start + grace has passed become no_show.

    The rows are locked first (so a guest checked in at the same moment is not overwritten),
    then changed with one UPDATE; each gets an audit entry without an actor, and one event per
    store is published after commit.
    """
    now = now or timezone.now()
    if grace_minutes is None:
        grace_minutes = settings.ZHILIAN_NO_SHOW_GRACE_MINUTES
    cutoff = now - dt.timedelta(minutes=grace_minutes)
    due = Q(status__in=[Status.PENDING, Status.CONFIRMED], starts_at__lt=cutoff)
    with transaction.atomic():
        rows = list(Reservation.objects.select_for_update().filter(due).order_by("pk"))
        if not rows:
            return 0
        ids = [row.pk for row in rows]
        count = Reservation.objects.filter(due, pk__in=ids).update(
            status=Status.NO_SHOW, no_show_at=now, updated_at=now
        )
        by_store: dict[str, list[str]] = defaultdict(list)
        for row in rows:
            by_store[row.store_id].append(row.pk)
            # The job acts on nobody's behalf: no actor.
            audit_record(
                actor=None,
                instance=row,
                event="reservation.transition",
                changes={"status": (row.status, Status.NO_SHOW)},
                reason="no-show",
            )
        for store_id, store_ids in by_store.items():
            events.publish(
                "reservation.status_changed",
                store_id=store_id,
                data={"ids": store_ids, "to": Status.NO_SHOW, "count": len(store_ids), "bulk": True},
            )
    return count
