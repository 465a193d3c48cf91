"""Publishing a schedule (frozen, staff notified) and confirming its shifts."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop as N_  # noqa: N812

from accounts.models import User
from notifications.models import Notification
from notifications.services import notification_create
from notifications.texts import message
from scheduling.models import Schedule, Shift
from zhilian import events, roles
from zhilian.audit import audit_record
from zhilian.errors import Forbidden, InvalidTransition, NotFound
from zhilian.models import in_store_scope


@transaction.atomic
def schedule_publish(*, schedule: Schedule, user: User) -> Schedule:
    """Freeze the schedule, stamp who published it, notify its staff and the store's live feed."""
    schedule = Schedule.objects.select_for_update().get(pk=schedule.pk)
    if schedule.is_published:
        raise InvalidTransition(_("The schedule is already published."), code="already_published", allowed=[])
    schedule.is_published = True
    schedule.published_by = user
    schedule.published_at = timezone.now()
    schedule.save(update_fields=["is_published", "published_by", "published_at", "updated_at"])
    audit_record(actor=user, instance=schedule, event="schedule.publish", changes={"is_published": (False, True)})

    shift_count = schedule.shifts.count()
    recipients = list(
        User.objects.filter(employee__shifts__schedule=schedule, is_active=True).distinct().order_by("pk")
    )
    events.publish(
        "schedule.published",
        store_id=schedule.store_id,
        data={
            "id": str(schedule.pk),
            "date": schedule.schedule_date.isoformat(),
            "shifts": shift_count,
            "published_by": str(user.pk),
        },
    )
    notification_create(
        recipients=recipients,
        kind=Notification.Kind.SCHEDULE_PUBLISHED,
        # Worded in each reader's language when read (notifications.texts).
        title=message(N_("Schedule published for %(date)s"), date=f"{schedule.schedule_date:%Y-%m-%d}"),
        body=message(N_("Your shifts are published; please confirm them.")),
        store_id=schedule.store_id,
        data={"schedule": str(schedule.pk), "date": schedule.schedule_date.isoformat()},
    )
    return schedule


@transaction.atomic
def shift_confirm(*, shift: Shift, user: User) -> Shift:
    """The employee (or their manager) confirms a shift of a published schedule."""
    shift = Shift.objects.select_for_update(of=("self",)).select_related("schedule", "employee").get(pk=shift.pk)
    if not in_store_scope(user, shift.schedule.store_id):
        raise NotFound(_("No such shift."))
    if not roles.can_on_object(user, "confirm", shift):
        raise Forbidden(_("You can confirm only your own shifts."))
    if not shift.schedule.is_published:
        raise InvalidTransition(
            _("Shifts are confirmed once the schedule is published."), code="not_published", allowed=[]
        )
    if shift.is_confirmed:
        raise InvalidTransition(_("The shift is already confirmed."), code="already_confirmed", allowed=[])
    shift.is_confirmed = True
    shift.confirmed_at = timezone.now()
    shift.save(update_fields=["is_confirmed", "confirmed_at", "updated_at"])
    audit_record(actor=user, instance=shift, event="shift.confirm", changes={"is_confirmed": (False, True)})
    return shift
