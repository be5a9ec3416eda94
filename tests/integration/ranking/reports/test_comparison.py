"""Year over year (ranking/comparison.py): rank movement, tier movement and the tiers per year,
against a hand calculation on the fixture below (built by `build_years`, tests/builders.py).

THE FIXTURE (`build_years`), subject CCHC; every period has the scheme
    1 Rất tốt ≥ 90 · 2 Tốt ≥ 80 · 3 Khá ≥ 70 · 4 Trung bình ≥ 50 · 5 Yếu.

CCHC-2023 (published, imported past results only — no group, a tier label):
    B rank 1 "rất  tốt " (spaces and case as typed) · A rank 2 "Rất tốt" · C rank 3 "Tốt"
    D rank 4 "Xuất sắc" (a label of no tier of the scheme)
CCHC-2024 (published, computed results; previous CCHC-2023):
    SBN: A 1 Rất tốt · B 2 Tốt · C 3 Tốt · D 4 Khá · E 5 Khá · F 6 Trung bình · G 7 Trung bình
         M 8 Tốt
    QH:  Q1 1 Rất tốt · Q2 2 Tốt · Q3 3 Tốt · Q4 4 Khá
CCHC-2025 (published, previous CCHC-2024):
    SBN: B 1 Rất tốt · C 2 Tốt · D 3 Tốt · E 4 Khá · F 5 Khá · G 6 Trung bình · A 7 Khá
         H 8 Trung bình (new)
    QH:  Q3 1 Rất tốt · Q1 2 Rất tốt · M 3 Tốt (moved from SBN) · Q4 4 Trung bình · Q2 5 Yếu
CCHC-2026 (finalization, not published): Q1 rank 1 Rất tốt.
VTLT-2025 (another subject): Q1 rank 1 Xuất sắc — never counted with CCHC.

HAND CALCULATION, 2025 against 2024 (change = rank 2024 − rank 2025; tier change = order
2024 − order 2025, positive = rose):
  SBN  B 2→1 +1, Tốt→Rất tốt +1 · C 3→2 +1, = · D 4→3 +1, Khá→Tốt +1 · E 5→4 +1, =
       F 6→5 +1, Trung bình→Khá +1 · G 7→6 +1, = · A 1→7 −6, Rất tốt→Khá −2 · H new
       risers: six agencies rose one place; the five shown are the best ranked of them:
       B, C, D, E, F (G, also +1, is the sixth and is cut). fallers: A (−6).
       rose a tier: B, D, F · kept: C, E, G · lost: A · new: H
  QH   Q3 3→1 +2, Tốt→Rất tốt +1 · Q1 1→2 −1, = · M ranked 8th in SBN: no rank change, Tốt→Tốt =
       Q4 4→4 0, Khá→Trung bình −1 · Q2 2→5 −3, Tốt→Yếu −3
       risers: Q3 · fallers: Q2 (−3), Q1 (−1) · rose: Q3 · kept: Q1, M · lost: Q4, Q2
       new: none · moved: M

HAND CALCULATION, 2024 against 2023 (past results: ranks as imported, tiers by label):
  SBN  A 2→1 +1, Rất tốt→Rất tốt = · B 1→2 −1, "rất tốt"→Tốt −1 · C 3→3 0, Tốt→Tốt =
       D 4→4 0, "Xuất sắc"→Khá: unknown, in no tier list · E, F, G, M new
  QH   all four new.

TIERS PER YEAR (the 2025 scheme's labels, then "Xuất sắc" which only 2023 has):
            Rất tốt  Tốt  Khá  Trung bình  Yếu  Xuất sắc  total
  2023        2       1    0       0        0      1        4
  2024        2       5    3       2        0      0       12   (A,Q1 | B,C,M,Q2,Q3 | D,E,Q4 | F,G)
  2025        3       3    3       3        1      0       13   (B,Q3,Q1 | C,D,M | E,F,A | G,H,Q4 | Q2)
  2026 (unpublished): Rất tốt 1 — only in its own comparison, never in an earlier year's.
"""

import pytest

from ranking.enums import Phase
from ranking.models import Period
from ranking.reports.comparison import comparable_periods, default_other, year_over_year
from tests.builders import build_years

pytestmark = pytest.mark.django_db

TIERS = ["Rất tốt", "Tốt", "Khá", "Trung bình", "Yếu"]


def codes(movements) -> list[str]:
    return [m.agency.code for m in movements]


def published_only(period: Period) -> bool:
    return period.phase == Phase.PUBLISHED


def test_rank_movement_risers_and_fallers_against_computed_results():
    years = build_years()

    comparison = year_over_year(period=years.p2025, other=years.p2024, visible=published_only)

    assert comparison.source == "results"
    departments, districts = comparison.groups
    assert departments.group.code == "SBN" and districts.group.code == "QH"
    # Every agency of the period in rank order, with last year's rank and the change.
    assert [(m.agency.code, m.previous_rank, m.rank, m.change) for m in departments.movements] == [
        ("B", 2, 1, 1),
        ("C", 3, 2, 1),
        ("D", 4, 3, 1),
        ("E", 5, 4, 1),
        ("F", 6, 5, 1),
        ("G", 7, 6, 1),
        ("A", 1, 7, -6),
        ("H", None, 8, None),
    ]
    # Six rose one place: the five best ranked are shown, G is cut.
    assert codes(departments.risers) == ["B", "C", "D", "E", "F"]
    assert codes(departments.fallers) == ["A"]
    assert codes(departments.new) == ["H"]

    assert [(m.agency.code, m.previous_rank, m.rank, m.change) for m in districts.movements] == [
        ("Q3", 3, 1, 2),
        ("Q1", 1, 2, -1),
        # Ranked 8th among the departments last year: not comparable.
        ("M", 8, 3, None),
        ("Q4", 4, 4, 0),
        ("Q2", 2, 5, -3),
    ]
    assert codes(districts.risers) == ["Q3"]
    assert codes(districts.fallers) == ["Q2", "Q1"]
    assert codes(districts.moved) == ["M"]
    assert districts.movements[2].moved_from == years.groups["SBN"]
    assert districts.new == []
    assert codes(districts.compared) == ["Q3", "Q1", "Q4", "Q2"]


def test_tiers_kept_gained_and_lost_by_tier_order():
    years = build_years()

    departments, districts = year_over_year(period=years.p2025, other=years.p2024).groups

    assert [
        (m.agency.code, m.previous_tier_label, m.tier_label, m.tier_change) for m in departments.movements
    ] == [
        ("B", "Tốt", "Rất tốt", 1),
        ("C", "Tốt", "Tốt", 0),
        ("D", "Khá", "Tốt", 1),
        ("E", "Khá", "Khá", 0),
        ("F", "Trung bình", "Khá", 1),
        ("G", "Trung bình", "Trung bình", 0),
        ("A", "Rất tốt", "Khá", -2),
        ("H", "", "Trung bình", None),
    ]
    assert codes(departments.rose_tier) == ["B", "D", "F"]
    assert codes(departments.kept_tier) == ["C", "E", "G"]
    assert codes(departments.lost_tier) == ["A"]

    assert codes(districts.rose_tier) == ["Q3"]
    # The moved agency's tier is comparable: tiers are the city's, not the group's.
    assert codes(districts.kept_tier) == ["Q1", "M"]
    assert codes(districts.lost_tier) == ["Q4", "Q2"]
    assert districts.movements[-1].tier_change == -3


def test_past_results_give_ranks_and_tiers_matched_by_label():
    years = build_years()

    comparison = year_over_year(period=years.p2024, other=years.p2023)

    assert comparison.source == "history"
    departments, districts = comparison.groups
    assert [
        (
            m.agency.code,
            m.previous_rank,
            m.change,
            m.previous_tier_label,
            m.previous_tier_order,
            m.tier_change,
        )
        for m in departments.movements
    ] == [
        ("A", 2, 1, "Rất tốt", 1, 0),
        # "rất  tốt " is the scheme's "Rất tốt" (order 1); B is Tốt (order 2) now.
        ("B", 1, -1, "rất  tốt ", 1, -1),
        ("C", 3, 0, "Tốt", 2, 0),
        # No tier of the scheme is called "Xuất sắc": the tier change is unknown.
        ("D", 4, 0, "Xuất sắc", None, None),
        ("E", None, None, "", None, None),
        ("F", None, None, "", None, None),
        ("G", None, None, "", None, None),
        ("M", None, None, "", None, None),
    ]
    assert codes(departments.risers) == ["A"]
    assert codes(departments.fallers) == ["B"]
    assert codes(departments.kept_tier) == ["A", "C"]
    assert codes(departments.lost_tier) == ["B"]
    assert departments.rose_tier == []
    assert codes(departments.new) == ["E", "F", "G", "M"]
    assert codes(districts.new) == ["Q1", "Q2", "Q3", "Q4"]
    assert all(m.moved_from is None for m in departments.movements)


def test_without_another_period_everyone_is_new():
    years = build_years()

    comparison = year_over_year(period=years.p2025, other=None)

    assert comparison.source is None
    assert [len(g.new) for g in comparison.groups] == [8, 5]
    assert [g.risers + g.fallers + g.kept_tier for g in comparison.groups] == [[], []]


def test_tier_distribution_per_year_oldest_first():
    years = build_years()

    distribution = year_over_year(period=years.p2025, other=years.p2024, visible=published_only).distribution

    assert distribution.labels == ["Rất tốt", "Tốt", "Khá", "Trung bình", "Yếu", "Xuất sắc"]
    assert [(y.period.year, list(y.counts.values()), y.total) for y in distribution.years] == [
        (2023, [2, 1, 0, 0, 0, 1], 4),
        (2024, [2, 5, 3, 2, 0, 0], 12),
        (2025, [3, 3, 3, 3, 1, 0], 13),
    ]
    assert distribution.chart() == {
        "labels": ["2023", "2024", "2025"],
        "datasets": [
            {"label": "Rất tốt", "data": [2, 2, 3]},
            {"label": "Tốt", "data": [1, 5, 3]},
            {"label": "Khá", "data": [0, 3, 3]},
            {"label": "Trung bình", "data": [0, 2, 3]},
            {"label": "Yếu", "data": [0, 0, 1]},
            {"label": "Xuất sắc", "data": [1, 0, 0]},
        ],
    }


def test_distribution_shows_unpublished_years_only_to_whom_may_see_them():
    years = build_years()
    years.p2024.phase = Phase.FINALIZATION
    years.p2024.save()

    everyone = year_over_year(period=years.p2025, other=None).distribution
    published = year_over_year(period=years.p2025, other=None, visible=published_only).distribution
    # The period itself is always counted, published or not; later years never are.
    running = year_over_year(period=years.p2026, other=None, visible=published_only).distribution

    assert [y.period.year for y in everyone.years] == [2023, 2024, 2025]
    assert [y.period.year for y in published.years] == [2023, 2025]
    assert [(y.period.year, y.total) for y in running.years] == [(2023, 4), (2025, 13), (2026, 1)]
    assert running.years[-1].counts["Rất tốt"] == 1


def test_default_and_comparable_periods():
    years = build_years()
    # Without a recorded previous period: the latest earlier one of the subject.
    years.p2025.previous = None
    years.p2025.save()

    assert default_other(period=years.p2024) == years.p2023
    assert default_other(period=years.p2025) == years.p2024
    assert default_other(period=years.p2023) is None
    assert default_other(period=years.vtlt) is None
    # Earlier periods with results or past results, newest first; never another subject.
    assert comparable_periods(period=years.p2026) == [years.p2025, years.p2024, years.p2023]
    assert comparable_periods(period=years.p2024) == [years.p2023]


@pytest.mark.parametrize("extra", [0, 5])
def test_queries_do_not_grow_with_agencies(extra, django_assert_num_queries):
    years = build_years(extra)

    # tiers of the subject, results now, results then, periods, counts of results, of past results
    with django_assert_num_queries(6):
        comparison = year_over_year(period=years.p2025, other=years.p2024)
        figures = [(len(g.movements), len(g.risers), len(g.kept_tier)) for g in comparison.groups]

    assert figures == [(8 + extra, 5, 3 + extra), (5, 1, 2)]
