"""`--reset`: remove the seeded stores with every row that hangs off them, and the demo users."""

from __future__ import annotations

from django.db import transaction
from django.db.models import ProtectedError, Q

from accounts.models import User
from inventory.models import InventoryItem, InventoryTransaction, StockCount, StockCountLine
from kpis.models import KPIRecord
from menu.models import StoreDishOverride
from notifications.models import Notification
from orders.models import Order, OrderItem
from reservations.models import Reservation, ReservationTable
from scheduling.models import Availability, LeaveRequest, OpenShift, Schedule, Shift, ShiftSwapRequest
from stores.models import Employee, Store, Table
from waitlist.models import WaitlistTicket
from zhilian.models import DailySequence
from zhilian.roles import Role
from zhilian.seed import catalog as cat


class SeedError(RuntimeError):
    """The seed cannot proceed; the message says why (the command shows it as an error)."""


def seeded_store_ids() -> list[str]:
    return list(Store.objects.filter(config__has_key="seed").values_list("pk", flat=True))


def reset_demo_data() -> int:
    """Delete the seeded stores and everything that hangs off them, then the demo users.

    Raw deletes in dependency order (leaves first): the ORM collector would load every order
    into memory. Users go through the ORM (few rows; their SET_NULL/CASCADE relations matter).
    """
    deleted = 0
    with transaction.atomic():
        ids = seeded_store_ids()
        users = User.objects.filter(
            Q(store_id__in=ids)
            | Q(
                email__iendswith=f"@{cat.DEMO_EMAIL_DOMAIN}",
                role__in=[Role.ADMIN, Role.AREA_MANAGER, Role.FINANCE],
            )
        )
        user_ids = list(users.values_list("pk", flat=True))

        def raw(qs) -> int:
            return qs._raw_delete(qs.db) or 0

        deleted += raw(Notification.objects.filter(Q(store_id__in=ids) | Q(recipient_id__in=user_ids)))
        deleted += raw(KPIRecord.objects.filter(store_id__in=ids))
        deleted += raw(ReservationTable.objects.filter(reservation__store_id__in=ids))
        deleted += raw(Reservation.objects.filter(store_id__in=ids))
        deleted += raw(WaitlistTicket.objects.filter(store_id__in=ids))
        from attendance.models import BreakPeriod, TimeEntry, Timesheet

        deleted += raw(BreakPeriod.objects.filter(entry__store_id__in=ids))
        deleted += raw(TimeEntry.objects.filter(store_id__in=ids))
        deleted += raw(Timesheet.objects.filter(store_id__in=ids))
        deleted += raw(ShiftSwapRequest.objects.filter(shift__schedule__store_id__in=ids))
        deleted += raw(OpenShift.objects.filter(schedule__store_id__in=ids))
        deleted += raw(Shift.objects.filter(schedule__store_id__in=ids))
        deleted += raw(LeaveRequest.objects.filter(employee__store_id__in=ids))
        deleted += raw(Availability.objects.filter(employee__store_id__in=ids))
        deleted += raw(Schedule.objects.filter(store_id__in=ids))
        ledger = InventoryTransaction.objects.filter(store_id__in=ids)
        # Transfers pair two ledger rows; a pair reaching into a store that stays loses its link only.
        InventoryTransaction.objects.filter(
            Q(store_id__in=ids) | Q(counterpart__store_id__in=ids), counterpart__isnull=False
        ).update(counterpart=None)
        deleted += raw(ledger)
        deleted += raw(StockCountLine.objects.filter(count__store_id__in=ids))
        deleted += raw(StockCount.objects.filter(store_id__in=ids))
        deleted += raw(InventoryItem.objects.filter(store_id__in=ids))
        # The chain menu stays (the seed finds it again); the seeded stores' overrides go.
        deleted += raw(StoreDishOverride.objects.filter(store_id__in=ids))
        deleted += raw(OrderItem.objects.filter(order__store_id__in=ids))
        deleted += raw(Order.objects.filter(store_id__in=ids))
        scopes = [f"{kind}:{sid}" for sid in ids for kind in ("order", "reservation")]
        deleted += raw(DailySequence.objects.filter(scope__in=scopes))
        # The waitlist's counters: one per store, day and band (waitlist:<store>:<band>).
        waitlist_scopes = Q()
        for sid in ids:
            waitlist_scopes |= Q(scope__startswith=f"waitlist:{sid}:")
        if ids:
            deleted += raw(DailySequence.objects.filter(waitlist_scopes))
        Store.objects.filter(pk__in=ids).update(manager=None)
        Employee.objects.filter(store_id__in=ids).update(user=None)
        try:
            count, _ = User.objects.filter(store_id__in=ids).delete()
        except ProtectedError as exc:
            names = sorted({str(obj) for obj in exc.protected_objects})[:5]
            raise SeedError(
                "Cannot reset: users of the seeded stores are referenced by records of other stores "
                f"({', '.join(names)}). Deactivate those stores' links first."
            ) from exc
        deleted += count
        for admin in User.objects.filter(pk__in=user_ids, store__isnull=True):
            try:
                with transaction.atomic():
                    count, _ = admin.delete()
                    deleted += count
            except ProtectedError:
                pass  # the demo admin has history elsewhere (e.g. a ledger row): keep the account
        deleted += raw(Employee.objects.filter(store_id__in=ids))
        deleted += raw(Table.objects.filter(store_id__in=ids))
        deleted += raw(Store.objects.filter(pk__in=ids))
    return deleted
