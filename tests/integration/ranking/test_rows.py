"""`ranking.rows` reads hand-written SQL as the ORM reads a queryset.

The same rows go both ways — a queryset, and the columns of `ModelColumns`/`Columns` read
from a cursor — and must give the same objects and values, of the same types (SQLite hands
back decimals as floats or integers and booleans as integers; JSON comes back as text).
"""

import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.db.models import BooleanField
from django.db.transaction import TransactionManagementError
from django.utils import timezone

from ranking.enums import Method
from ranking.models import Period, Score
from ranking.rows import (
    Columns,
    ModelColumns,
    Statement,
    for_update,
    prepared_statements,
    prepared_statements_allowed,
)
from tests.factories import AssessmentFactory, CriterionFactory, PeriodFactory

pytestmark = pytest.mark.django_db


def every_value(obj) -> list[tuple[str, object, type]]:
    return [
        (field.attname, getattr(obj, field.attname), type(getattr(obj, field.attname)))
        for field in type(obj)._meta.concrete_fields
    ]


def read(sql: str, params=()) -> list[tuple]:
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


def test_a_model_row_becomes_the_object_a_queryset_makes():
    period = PeriodFactory(
        year=2031,
        self_assessment_deadline=datetime.date(2031, 3, 31),
        tie_breakers=["fields", "total_without_survey"],
        late_deduction=Decimal("0.5"),
        results_computed_at=timezone.now(),
    )
    columns = ModelColumns(Period, "p")

    [row] = read(f'SELECT {columns.sql} FROM "{Period._meta.db_table}" p WHERE p."id" = %s', [period.pk])
    built = columns.build(row)

    expected = Period.objects.get(pk=period.pk)
    assert every_value(built) == every_value(expected)
    assert built.tie_breakers == ["fields", "total_without_survey"]
    assert built.late_deduction == Decimal("0.5")
    assert (built._state.adding, built._state.db) == (False, "default")


def test_scores_with_decimals_booleans_and_nulls_read_as_the_orm_reads_them():
    assessment = AssessmentFactory()
    leaves = [CriterionFactory(period=assessment.period, code=f"1.{i}", method=Method.NUMBER) for i in (1, 2)]
    Score.objects.create(
        assessment=assessment, criterion=leaves[0], self_score=Decimal("7.25"), reviewer_not_arising=False
    )
    Score.objects.create(assessment=assessment, criterion=leaves[1], not_arising=True)
    columns = ModelColumns(Score, "s")

    rows = read(
        f'SELECT {columns.sql} FROM "{Score._meta.db_table}" s WHERE s."assessment_id" = %s ORDER BY s."id"',
        [assessment.pk],
    )
    built = [columns.build(row) for row in rows]

    expected = list(Score.objects.filter(assessment=assessment).order_by("pk"))
    assert [every_value(s) for s in built] == [every_value(s) for s in expected]
    assert [(s.self_score, s.not_arising, s.reviewer_not_arising) for s in built] == [
        (Decimal("7.2500"), False, False),
        (None, True, None),
    ]


def test_computed_columns_read_as_the_field_standing_for_them():
    columns = Columns([BooleanField(), BooleanField(), Score._meta.get_field("self_score")])

    rows = columns.rows(read("SELECT 1 = 1, 1 = 0, 2.5"))

    assert [list(row) for row in rows] == [[True, False, Decimal("2.5")]]
    assert type(rows[0][2]) is Decimal


def periods_of_year() -> Statement:
    return Statement(
        "ranking_test_periods_of_year",
        lambda: (
            f'SELECT p."code" FROM "{Period._meta.db_table}" p WHERE p."year" = %s AND p."code" <> %s '
            'ORDER BY p."code"'
        ),
    )


def test_a_statement_answers_as_its_sql_with_each_call_s_parameters():
    for subject, year in (("CCHC", 2030), ("VTLT", 2030), ("CCHC", 2031)):
        PeriodFactory(subject=subject, year=year)
    statement = periods_of_year()

    answers = []
    for params in ((2030, ""), (2030, "VTLT-2030"), (2031, ""), (2032, "")):
        with connection.cursor() as cursor:
            statement.execute(cursor, params)
            answers.append(cursor.fetchall())

    assert answers == [[("CCHC-2030",), ("VTLT-2030",)], [("CCHC-2030",)], [("CCHC-2031",)], []]


@pytest.mark.django_db(transaction=True)
def test_postgresql_prepares_a_statement_once_per_connection():
    PeriodFactory(year=2030)
    statement = periods_of_year()

    def run() -> list[tuple]:
        with connection.cursor() as cursor:
            statement.execute(cursor, (2030, ""))
            return cursor.fetchall()

    assert run() == run() == [("CCHC-2030",)]
    if connection.vendor != "postgresql":
        return
    assert "ranking_test_periods_of_year" in prepared_statements()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_prepared_statements WHERE name = %s", ["ranking_test_periods_of_year"]
        )
        assert cursor.fetchone() == (1,)
    # A new connection knows no statement: it is prepared again there.
    connection.close()
    assert run() == [("CCHC-2030",)]
    assert prepared_statements() == {"ranking_test_periods_of_year"}


@pytest.mark.parametrize(
    ("conn_max_age", "allowed"),
    [(0, False), (60, True), (None, True)],
)
@pytest.mark.parametrize("setting", [True, False])
def test_statements_are_prepared_only_on_kept_postgresql_connections(
    conn_max_age, allowed, setting, settings, monkeypatch
):
    # Behind PgBouncer in transaction mode (conn_max_age=0, or the setting off) the next
    # transaction may reach a server connection that never saw the PREPARE.
    settings.DATABASE_PREPARED_STATEMENTS = setting
    monkeypatch.setitem(connection.settings_dict, "CONN_MAX_AGE", conn_max_age)
    PeriodFactory(year=2030)
    name = f"ranking_test_pooled_{setting}_{conn_max_age}".lower()  # the connection outlives a test
    statement = Statement(name, lambda: f'SELECT "code" FROM "{Period._meta.db_table}" WHERE "year" = %s')

    with connection.cursor() as cursor:
        statement.execute(cursor, (2030,))
        assert cursor.fetchall() == [("CCHC-2030",)]

    prepared = connection.vendor == "postgresql" and allowed and setting
    assert prepared_statements_allowed() is prepared
    assert (name in prepared_statements()) is prepared
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_prepared_statements WHERE name = %s", [name])
            assert cursor.fetchone() == (int(prepared),)


@pytest.mark.django_db(transaction=True)
def test_a_statement_that_locks_is_refused_outside_a_transaction_where_the_database_locks_rows():
    statement = Statement(
        "ranking_test_lock",
        lambda: f'SELECT p."id" FROM "{Period._meta.db_table}" p WHERE p."year" = %s{for_update("p")}',
        locks=True,
    )
    if connection.features.has_select_for_update:
        with connection.cursor() as cursor, pytest.raises(TransactionManagementError):
            statement.execute(cursor, (2030,))
        assert statement.sql().endswith(" FOR UPDATE OF p")
    else:
        assert statement.sql().endswith("%s")
    with transaction.atomic(), connection.cursor() as cursor:
        statement.execute(cursor, (2030,))
        assert cursor.fetchall() == []
