"""Write generated rows: PostgreSQL COPY for the big tables, bulk_create everywhere else.

Rows are dicts keyed by field attnames; a missing key takes the field's default. bulk_create
never calls save(), so every derived field (totals, bounds, statuses) is set by the builders.
"""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import contextmanager
from operator import itemgetter

import orjson
from django.db import connection, models
from django.utils import timezone

BATCH_SIZE = 2000
_EMPTY_JSON = {dict: "{}", list: "[]"}
_JSON_OPTIONS = orjson.OPT_NON_STR_KEYS
TIMESTAMPS = ("created_at", "updated_at")


@contextmanager
def historical_timestamps(model: type[models.Model], rows: list[dict]):
    """Let bulk_create keep the created_at/updated_at the generator gave (a 60-day-old order was
    created 60 days ago), instead of auto_now(_add) stamping the seed's own run time."""
    fields = [f for f in model._meta.concrete_fields if f.attname in TIMESTAMPS and rows and f.attname in rows[0]]
    saved = [(f, f.auto_now, f.auto_now_add) for f in fields]
    for f in fields:
        f.auto_now = f.auto_now_add = False
    try:
        yield
    finally:
        for f, auto_now, auto_now_add in saved:
            f.auto_now, f.auto_now_add = auto_now, auto_now_add


class Writer:
    def __init__(self, *, use_copy: bool | None = None):
        if use_copy is None:
            use_copy = connection.vendor == "postgresql"
        self.use_copy = use_copy
        self.counts: dict[str, int] = {}

    def _count(self, model: type[models.Model], n: int) -> None:
        label = model._meta.label
        self.counts[label] = self.counts.get(label, 0) + n

    def bulk(self, model: type[models.Model], rows: Iterable[dict]) -> int:
        rows = list(rows)
        objs = [model(**row) for row in rows]
        with historical_timestamps(model, rows):
            model.objects.bulk_create(objs, batch_size=BATCH_SIZE)
        self._count(model, len(objs))
        return len(objs)

    def big(self, model: type[models.Model], rows: list[dict]) -> int:
        """The path for large tables: COPY on PostgreSQL, executemany of prepared rows elsewhere."""
        if not rows:
            return 0
        if not self.use_copy:
            return self.insert_many(model, rows)
        return self.copy(model, rows)

    def insert_many(self, model: type[models.Model], rows: list[dict]) -> int:
        """bulk_create without building model instances: each value goes through the field's own
        get_db_prep_save (the same conversion bulk_create applies), then one executemany per batch."""
        now = timezone.now()
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in rows[0])]
        plan = []
        for f in fields:
            if f.attname in rows[0]:
                plan.append((f.attname, f.get_db_prep_save, None))
            elif f.attname in TIMESTAMPS:
                plan.append((None, None, f.get_db_prep_save(now, connection)))
            elif f.has_default():
                default = f.get_default()
                plan.append((None, None, f.get_db_prep_save(default, connection)))
            elif f.null:
                plan.append((None, None, None))
            else:
                raise ValueError(f"{model._meta.label}: no value for {f.attname}")
        columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
        table = connection.ops.quote_name(model._meta.db_table)
        sql = f"INSERT INTO {table} ({columns}) VALUES ({', '.join(['%s'] * len(fields))})"
        with connection.cursor() as cursor:
            for start in range(0, len(rows), 5000):
                params = [
                    [prep(row[attname], connection) if attname is not None else fixed for attname, prep, fixed in plan]
                    for row in rows[start : start + 5000]
                ]
                cursor.executemany(sql, params)
        self._count(model, len(rows))
        return len(rows)

    def copy(self, model: type[models.Model], rows: list[dict]) -> int:
        now = timezone.now()
        first = rows[0]
        fields = [f for f in model._meta.concrete_fields if not (f.primary_key and f.attname not in first)]
        # Columns the rows carry come first, in one itemgetter; the others take a constant (the
        # field's default or the load's timestamp). COPY names its columns, so the order is free.
        carried = [f for f in fields if f.attname in first]
        constant = [f for f in fields if f.attname not in first]
        tail = []
        for f in constant:
            if f.attname in TIMESTAMPS:
                value = now
            elif f.has_default():
                value = f.get_default()
            elif f.null:
                value = None
            else:
                raise ValueError(f"{model._meta.label}: no value for {f.attname}")
            tail.append(_json_text(value) if isinstance(f, models.JSONField) else value)
        json_positions = [i for i, f in enumerate(carried) if isinstance(f, models.JSONField)]
        names = [f.attname for f in carried]
        pick = itemgetter(*names) if len(names) > 1 else (lambda row: (row[names[0]],))
        columns = ", ".join(connection.ops.quote_name(f.column) for f in carried + constant)
        table = connection.ops.quote_name(model._meta.db_table)
        connection.ensure_connection()
        with connection.cursor() as cursor:
            raw = cursor.cursor  # the psycopg cursor: same connection, same transaction
            with raw.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                write = copy.write_row
                for row in rows:
                    try:
                        values = [*pick(row), *tail]
                    except KeyError as exc:
                        raise ValueError(f"{model._meta.label}: a row lacks {exc.args[0]!r}") from None
                    for i in json_positions:
                        values[i] = _json_text(values[i])
                    write(values)
        self._count(model, len(rows))
        return len(rows)


def _json_text(value) -> str | None:
    if value is None:
        return None
    if not value:
        empty = _EMPTY_JSON.get(type(value))
        if empty is not None:
            return empty  # most rows carry {} or []: no encoder call for those (millions of rows)
    return orjson.dumps(value, option=_JSON_OPTIONS).decode()
