"""Reports and exports read from a PostgreSQL read replica when one is configured.

With ``DATABASE_REPLICA_URL`` set, settings add the ``replica`` alias and the views that only
read at length (the report pages and their API, exports) run inside ``read_replica()``: every
ORM read in them goes to the replica, so the primary keeps its capacity for the POS writes of a
dinner peak. Writes always go to the primary, and nothing else reads from the replica: a
service that reads to decide (a KPI computation, a stock check) must see its own writes, and a
streaming replica lags by a fraction of a second to seconds. Without the setting (development,
one machine) ``read_replica()`` changes nothing. docs/scaling.md says how it is deployed.
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from typing import Any

from django.db import connections
from django.template.response import TemplateResponse

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("zhilian_reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in connections.settings


@contextmanager
def read_replica() -> Iterator[None]:
    """ORM reads inside this block go to the replica (when one is configured)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)


def replica_reads(view: Callable[..., Any]) -> Callable[..., Any]:
    """Run a read-only view (function, method or a DRF handler) with its reads on the replica.

    A template response (the admin's pages) is rendered inside the block too, so the queries its
    template runs go to the replica as well. (A DRF Response is left to DRF: its data is built
    by the handler, inside the block.)
    """

    @functools.wraps(view)
    def wrapped(*args: Any, **kwargs: Any) -> Any:
        with read_replica():
            response = view(*args, **kwargs)
            if isinstance(response, TemplateResponse) and not response.is_rendered:
                response.render()
            return response

    return wrapped


class ReplicaRouter:
    """Send reads made inside ``read_replica()`` to the replica; everything else to the primary."""

    def db_for_read(self, model: type, **hints: Any) -> str | None:
        if _reading_from_replica.get() and replica_configured():
            return REPLICA
        return None

    def db_for_write(self, model: type, **hints: Any) -> str | None:
        return "default"

    def allow_relation(self, obj1: Any, obj2: Any, **hints: Any) -> bool:
        # The replica holds the primary's rows: an object read from one may point at the other's.
        return True

    def allow_migrate(self, db: str, app_label: str, **hints: Any) -> bool | None:
        # A streaming replica copies the primary's schema; `migrate` runs on the primary only.
        # (The tests build a stand-in replica database with `migrate --database replica`, which
        # this allows: None leaves the decision to Django.)
        return None
