"""Rows of a few fixed queries written out in SQL, read as the ORM reads them.

A score save runs the same handful of queries on every request. Building and compiling them
with the ORM (select_related, FilteredRelation, subqueries) cost the save more Python than
the database took to run them, so its hot paths write their SQL once per process and read
its rows here: each column converted as the ORM converts it (the backend's converters, then
the field's: SQLite gives numbers and booleans back as floats and integers), and model
objects made with `Model.from_db`, as a queryset makes them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

from django.conf import settings
from django.db import connection, models
from django.db.models.expressions import Col
from django.db.transaction import TransactionManagementError


class Columns:
    """The columns of a query's rows, each read as `fields[i]` reads it (`values_list`).

    A field stands for a model's column or for a computed one (`models.BooleanField()` for an
    EXISTS, …); `alias` is the table the converters are told the columns come from.
    """

    def __init__(self, fields: Sequence[models.Field], alias: str = ""):
        self.fields = list(fields)
        self.alias = alias
        self._converters: dict[str, list[tuple[int, list, Col]]] = {}

    def converters(self) -> list[tuple[int, list, Col]]:
        """(position, converters, column) of the columns that need converting on this database;
        worked out once per process."""
        vendor = connection.vendor
        if vendor not in self._converters:
            found = []
            for index, field in enumerate(self.fields):
                column = Col(self.alias, field)
                functions = connection.ops.get_db_converters(column) + column.get_db_converters(connection)
                if functions:
                    found.append((index, functions, column))
            self._converters[vendor] = found
        return self._converters[vendor]

    def values(self, row: Sequence) -> Sequence:
        """The row's values as the ORM gives them (the row itself when nothing needs converting)."""
        return self.rows([row])[0]

    def rows(self, rows: list[Sequence]) -> list[Sequence]:
        """`values` of every row."""
        converters = self.converters()
        if not converters:
            return rows
        converted = []
        for row in rows:
            values = list(row)
            for index, functions, column in converters:
                value = values[index]
                for function in functions:
                    value = function(value, column, connection)
                values[index] = value
            converted.append(values)
        return converted


class ModelColumns(Columns):
    """Every concrete column of a model under a table alias (`sql`, for a SELECT), and the
    model's object from them."""

    def __init__(self, model: type[models.Model], alias: str):
        fields = model._meta.concrete_fields
        super().__init__(fields, alias)
        self.model = model
        self.names = [field.attname for field in fields]
        self.sql = ", ".join(f'{alias}."{field.column}"' for field in fields)
        self.width = len(fields)

    def build(self, row: Sequence) -> models.Model:
        """The object of `row` (the columns of `sql`, in order), as a queryset makes it."""
        return self.model.from_db(connection.alias, self.names, self.values(row))


def for_update(alias: str) -> str:
    """The clause that locks the rows of `alias` a SELECT reads, as `select_for_update(of=…)`
    writes it; nothing where the database has no row locks (SQLite locks the whole file). A
    `Statement` with it says `locks=True`, to be refused outside a transaction as
    `select_for_update` is."""
    features = connection.features
    if not features.has_select_for_update:
        return ""
    return f" FOR UPDATE OF {alias}" if features.has_select_for_update_of else " FOR UPDATE"


class Statement:
    """One fixed statement of a hot path: its SQL (with `%s` for each parameter) is written once
    per process by `write`, and on PostgreSQL prepared once per database connection, so the
    server plans it once: planning the score save's three fixed queries cost the server more
    than running them. Elsewhere it is sent as it is.
    """

    def __init__(self, name: str, write: Callable[[], str], *, locks: bool = False):
        self.name = name
        self.write = write
        self.locks = locks
        self._sql: dict[str, str] = {}

    def sql(self) -> str:
        vendor = connection.vendor
        if vendor not in self._sql:
            self._sql[vendor] = self.write()
        return self._sql[vendor]

    def execute(self, cursor, params: Sequence) -> None:
        """Run the statement with `params` on `cursor` (one of `connection.cursor()`)."""
        if self.locks and connection.features.has_select_for_update and connection.get_autocommit():
            raise TransactionManagementError("select_for_update cannot be used outside of a transaction.")
        sql = self.sql()
        if not prepared_statements_allowed():
            cursor.execute(sql, params)
            return
        if self.name not in prepared_statements():
            # Readies the connection, as Django's own set-up of a connection does: not a query
            # of the request, so not in its log (nor in the tests' query counts).
            numbers = iter(range(1, len(params) + 1))
            with connection.connection.cursor() as setup:
                setup.execute(f"PREPARE {self.name} AS {re.sub('%s', lambda _m: f'${next(numbers)}', sql)}")
            prepared_statements().add(self.name)
        cursor.execute(f"EXECUTE {self.name}({', '.join(['%s'] * len(params))})", params)


def prepared_statements_allowed() -> bool:
    """Whether statements are prepared on this connection: on PostgreSQL, when the connection
    is kept from one request to the next, unless DATABASE_PREPARED_STATEMENTS is off.

    A prepared statement lives on the server connection it was made on. Behind a pooler in
    transaction mode (PgBouncer, docs/deploy.md) the next transaction may be served by
    another one, which does not know it: there the pooler's settings say `conn_max_age=0`
    (a connection lives one request, so preparing would only add a round trip), or, for
    connections kept to the pooler, DATABASE_PREPARED_STATEMENTS=False.
    """
    return (
        connection.vendor == "postgresql"
        and connection.settings_dict.get("CONN_MAX_AGE") != 0
        and settings.DATABASE_PREPARED_STATEMENTS
    )


def prepared_statements() -> set[str]:
    """The names of the statements prepared on the current database connection (a new
    connection starts with none)."""
    raw = connection.connection
    kept = getattr(connection, "_prepared_statements", None)
    if kept is None or kept[0] is not raw:
        kept = connection._prepared_statements = (raw, set())
    return kept[1]
