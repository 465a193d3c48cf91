import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from reservations import services
from stores.models import Table
from stores.tests.factories import TableFactory
from zhilian import events

LUNCH_AND_DINNER = [["10:30", "14:00"], ["17:00", "22:00"]]


def future_weekday(weekday: int, weeks: int = 2) -> dt.date:
    """A date some weeks ahead on the given weekday (0 = Monday): never in the past."""
    day = timezone.localdate() + dt.timedelta(weeks=weeks)
    return day + dt.timedelta(days=(weekday - day.weekday()) % 7)


@pytest.fixture
def day() -> dt.date:
    return future_weekday(2)  # a Wednesday


@pytest.fixture
def floor(store):
    """STORE001 open 10:30–14:00 and 17:00–22:00 every day but Monday, with a mixed floor."""
    store.business_hours = {d: LUNCH_AND_DINNER for d in ("tue", "wed", "thu", "fri", "sat", "sun")}
    store.save(update_fields=["business_hours"])

    def table(number, capacity, kind=Table.Kind.HALL, room_name="", is_active=True):
        return TableFactory(
            store=store, number=number, capacity=capacity, kind=kind, room_name=room_name, is_active=is_active
        )

    return SimpleNamespace(
        store=store,
        A1=table("A1", 2),
        A2=table("A2", 2),
        A3=table("A3", 4),
        A4=table("A4", 4),
        A5=table("A5", 6),
        A9=table("A9", 8, is_active=False),
        P1=table("P1", 10, Table.Kind.PRIVATE_ROOM, "Peony"),
        P2=table("P2", 8, Table.Kind.PRIVATE_ROOM, "Orchid"),
        B1=table("B1", 12, Table.Kind.BANQUET_HALL, "Grand Hall"),
    )


@pytest.fixture
def book(day):
    """reservation_create with sensible defaults (tomorrow-ish, 18:00, two hours, a party of 2)."""

    def make(store, tables=None, **fields):
        values = {
            "customer_name": "Li Wei",
            "customer_phone": "13800000000",
            "reservation_date": day,
            "reservation_time": dt.time(18, 0),
            "duration_minutes": 120,
            "party_size": 2,
            **fields,
        }
        return services.reservation_create(store=store, tables=tables, **values)

    return make


@pytest.fixture
def sent(monkeypatch):
    """Events that actually went out (after commit), as (groups, event) pairs."""
    out = []
    monkeypatch.setattr(events, "_send", lambda groups, event: out.append((groups, event)))
    return out


def numbers(tables) -> list[str]:
    return [t.number for t in tables]
