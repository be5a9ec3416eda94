"""`ranking.bulk.bulk_insert_with_history` writes what `bulk_create_with_history` writes.

The importer inserts scores and their history with raw multi-row statements; here the same
objects go both ways (the fast path, and Django's `bulk_create` as the fallback used on other
databases) and the rows read back must be identical, history included.
"""

from decimal import Decimal

import pytest

from ranking import bulk
from ranking.enums import Method
from ranking.models import Score
from tests.factories import AssessmentFactory, CriterionFactory, PeriodFactory, UserFactory

pytestmark = pytest.mark.django_db

TRACKED = [f.attname for f in Score._meta.concrete_fields if not f.primary_key]


def new_scores(period, label: str) -> list[Score]:
    assessment = AssessmentFactory(period=period, agency__code=f"B-{label}")
    leaves = [
        CriterionFactory(period=period, code=f"{label}.{i}", max_points=Decimal(10), method=Method.NUMBER)
        for i in range(1, 5)
    ]
    values = [Decimal("9.2500"), None, Decimal("0"), Decimal("-1.1234")]
    notes = [
        "Đã hoàn thành đúng hạn; có văn bản số 12/QĐ",
        "",
        "x" * 500,
        "dòng 1\ndòng 2\tcột \\N ‘nháy’ \\ gạch\r",
    ]
    return [
        Score(
            assessment=assessment,
            criterion=leaf,
            self_score=value,
            reviewed_score=value,
            final_score=value,
            not_arising=i == 1,
            note=note,
        )
        for i, (leaf, value, note) in enumerate(zip(leaves, values, notes, strict=True))
    ]


def stored(scores: list[Score]) -> list[tuple]:
    rows = Score.objects.filter(pk__in=[s.pk for s in scores]).order_by("criterion__code")
    return [
        tuple(getattr(s, name) for name in TRACKED if name not in ("assessment_id", "criterion_id"))
        for s in rows
    ]


def history(scores: list[Score]) -> list[tuple]:
    records = Score.history.filter(id__in=[s.pk for s in scores]).order_by("criterion__code")
    return [
        (r.history_type, r.history_user_id, r.history_change_reason)
        + tuple(getattr(r, name) for name in TRACKED if name not in ("assessment_id", "criterion_id"))
        for r in records
    ]


def test_fast_and_fallback_paths_write_the_same_rows(monkeypatch):
    period = PeriodFactory()
    user = UserFactory()
    fast = new_scores(period, "1")
    bulk.bulk_insert_with_history(fast, Score, default_user=user, default_change_reason="Nhập")
    monkeypatch.setattr(bulk, "supported", lambda: False)
    slow = new_scores(period, "2")
    bulk.bulk_insert_with_history(slow, Score, default_user=user, default_change_reason="Nhập")

    assert all(s.pk is not None and not s._state.adding for s in fast + slow)
    assert stored(fast) == stored(slow)
    assert stored(fast)[0][:3] == (Decimal("9.2500"), False, "Đã hoàn thành đúng hạn; có văn bản số 12/QĐ")
    assert history(fast) == history(slow)
    assert [h[:3] for h in history(fast)] == [("+", user.pk, "Nhập")] * 4
    # The keys returned belong to the objects they were given to.
    # A carriage return is stored as the line feed it means (`clean_text`), on both paths.
    assert Score.objects.get(pk=fast[3].pk).note == "dòng 1\ndòng 2\tcột \\N ‘nháy’ \\ gạch\n"
    for score in fast:
        assert Score.objects.get(pk=score.pk).criterion_id == score.criterion_id


def test_the_fast_path_serves_this_database():
    assert bulk.supported()


def test_the_collector_is_paused_for_the_job_and_resumed_after_it_even_on_error():
    import gc

    assert gc.isenabled()
    with bulk.collector_paused():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(ValueError), bulk.collector_paused():
        raise ValueError
    assert gc.isenabled()
    gc.disable()
    try:
        with bulk.collector_paused():
            pass
        assert not gc.isenabled()  # left as it was found
    finally:
        gc.enable()


@pytest.mark.parametrize("fast", [True, False], ids=["fast path", "fallback"])
def test_rows_given_as_values_are_the_rows_of_the_instances(fast, monkeypatch):
    period = PeriodFactory()
    instances = new_scores(period, "1")
    bulk.bulk_insert(instances, Score)
    if not fast:
        monkeypatch.setattr(bulk, "supported", lambda: False)
    given = new_scores(period, "2")
    # Only some fields named: the others take their defaults, as an instance does.
    names = ("assessment_id", "criterion_id", "self_score", "reviewed_score", "final_score")
    names += ("not_arising", "note")
    bulk.bulk_insert_values(Score, names, [tuple(getattr(s, n) for n in names) for s in given])

    written = list(Score.objects.filter(criterion__code__startswith="2.").order_by("criterion__code"))
    assert len(written) == 4
    assert stored(written) == stored(instances)
    assert [s.criterion_id for s in written] == [s.criterion_id for s in given]
    bulk.bulk_insert_values(Score, names, [])
    assert Score.objects.count() == 8
