"""The waitlist ticket workflow: which status may follow which (pure data).

    waiting ──call──▶ called ──call──▶ called (re-call: the guest did not answer yet)
       │                 │
       ├──seat──▶ seated ◀──seat──┤
       ├──cancel─▶ cancelled ◀─cancel─┤
                          called ──skip──▶ skipped

A waiting party may be seated without a call (a table is free as they arrive) and may cancel
(leaves, or cancels from the phone). Only a called party can be skipped (过号: called and not
there). Seated, skipped and cancelled are final: a guest who comes back after being skipped takes
a new number, and the skipped one counts as abandoned in the KPIs. Every status stamps its time
(``issued_at`` at issue; a re-call moves ``called_at`` and counts ``call_count``).
"""

from __future__ import annotations

from waitlist.models import WaitlistTicket

Status = WaitlistTicket.Status

TRANSITIONS: dict[str, tuple[str, ...]] = {
    Status.WAITING: (Status.CALLED, Status.SEATED, Status.CANCELLED),
    Status.CALLED: (Status.CALLED, Status.SEATED, Status.SKIPPED, Status.CANCELLED),
    Status.SEATED: (),
    Status.SKIPPED: (),
    Status.CANCELLED: (),
}
STAMPS: dict[str, str] = {
    Status.CALLED: "called_at",
    Status.SEATED: "seated_at",
    Status.SKIPPED: "skipped_at",
    Status.CANCELLED: "cancelled_at",
}
# Still in the queue (counted as "ahead" of later numbers, shown on the boards).
QUEUED = (Status.WAITING, Status.CALLED)
# Left without being seated (the abandonment KPI).
ABANDONED = (Status.SKIPPED, Status.CANCELLED)
# The API's action names -> the status each moves to.
ACTIONS = {"call": Status.CALLED, "seat": Status.SEATED, "skip": Status.SKIPPED, "cancel": Status.CANCELLED}


def allowed_moves(status: str) -> list[str]:
    return list(TRANSITIONS.get(status, ()))
