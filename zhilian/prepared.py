"""Hot reads compiled once: a values() query turned into SQL at its first use, then run with new
parameter values.

Django compiles a queryset to SQL on every evaluation. For an order detail that was about a third
of the request's Python time (bench/NOTES.md); SQLAlchemy caches compiled statements, and
`PreparedValues` does the same for the few reads that every POS poll runs. Its query is built
once per database and shape (which parameters are given, and the length of each list) with marker
values; each call puts its own values where the markers were. The SQL text is then the same on
every call, so on PostgreSQL psycopg prepares it like any repeated statement (settings:
DB_PREPARE_THRESHOLD) and it is planned once per pooled connection.

Parameters are strings (the IDs of orders and stores): a marker must pass through the field's
preparation unchanged, which compiling checks.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connections
from django.db.models import QuerySet

Value = str | Sequence[str]


@dataclass(frozen=True)
class _Compiled:
    sql: str
    # One per SQL parameter: (name, index) of the caller's value (index None for a single value),
    # or (None, None) with the compiled constant in `constants`.
    slots: tuple[tuple[str | None, int | None], ...]
    constants: tuple[Any, ...]
    names: tuple[str, ...]
    converters: tuple[tuple[int, tuple[Callable, ...], Any], ...]


class PreparedValues:
    """``PreparedValues(lambda order, store=None: <values() queryset>)``; called with the same
    keyword arguments it returns the rows as dicts, like iterating the values() queryset."""

    def __init__(self, build: Callable[..., QuerySet]) -> None:
        self._build = build
        self._compiled: dict[tuple, _Compiled] = {}

    def __call__(self, *, using: str = "default", **values: Value) -> list[dict[str, Any]]:
        shape = (using, *sorted((name, _length(value)) for name, value in values.items()))
        compiled = self._compiled.get(shape)
        if compiled is None:  # two threads may both compile it once: harmless
            compiled = self._compiled[shape] = self._compile(using, values)
        params = [
            compiled.constants[position] if name is None else values[name] if index is None else values[name][index]
            for position, (name, index) in enumerate(compiled.slots)
        ]
        connection = connections[using]
        with connection.cursor() as cursor:
            cursor.execute(compiled.sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = [_convert(row, compiled.converters, connection) for row in rows]
        return [dict(zip(compiled.names, row, strict=True)) for row in rows]

    def _compile(self, using: str, values: dict[str, Value]) -> _Compiled:
        markers: dict[str, Any] = {}
        where: dict[str, tuple[str, int | None]] = {}
        for name, value in values.items():
            if isinstance(value, str):
                markers[name] = f"\x00{name}"
                where[markers[name]] = (name, None)
            else:
                markers[name] = [f"\x00{name}:{i}" for i in range(len(value))]
                where.update({marker: (name, i) for i, marker in enumerate(markers[name])})
        queryset = self._build(**markers)
        compiler = queryset.query.get_compiler(using=using)
        sql, params = compiler.as_sql()
        slots = tuple(where.get(param, (None, None)) if isinstance(param, str) else (None, None) for param in params)
        if len({slot for slot in slots if slot[0] is not None}) != len(where):
            raise ImproperlyConfigured(f"{self._build!r}: a parameter did not reach the SQL unchanged")
        query = queryset.query
        fields = [column for column, _, _ in compiler.select[: compiler.col_count]]
        converters = compiler.get_converters(fields)
        return _Compiled(
            sql=sql,
            slots=slots,
            constants=tuple(params),
            names=(*query.extra_select, *query.values_select, *query.annotation_select),
            converters=tuple((position, tuple(functions), expr) for position, (functions, expr) in converters.items()),
        )


def _length(value: Value) -> int:
    return -1 if isinstance(value, str) else len(value)


def _convert(row: tuple, converters, connection) -> list:
    row = list(row)
    for position, functions, expression in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row
