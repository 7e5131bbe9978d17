"""Bulk inserts through PostgreSQL COPY, for the hot paths that write thousands of rows per transaction.

`bulk_create` prepares every value of every row through the field's get_db_prep_save and, on Django 5.2,
ships each column as an array (UNNEST): on a 100,000-order pull that is most of the CPU time. COPY takes
the rows as they are and psycopg adapts the plain Python values (str, int, Decimal, datetime, bool, None)
in C. Primary keys are drawn from the table's sequence first (one query), so the objects come back with
`pk` set, as with bulk_create. Elsewhere (the SQLite demo) it is plain bulk_create.
"""

from collections.abc import Callable, Sequence
from typing import Any

from django.db import connection, models
from django.utils import timezone
from psycopg.types.json import Jsonb

# Field classes whose attribute value can go to COPY as it is (exact classes: a subclass may prepare its
# value, as the encrypted fields do, and goes through the field).
_PLAIN_FIELDS = frozenset({
    models.AutoField, models.BigAutoField, models.SmallAutoField, models.BooleanField, models.CharField,
    models.EmailField, models.SlugField, models.URLField, models.TextField, models.IntegerField,
    models.BigIntegerField, models.SmallIntegerField, models.PositiveIntegerField,
    models.PositiveSmallIntegerField, models.PositiveBigIntegerField, models.DecimalField,
    models.DateTimeField, models.DateField, models.ForeignKey, models.OneToOneField, models.UUIDField,
})


def _converter(field: models.Field) -> Callable[[Any], Any] | None:
    if type(field) in _PLAIN_FIELDS:
        return None
    if type(field) is models.JSONField:
        return lambda value: None if value is None else Jsonb(value)
    return lambda value: field.get_db_prep_save(value, connection)


_BUILD_SPECS: dict[type, list[tuple[str, str, bool, Callable[[], Any]]]] = {}


def _build_spec(model: type[models.Model]) -> list[tuple[str, str, bool, Callable[[], Any]]]:
    spec = _BUILD_SPECS.get(model)
    if spec is None:
        spec = [(f.name, f.attname, f.is_relation, f.get_default) for f in model._meta.concrete_fields]
        _BUILD_SPECS[model] = spec
    return spec


def build(model: type[models.Model], **values) -> models.Model:
    """model(**values), several times cheaper for rows built by the thousand: the values are laid out in
    field order and passed positionally (the path Django takes for rows read from the database). Keys are
    field names or attnames; a related object given by name is stored by its key (not cached)."""
    args = []
    used = 0
    for name, attname, is_relation, get_default in _build_spec(model):
        if attname in values:
            value = values[attname]
            used += 1
        elif name in values:
            value = values[name]
            used += 1
            if is_relation and value is not None:
                value = value.pk
        else:
            value = get_default()
        args.append(value)
    if used != len(values):
        known = {n for spec in _build_spec(model) for n in spec[:2]}
        raise TypeError(f"{model.__name__} has no field(s) {sorted(set(values) - known)}")
    return model(*args)


_SEQUENCES: dict[tuple[str, str], str] = {}


def key_sequence(cursor, model: type[models.Model]) -> str:
    """The name of the sequence behind `model`'s primary key, looked up once per process (resolving it
    inside the nextval() call would redo the catalogue look-up for every key drawn)."""
    key = (connection.alias, model._meta.db_table)
    name = _SEQUENCES.get(key)
    if name is None:
        cursor.execute("SELECT pg_get_serial_sequence(%s, %s)", [model._meta.db_table, model._meta.pk.column])
        name = _SEQUENCES[key] = cursor.fetchone()[0]
    return name


def draw_keys(cursor, model: type[models.Model], count: int) -> list[int]:
    """`count` new primary keys for `model`, drawn from its sequence in one query (PostgreSQL)."""
    if count <= 0:
        return []
    cursor.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [key_sequence(cursor, model), count])
    return [pk for (pk,) in cursor.fetchall()]


def bulk_insert(objs: Sequence[models.Model], *, set_pks: bool = True) -> None:
    """Insert unsaved instances of one model; sets their pk (like bulk_create) unless `set_pks` is False:
    rows nobody refers to afterwards (events, movements, lines) then take their keys from the column's
    default inside COPY, without the round trip that draws them first."""
    if not objs:
        return
    model = type(objs[0])
    if connection.vendor != "postgresql":
        model.objects.bulk_create(objs, batch_size=500)
        return
    meta = model._meta
    pk_attname = meta.pk.attname
    if not set_pks and any(getattr(obj, pk_attname) is not None for obj in objs):
        raise ValueError("set_pks=False is for new rows only: these already have keys")
    fields = [f for f in meta.concrete_fields if not f.generated and (set_pks or f.attname != pk_attname)]
    now = timezone.now()
    # What pre_save(add=True) does in bulk_create: auto_now and auto_now_add columns get "now".
    stamped = [f.attname for f in fields
               if isinstance(f, models.DateTimeField) and (f.auto_now or f.auto_now_add)]
    converters = [(f.attname, _converter(f)) for f in fields]
    table = connection.ops.quote_name(meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    with connection.cursor() as cursor:
        missing = [obj for obj in objs if getattr(obj, pk_attname) is None] if set_pks else []
        if missing:
            for obj, pk in zip(missing, draw_keys(cursor, model, len(missing)), strict=True):
                setattr(obj, pk_attname, pk)
        with cursor.cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
            for obj in objs:
                row = obj.__dict__
                for attname in stamped:
                    row[attname] = now
                copy.write_row([row[attname] if convert is None else convert(row[attname])
                                for attname, convert in converters])
    if set_pks:
        for obj in objs:
            obj._state.adding = False
            obj._state.db = connection.alias


def _stamped(field: models.Field) -> bool:
    """A timestamp the row gets at insert: auto_now / auto_now_add, or default=timezone.now."""
    return isinstance(field, models.DateTimeField) and (
        field.auto_now or field.auto_now_add or field.default is timezone.now)


_NOW = object()  # in a row spec: the insert's timestamp
_ROW_SPECS: dict[tuple[type, tuple[str, ...]], list[tuple[str, Any]]] = {}


def _row_spec(model: type[models.Model], columns: tuple[str, ...]):
    """Every concrete column not in `columns` (attnames) but the key, with how it is filled: _NOW, or a
    constant default (prepared once)."""
    spec = _ROW_SPECS.get((model, columns))
    if spec is None:
        by_attname = {f.attname: f for f in model._meta.concrete_fields}
        unknown = [c for c in columns if c not in by_attname]
        if unknown:
            raise TypeError(f"{model.__name__} has no column(s) {unknown}")
        given = [by_attname[c] for c in columns]
        for field in given:
            if _converter(field) is not None:
                raise TypeError(f"{model.__name__}.{field.name} needs preparing: use bulk_insert")
        rest = []
        for field in model._meta.concrete_fields:
            if field.attname in columns or field.primary_key or field.generated:
                continue
            if _stamped(field):
                rest.append((field.attname, _NOW))
            elif field.has_default() and callable(field.default):
                raise TypeError(f"{model.__name__}.{field.name} has a per-row default: give it a value")
            else:
                value = field.get_default() if field.has_default() else None
                if value is None and not field.null and not field.empty_strings_allowed:
                    raise TypeError(f"{model.__name__}.{field.name} is NOT NULL without a default: give it")
                if value is None and not field.null:
                    value = ""
                convert = _converter(field)
                rest.append((field.attname, value if convert is None else convert(value)))
        spec = _ROW_SPECS[(model, columns)] = rest
    return spec


def insert_rows(model: type[models.Model], columns: Sequence[str], rows: Sequence[Sequence[Any]], *,
                keys: bool | Sequence[int] = False) -> list[int]:
    """Insert plain value rows (`columns` are attnames, values already what the column holds: str, int,
    Decimal, datetime, bool, None) without building model instances, the cheapest way to write rows by the
    thousand. The other columns get their constant defaults, timestamps "now" and the key its sequence.
    With `keys` True, the new rows' primary keys are returned in row order (drawn first, in one query);
    `keys` may also be the keys themselves, drawn before (e.g. orders.sync._customers_and_keys; PostgreSQL only).
    PostgreSQL: COPY; elsewhere (the SQLite demo): bulk_create."""
    if not rows:
        return []
    columns = tuple(columns)
    rest = _row_spec(model, columns)
    now = timezone.now()
    tail = tuple(now if value is _NOW else value for _attname, value in rest)
    names = [*columns, *(attname for attname, _value in rest)]
    if connection.vendor != "postgresql":
        if keys not in (True, False):
            raise ValueError("keys drawn beforehand are for PostgreSQL only")
        objs = [model(**dict(zip(names, (*row, *tail), strict=True))) for row in rows]
        model.objects.bulk_create(objs, batch_size=500)
        return [obj.pk for obj in objs] if keys else []
    meta = model._meta
    quote = connection.ops.quote_name
    by_attname = {f.attname: f for f in meta.concrete_fields}
    with connection.cursor() as cursor:
        if keys is True:
            drawn = draw_keys(cursor, model, len(rows))
        else:
            drawn = list(keys or ())
            if keys and len(drawn) != len(rows):
                raise ValueError(f"{len(drawn)} keys for {len(rows)} rows")
        column_list = ", ".join(quote(by_attname[n].column) for n in ([meta.pk.attname] if drawn else []) + names)
        with cursor.cursor.copy(f"COPY {quote(meta.db_table)} ({column_list}) FROM STDIN") as copy:
            write = copy.write_row
            if drawn:
                for pk, row in zip(drawn, rows, strict=True):
                    write((pk, *row, *tail))
            else:
                for row in rows:
                    write((*row, *tail))
    return drawn
