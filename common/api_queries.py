"""Querysets the mobile API runs on every request, compiled to SQL once per process.

Building the SQL of a queryset (joins, selected columns, converters) costs more CPU than PostgreSQL spends
answering a one-row token lookup or a 20-row page. A `CompiledQuery` builds its queryset once, with
placeholder values, and afterwards runs the same SQL with the real values: same columns, same converters,
same rows as the queryset would give."""

from __future__ import annotations

import datetime as dt
import functools
import threading
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.db import connections
from django.db.models.query import ValuesIterable, get_related_populators


def _placeholder(kind: type, n: int):
    """A value no request passes, found again in the compiled parameters (in range for integer columns:
    Django compiles an out-of-range integer lookup to no SQL at all)."""
    if kind is int:
        return -1_987_654_000 - n
    if kind is str:
        return f"__compiled_query_parameter_{n}__"
    raise TypeError(f"no placeholder for {kind!r}")


def _cursor(connection):
    """A cursor of `connection` that prepares its statements on PostgreSQL (psycopg 3), else a plain one.

    Django's own cursors bind parameters client side and never prepare (connection poolers in transaction
    mode lose prepared statements; PgBouncer keeps them since 1.21 with max_prepared_statements set): set
    API_PREPARED_STATEMENTS = False behind such a pooler. The cursor goes through Django's wrapper as
    connection.cursor() does (health check, query logging, error translation)."""
    if connection.vendor != "postgresql" or not getattr(settings, "API_PREPARED_STATEMENTS", False):
        return connection.cursor()
    from django.db.backends.postgresql.psycopg_any import is_psycopg3

    if not is_psycopg3:
        return connection.cursor()
    connection.close_if_health_check_failed()
    connection.ensure_connection()
    if connection.connection.prepare_threshold is None:
        # Django turns psycopg's preparing off (None); explicit prepare=True needs a threshold. One never
        # reached keeps every other statement unprepared.
        connection.connection.prepare_threshold = 1 << 30
    with connection.wrap_database_errors:
        cursor = _preparing_cursor_class()(connection.connection)
        if connection.timezone is dt.UTC:
            # Django reads timestamptz with a Python subclass of psycopg's loader (to attach its time zone): the
            # text is parsed in Python, about as costly as the rest of an order page. In a UTC session (Django
            # sets it whenever its time zone is UTC) psycopg's own loader, in C, gives the same aware datetimes.
            cursor.adapters.register_loader("timestamptz", _c_timestamptz_loader())
        return connection._prepare_cursor(cursor)


@functools.cache
def _c_timestamptz_loader():
    from psycopg.types.datetime import TimestamptzLoader

    return TimestamptzLoader  # psycopg registers its C version in its place when psycopg-binary is installed


@functools.cache
def _preparing_cursor_class():
    from django.db.backends.postgresql.base import ServerBindingCursor

    class PreparingCursor(ServerBindingCursor):
        """Server-side binding; every statement prepared (psycopg keeps the last 100 per connection)."""

        def execute(self, query, params=None, *, prepare=None, binary=None):
            return super().execute(query, params, prepare=True, binary=binary)

    return PreparingCursor


@dataclass(frozen=True)
class _Compiled:
    sql: str
    order: list[str]  # the parameter names in the order the SQL takes them
    compiler: object
    converters: dict
    names: list[str] | None  # the keys of a values() row; None for model instances


class CompiledQuery:
    """`build(**placeholders)` returns the queryset; each of `parameters` (name → int or str) is a
    parameter of the SQL.

    `values()` querysets give dicts (as the queryset would), others model instances with their
    select_related objects. `limit`/`offset` are written into the SQL as numbers (as the ORM writes a slice).

    On PostgreSQL the statement is prepared on each connection (settings.API_PREPARED_STATEMENTS): after a
    few runs PostgreSQL reuses its plan instead of planning the joins again on every request."""

    def __init__(self, build: Callable, parameters: dict[str, type], *, using: str = "default"):
        self.build = build
        self.parameters = parameters
        self.using = using
        self._compiled: _Compiled | None = None
        self._lock = threading.Lock()

    def compiled(self) -> _Compiled:
        if self._compiled is None:
            with self._lock:
                if self._compiled is None:
                    self._compiled = self._compile()
        return self._compiled

    def _compile(self) -> _Compiled:
        placeholders = {name: _placeholder(kind, n) for n, (name, kind) in enumerate(self.parameters.items())}
        queryset = self.build(**placeholders)
        compiler = queryset.query.get_compiler(using=self.using)
        sql, params = compiler.as_sql()
        order = []
        for param in params:
            matches = [name for name, p in placeholders.items() if type(param) is type(p) and param == p]
            if len(matches) != 1:
                raise ValueError(f"{self.build!r}: SQL parameter {param!r} is not one of {list(placeholders)}")
            order.append(matches[0])
        if sorted(order) != sorted(placeholders):
            raise ValueError(f"{self.build!r}: SQL parameters {order} do not use each of {list(placeholders)} once")
        fields = [s[0] for s in compiler.select[0:compiler.col_count]]
        query = queryset.query
        names = None
        if issubclass(queryset._iterable_class, ValuesIterable):
            names = [*query.extra_select, *query.values_select, *query.annotation_select]
        return _Compiled(sql, order, compiler, compiler.get_converters(fields), names)

    def _rows(self, compiled: _Compiled, values: dict, limit: int | None, offset: int) -> list:
        params = [values[name] for name in compiled.order]
        sql = compiled.sql
        if limit is not None:
            sql = f"{sql} LIMIT {int(limit)}"
        if offset:
            sql = f"{sql} OFFSET {int(offset)}"
        with _cursor(connections[self.using]) as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        if compiled.converters:
            rows = list(compiled.compiler.apply_converters(rows, compiled.converters))
        return rows

    def dicts(self, *, limit: int | None = None, offset: int = 0, **values) -> list[dict]:
        """The rows of a values() queryset, as dicts keyed like values() keys them."""
        compiled = self.compiled()
        if compiled.names is None:
            raise TypeError("dicts() needs a values() queryset")
        names = compiled.names
        return [dict(zip(names, row, strict=True)) for row in self._rows(compiled, values, limit, offset)]

    def rows(self, *, limit: int | None = None, offset: int = 0, **values) -> list[tuple]:
        """The rows as the database gave them (converted): for `instances_from_rows`, e.g. kept a while."""
        return self._rows(self.compiled(), values, limit, offset)

    def instances(self, *, limit: int | None = None, offset: int = 0, **values) -> list:
        """Model instances (with their select_related objects), as iterating the queryset gives them."""
        return self.instances_from_rows(self.rows(limit=limit, offset=offset, **values))

    def instances_from_rows(self, rows: list[tuple]) -> list:
        """New model instances (with their select_related objects) built from `rows` of this query."""
        if not rows:
            return []
        compiler = self.compiled().compiler
        select, klass_info = compiler.select, compiler.klass_info
        model = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [f[0].target.attname for f in select[start:end]]
        populators = get_related_populators(klass_info, select, self.using)
        objects = []
        for row in rows:
            obj = model.from_db(self.using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            objects.append(obj)
        return objects
