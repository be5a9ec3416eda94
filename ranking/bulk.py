"""Inserting many rows, and their history, without the ORM's per-value preparation.

`Model.objects.bulk_create` prepares every value through its field (`get_db_prep_save`),
which for 150,000 scores and as many history rows costs far more than the database's own
work. The importer's rows are already validated Python values the database drivers adapt
themselves (numbers, Decimals, text, booleans, None), so they are sent as they are: with
PostgreSQL's COPY, as multi-row `INSERT … RETURNING` statements on
SQLite. Fields of other types still go through their field's preparation. Any other
database (or driver) falls back to Django's `bulk_create`, with the same result.

History rows are what django-simple-history's `bulk_create_with_history` writes: one "+"
row per object, with the same date, user and change reason; the database copies them from
the rows just inserted (`INSERT … SELECT`), so their values are not sent twice.
"""

from __future__ import annotations

import gc
import io
import json
import operator
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from decimal import Decimal

from django.db import connection, models
from django.utils import timezone
from simple_history.utils import bulk_create_with_history

from ranking.text import CleanTextMixin

# Values of these fields reach the database as Python gives them; every driver adapts them.
PLAIN_FIELDS = (
    models.BooleanField,
    models.CharField,
    models.DecimalField,
    models.ForeignKey,
    models.IntegerField,
    models.TextField,
)
COPY_PAGE = 20_000


@contextmanager
def collector_paused() -> Iterator[None]:
    """Pause Python's cyclic garbage collector for the length of a bulk job.

    A bulk job builds hundreds of thousands of objects that live until it ends (rows,
    instances, row results, cells); the collector would walk them again and again — a
    third of an import of 150,000 scores was spent there — though they hold no reference
    cycles and reference counting frees them. Usable as a decorator.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def supported() -> bool:
    if connection.vendor == "postgresql":
        return connection.Database.__name__ == "psycopg2"
    return connection.vendor == "sqlite" and connection.features.can_return_rows_from_bulk_insert


def as_it_is(value):
    return value


def preparer(field: models.Field) -> Callable:
    if isinstance(field, CleanTextMixin):
        # Text is stored as the field stores it (`clean_text`): a search of each text.
        return field.to_python
    if isinstance(field, PLAIN_FIELDS) and not isinstance(field, models.AutoField):
        return as_it_is
    if isinstance(field, models.JSONField):
        # As text: what COPY reads into jsonb, and what SQLite stores.
        return lambda value: None if value is None else json.dumps(value, cls=field.encoder)
    return lambda value: field.get_db_prep_save(value, connection)


def copy_text(value) -> str:
    """A value in COPY's text format: \\N for NULL, t/f, and the escapes of backslash and controls."""
    if value is None:
        return "\\N"
    if value is True:
        return "t"
    if value is False:
        return "f"
    if isinstance(value, str):
        return value.translate(COPY_ESCAPES)
    return str(value)


COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t"})


# Values whose text `copy_text` gives by equality alone: a column of only these is written
# once per distinct value (no bool with a number: True == 1).
BY_EQUALITY = {str, bool, type(None)}


# Values `copy_text` writes as `str` does.
AS_STR = {int, Decimal}


def column_texts(values: Sequence) -> list[str]:
    """`copy_text` of each value of one column: once per distinct value where that is the same."""
    kinds = set(map(type, values))
    if kinds <= BY_EQUALITY:
        texts = {value: copy_text(value) for value in set(values)}
        return list(map(texts.__getitem__, values))
    if kinds <= AS_STR:
        return list(map(str, values))
    return list(map(copy_text, values))


def copy(cursor, table: str, columns: str, rows: list[Sequence]) -> None:
    """PostgreSQL's COPY FROM STDIN of `rows`, sent in pages to bound the memory."""
    for start in range(0, len(rows), COPY_PAGE):
        page = rows[start : start + COPY_PAGE]
        # Column by column: most of a row's columns hold one value or a few (empty texts, flags).
        lines = zip(*map(column_texts, zip(*page, strict=True)), strict=True)
        text = "\n".join(map("\t".join, lines)) + "\n"
        cursor.copy_expert(f"COPY {table} ({columns}) FROM STDIN", io.StringIO(text))


def insert(
    model: type[models.Model], fields: Sequence[models.Field], rows: list[Sequence], *, keys: bool = True
) -> list:
    """INSERT `rows` (sequences of Python values, in `fields` order); returns the new primary keys
    (none without `keys`: the database numbers the rows itself, unread)."""
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(f.column) for f in fields)
    pk = connection.ops.quote_name(model._meta.pk.column)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql" and not keys:
            copy(cursor.cursor, table, columns, rows)
            return []
        if connection.vendor == "postgresql":
            # Take the keys from the table's sequence first, then COPY the rows with them.
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [model._meta.db_table, model._meta.pk.column, len(rows)],
            )
            ids = [row[0] for row in cursor.fetchall()]
            copy(
                cursor.cursor,
                table,
                f"{pk}, {columns}",
                [(key, *row) for key, row in zip(ids, rows, strict=True)],
            )
            return ids
        ids = []
        placeholders = "(" + ", ".join(["%s"] * len(fields)) + ")"
        per_statement = max(1, connection.features.max_query_params // len(fields))
        for start in range(0, len(rows), per_statement):
            batch = rows[start : start + per_statement]
            values = ", ".join([placeholders] * len(batch))
            cursor.execute(
                f"INSERT INTO {table} ({columns}) VALUES {values} RETURNING {pk}",
                [value for row in batch for value in row],
            )
            ids.extend(row[0] for row in cursor.fetchall())
        return ids


def bulk_insert(objs: list[models.Model], model: type[models.Model]) -> None:
    """Insert new `objs` and set their primary keys, as `bulk_create` does (no signals).

    Fields that fill themselves on save (`auto_now`, `auto_now_add`) are filled here too.
    """
    if not objs:
        return
    if not supported():
        model.objects.bulk_create(objs)
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            for obj in objs:
                field.pre_save(obj, add=True)
    rows = values_of(objs, fields)
    ids = insert(model, fields, rows)
    if len(ids) != len(objs):  # never expected; the transaction around the write rolls back
        raise RuntimeError(f"{len(ids)} keys returned for {len(objs)} new {model._meta.verbose_name_plural}")
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = connection.alias


def bulk_insert_values(model: type[models.Model], names: Sequence[str], rows: list[Sequence]) -> None:
    """Insert new rows of `model` given as values of the fields `names` (attribute names, in
    that order), without building an instance of each: what `bulk_insert` of the instances
    `model(**dict(zip(names, row)))` writes. Fields not named take their default; those that
    fill themselves on save (`auto_now`, `auto_now_add`) are filled, as on save. The new rows'
    primary keys are not read."""
    if not rows:
        return
    if not supported():
        model.objects.bulk_create([model(**dict(zip(names, row, strict=True))) for row in rows])
        return
    fields = [f for f in model._meta.concrete_fields if not f.primary_key]
    position = {name: i for i, name in enumerate(names)}
    given = [position.get(f.attname) for f in fields]
    missing = [f.attname for f, i in zip(fields, given, strict=True) if i is None]
    filler = model(**{name: value for name, value in zip(names, rows[0], strict=True)})
    for field in fields:
        if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
            field.pre_save(filler, add=True)
    # The values of the fields not named: the same for every row, as an instance takes them.
    constant = values_of([filler], [f for f in fields if f.attname in missing])[0] if missing else []
    fixed = dict(zip(missing, constant, strict=True))
    prepared = [
        (i, prepare, isinstance(field, CleanTextMixin))
        for i, (field, prepare) in enumerate(zip(fields, map(preparer, fields), strict=True))
        if prepare is not as_it_is and given[i] is not None
    ]
    order = [(i, fixed.get(f.attname)) for f, i in zip(fields, given, strict=True)]
    values = []
    for row in rows:
        line = [row[i] if i is not None else value for i, value in order]
        for i, prepare, empty_as_is in prepared:
            if line[i] or not empty_as_is:
                line[i] = prepare(line[i])
        values.append(line)
    insert(model, fields, values, keys=False)


def values_of(objs: list[models.Model], fields: list[models.Field]) -> list[list]:
    """Each object's values of `fields`, prepared for the database. Read together and prepared
    only where a field needs it: 150,000 scores times a dozen fields add up."""
    names = [f.attname for f in fields]
    # (position, preparer, whether an empty value is stored as it is: empty text and None are,
    # by a text field, and most of a score's texts are empty).
    prepared = [
        (i, prepare, isinstance(field, CleanTextMixin))
        for i, (field, prepare) in enumerate(zip(fields, map(preparer, fields), strict=True))
        if prepare is not as_it_is
    ]
    get = operator.attrgetter(*names)
    rows = [list(get(obj)) for obj in objs] if len(names) > 1 else [[get(obj)] for obj in objs]
    for row in rows:
        for i, prepare, empty_as_is in prepared:
            if row[i] or not empty_as_is:
                row[i] = prepare(row[i])
    return rows


def bulk_insert_with_history(
    objs: list[models.Model], model: type[models.Model], *, default_user=None, default_change_reason: str = ""
) -> None:
    """Insert new `objs` (their primary keys are set) and a "+" history row for each."""
    if not objs:
        return
    if not supported():
        bulk_create_with_history(
            objs, model, default_user=default_user, default_change_reason=default_change_reason
        )
        return
    bulk_insert(objs, model)

    history = model.history.model
    user = default_user if default_user is not None else history.get_default_history_user(objs[0])
    copy_into_history(
        model,
        [obj.pk for obj in objs],
        history_type="+",
        user_id=getattr(user, "pk", None),
        change_reason=default_change_reason,
    )


def copy_into_history(
    model: type[models.Model], ids: list, *, history_type: str, user_id, change_reason: str
) -> None:
    """One history row per row of `ids`, copied by the database from the table itself."""
    history = model.history.model
    quote = connection.ops.quote_name
    tracked = [history._meta.get_field(f.name) for f in history.tracked_fields]
    extra = {
        "history_date": timezone.now(),
        "history_change_reason": change_reason,
        "history_type": history_type,
        "history_user": user_id,
    }
    extra_fields = [history._meta.get_field(name) for name in extra]
    target = ", ".join(quote(f.column) for f in tracked + extra_fields)
    source = ", ".join(quote(f.column) for f in tracked)
    fixed = [preparer(f)(value) for f, value in zip(extra_fields, extra.values(), strict=True)]
    pk = quote(model._meta.pk.column)
    insert = (
        f"INSERT INTO {quote(history._meta.db_table)} ({target}) "
        f"SELECT {source}, {', '.join(['%s'] * len(fixed))} FROM {quote(model._meta.db_table)} WHERE {pk} "
    )
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(insert + f"= ANY(%s) ORDER BY {pk}", [*fixed, list(ids)])
            return
        per_statement = connection.features.max_query_params - len(fixed)
        for start in range(0, len(ids), per_statement):
            batch = ids[start : start + per_statement]
            cursor.execute(insert + f"IN ({', '.join(['%s'] * len(batch))}) ORDER BY {pk}", [*fixed, *batch])
