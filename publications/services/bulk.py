"""Inserting thousands of rows in a few statements, without Django's preparation of each value."""

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cache

from django.db import DEFAULT_DB_ALIAS, connections, models

BATCH_SIZE = 500

# Field classes whose value of the given type is stored as it is: Django's preparation of it
# (pre_save, get_db_prep_save, get_prep_value, to_python) hands it back unchanged.
_STORED_AS_IS = {
    models.CharField: str,
    models.TextField: str,
    models.IntegerField: int,
    models.BooleanField: bool,
}
_PREPARATION = ("pre_save", "get_db_prep_save", "get_db_prep_value", "get_prep_value", "to_python")


def insert_objects(objs: Sequence[models.Model], *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Insert new instances of one model as ``bulk_create`` does, primary keys read back, but
    with each value prepared only when its field would change it: for the rows of an import,
    Django's preparation took longer than the database's insert.

    A model whose insert needs more than plain values (a database default, a placeholder of
    its own) goes through ``bulk_create``.
    """
    if not objs:
        return
    connection = connections[using]
    plan = _plan(type(objs[0]), connection.alias)
    if plan is None:
        type(objs[0])._base_manager.using(using).bulk_create(objs, batch_size=BATCH_SIZE)
        return
    for obj in objs:
        # As bulk_create: a foreign key set from an object saved since takes its key (and an
        # unsaved one is refused). Only a key still missing needs it.
        if any(getattr(obj, attname) is None for attname in plan.foreign_keys):
            obj._prepare_related_fields_for_save(operation_name="bulk_create")
    size = _batch_size(connection, plan.fields, objs)
    with connection.cursor() as cursor:
        for start in range(0, len(objs), size):
            batch = objs[start : start + size]
            _execute(cursor, plan.statement, plan.values(batch, connection))
            returned = connection.ops.fetch_returned_insert_rows(cursor)
            for obj, (pk,) in zip(batch, returned, strict=True):
                obj.pk = pk
                obj._state.adding = False
                obj._state.db = using


def insert_rows(
    model: type[models.Model],
    names: Sequence[str],
    rows: Sequence[Sequence],
    *,
    using: str = DEFAULT_DB_ALIAS,
) -> None:
    """Insert rows of values ready for the database, in the order of the fields ``names``,
    without reading their keys back."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        _copy(connection, model, names, rows)
        return
    statement = _statement(connection.alias, model, tuple(names), returning=False)
    size = _batch_size(connection, statement.fields, rows)
    with connection.cursor() as cursor:
        for start in range(0, len(rows), size):
            _execute(cursor, statement, rows[start : start + size])


def _copy(connection, model: type[models.Model], names: Sequence[str], rows) -> None:
    """PostgreSQL's COPY: the driver escapes a long text full of quotes (serialized data) in
    a fraction of the time it takes to put it in an INSERT."""
    quote = connection.ops.quote_name
    opts = model._meta
    columns = ", ".join(quote(opts.get_field(name).column) for name in names)
    sql = f"COPY {quote(opts.db_table)} ({columns}) FROM STDIN"
    with (
        connection.cursor() as cursor,
        connection.wrap_database_errors,
        cursor.copy(sql) as copy,
    ):
        for row in rows:
            copy.write_row(row)


@dataclass(frozen=True)
class _Statement:
    """An INSERT of some fields of a model, as SQL for a number of rows."""

    fields: tuple[models.Field, ...]
    head: str
    # PostgreSQL: one array a column, whatever the number of rows, so that the text is short
    # and the driver need not parse thousands of placeholders (as bulk_create does there).
    unnest: bool
    tail: str

    def sql(self, row_count: int) -> str:
        if self.unnest:
            return self.head + self.tail
        row = f"({', '.join(['%s'] * len(self.fields))})"
        return f"{self.head}{', '.join([row] * row_count)}{self.tail}"

    def params(self, rows: Sequence[Sequence]) -> list:
        if self.unnest:
            return [list(column) for column in zip(*rows, strict=True)]
        return [value for row in rows for value in row]


def _execute(cursor, statement: _Statement, rows: Sequence[Sequence]) -> None:
    cursor.execute(statement.sql(len(rows)), statement.params(rows))


def _batch_size(connection, fields: Sequence[models.Field], rows: Sequence) -> int:
    # As many rows a statement as the database takes parameters (999 on SQLite).
    return max(1, min(BATCH_SIZE, connection.ops.bulk_batch_size(list(fields), rows)))


@cache
def _statement(
    alias: str, model: type[models.Model], names: tuple[str, ...], *, returning: bool
) -> _Statement:
    connection = connections[alias]
    quote = connection.ops.quote_name
    opts = model._meta
    fields = tuple(opts.get_field(name) for name in names)
    columns = ", ".join(quote(field.column) for field in fields)
    types = [field.db_type(connection) or "" for field in fields]
    unnest = connection.vendor == "postgresql" and not any("[" in kind for kind in types)
    if unnest:
        # Without a length: varchar(50)[] would cut longer values rather than refuse them.
        casts = ", ".join(f"(%s)::{kind.split('(')[0]}[]" for kind in types)
        # Only the fields' own types; the values are parameters.
        rows = f"SELECT * FROM UNNEST({casts})"  # noqa: S608
    else:
        rows = "VALUES "
    head = f"INSERT INTO {quote(opts.db_table)} ({columns}) {rows}"
    tail = f" {connection.ops.return_insert_columns([opts.pk])[0]}" if returning else ""
    return _Statement(fields, head, unnest, tail)


@dataclass(frozen=True)
class _Plan:
    """How to insert a model's new rows: the fields written, each with the attribute it is
    read from and the type of value stored as it is (None: always prepared by the field)."""

    fields: tuple[models.Field, ...]
    as_is: tuple[tuple[str, type | None], ...]
    foreign_keys: tuple[str, ...]
    statement: _Statement

    def values(self, objs: Sequence[models.Model], connection) -> list[list]:
        rows = []
        for obj in objs:
            row = []
            for field, (attname, kind) in zip(self.fields, self.as_is, strict=True):
                value = getattr(obj, attname)
                if kind is None or (value is not None and type(value) is not kind):
                    value = field.get_db_prep_save(field.pre_save(obj, True), connection)
                row.append(value)
            rows.append(row)
        return rows


@cache
def _plan(model: type[models.Model], alias: str) -> _Plan | None:
    opts = model._meta
    fields = tuple(f for f in opts.concrete_fields if not f.generated and f is not opts.pk)
    if not (
        connections[alias].features.can_return_rows_from_bulk_insert
        and opts.db_returning_fields == [opts.pk]
        and not any(f.has_db_default() or hasattr(f, "get_placeholder") for f in fields)
    ):
        return None
    statement = _statement(alias, model, tuple(f.name for f in fields), returning=True)
    return _Plan(
        fields,
        tuple((f.attname, _stored_as_is(f)) for f in fields),
        tuple(f.attname for f in fields if f.is_relation),
        statement,
    )


def _stored_as_is(field: models.Field) -> type | None:
    """The type of value ``field`` stores unchanged, if any."""
    if field.is_relation:
        return int if isinstance(field.target_field, models.IntegerField) else None
    kind = type(field)
    base = next((cls for cls in kind.__mro__ if cls in _STORED_AS_IS), None)
    if base is None or any(getattr(kind, name) is not getattr(base, name) for name in _PREPARATION):
        return None
    return _STORED_AS_IS[base]
