"""Waitlist writes: taking a number and moving a ticket (docs/architecture.md, "Walk-in waitlist").

Numbers come from the per-store, per-day, per-band counter row of `zhilian.models.DailySequence`
(``waitlist:<store>:<band>``), taken with one ``INSERT ... ON CONFLICT DO UPDATE ... RETURNING``:
the row stays locked until the issuing transaction ends, so two kiosks taking a number at once are
served one after the other and never get the same number (the unique constraint on (store, day,
band, number) backs it up). Moves lock the ticket row and follow `waitlist.workflow`.
"""

from __future__ import annotations

import datetime as dt
import re

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from stores.models import Store, Table
from waitlist.bands import band_for, store_bands
from waitlist.models import MAX_PARTY_SIZE, WaitlistTicket
from waitlist.selectors import quote_state, ticket_ahead
from waitlist.workflow import QUEUED, STAMPS, TRANSITIONS
from zhilian import events
from zhilian.audit import CREATE, audit_record
from zhilian.errors import DomainError, InvalidInput, InvalidTransition
from zhilian.models import next_daily_value

Status = WaitlistTicket.Status
PHONE_RE = re.compile(r"^\+?[0-9][0-9 -]{4,30}$")


def ticket_payload(ticket: WaitlistTicket) -> dict:
    """What the store's screens hear about a ticket (no phone, no token)."""
    return {
        "id": str(ticket.pk),
        "code": ticket.code,
        "band": ticket.band,
        "number": ticket.number,
        "party_size": ticket.party_size,
        "status": ticket.status,
        "quoted_wait_minutes": ticket.quoted_wait_minutes,
        "table": str(ticket.table_id) if ticket.table_id else None,
        "call_count": ticket.call_count,
    }


def waitlist_ticket_issue(
    *, actor, store: Store, party_size: int, phone: str = "", at: dt.datetime | None = None
) -> WaitlistTicket:
    """Take the next number of the party's band today and quote its wait (`waitlist.quote`)."""
    errors: dict[str, list[str]] = {}
    if not isinstance(party_size, int) or isinstance(party_size, bool) or not 1 <= party_size <= MAX_PARTY_SIZE:
        errors["party_size"] = [_("Give a party size from 1 to %(max)s.") % {"max": MAX_PARTY_SIZE}]
    phone = (phone or "").strip()
    if phone and not PHONE_RE.match(phone):
        errors["phone"] = [_("Enter a phone number of digits (spaces, hyphens and a leading + allowed).")]
    if errors:
        raise InvalidInput(errors)
    if store.status != Store.Status.ACTIVE:
        raise DomainError(_("The store is not open for walk-ins."), code="store_inactive")
    band = band_for(store_bands(store.config), party_size)
    if band is None:
        raise InvalidInput({"party_size": [_("No queue of this store takes a party of %(n)s.") % {"n": party_size}]})
    at = at or timezone.now()
    day = timezone.localdate(at)
    with transaction.atomic():
        number = next_daily_value(f"waitlist:{store.pk}:{band.code}", day)
        ahead = WaitlistTicket.objects.filter(
            store=store, business_date=day, band=band.code, status__in=QUEUED, number__lt=number
        ).count()
        ticket = WaitlistTicket.objects.create(
            store=store,
            business_date=day,
            band=band.code,
            number=number,
            party_size=party_size,
            phone=phone,
            quoted_wait_minutes=quote_state(store, at).quote(band, ahead),
            issued_at=at,
            created_by=actor if getattr(actor, "is_authenticated", False) else None,
        )
        audit_record(actor=actor, instance=ticket, event="waitlist.issue", action=CREATE, code=ticket.code)
        events.publish("waitlist.created", store_id=store.pk, data={**ticket_payload(ticket), "ahead": ahead})
    return ticket


def waitlist_ticket_transition(
    *,
    actor,
    ticket: WaitlistTicket,
    status: str,
    table: Table | None = None,
    reason: str = "",
    at: dt.datetime | None = None,
) -> WaitlistTicket:
    """Call (again), seat (optionally at a table of the store), skip or cancel a ticket, as
    `waitlist.workflow.TRANSITIONS` allows; 409 `invalid_transition` with the allowed moves otherwise."""
    if status not in Status.values:
        raise InvalidInput({"status": [_("Unknown status %r.") % status]})
    if table is not None and status != Status.SEATED:
        raise InvalidInput({"table": [_("Only seating takes a table.")]})
    if table is not None and (table.store_id != ticket.store_id or not table.is_active):
        raise InvalidInput({"table": [_("Pick an active table of this store.")]})
    reason = (reason or "").strip()[:255]
    at = at or timezone.now()
    with transaction.atomic():
        current = WaitlistTicket.objects.select_for_update().get(pk=ticket.pk)
        allowed = list(TRANSITIONS[current.status])
        if status not in allowed:
            raise InvalidTransition(
                _("A %(from)s ticket cannot become %(to)s.")
                % {"from": Status(current.status).label, "to": Status(status).label},
                allowed=allowed,
                status=current.status,
            )
        previous = current.status
        current.status = status
        setattr(current, STAMPS[status], at)
        update_fields = ["status", STAMPS[status], "updated_at"]
        if status == Status.CALLED:
            current.call_count += 1
            update_fields.append("call_count")
        if table is not None:
            current.table = table
            update_fields.append("table")
        if reason:
            current.reason = reason
            update_fields.append("reason")
        current.save(update_fields=update_fields)
        audit_record(
            actor=actor,
            instance=current,
            event="waitlist.transition",
            changes={"status": (previous, status)},
            reason=reason,
            table=table.number if table else "",
        )
        events.publish(
            "waitlist.status_changed",
            store_id=current.store_id,
            data={**ticket_payload(current), "from": previous, "to": status},
        )
    for name in update_fields:
        setattr(ticket, name, getattr(current, name))
    return ticket


__all__ = ["ticket_ahead", "ticket_payload", "waitlist_ticket_issue", "waitlist_ticket_transition"]
