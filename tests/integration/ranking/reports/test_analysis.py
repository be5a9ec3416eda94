"""The analysis of a period (ranking/analysis.py): where points were lost, the heat map, the
drill-down, reviewer consistency and self-assessment accuracy — every figure against the hand
calculation below.

The fixture (`build_analysis`, tests/builders.py): CCHC 2025, two groups, five agencies, two reviewers.

Criteria (maximum):
    1 Chỉ đạo, điều hành
      1.1 number 4 · 1.2 choice 2 (2 / 1 / 0) · 1.3 yes/no 1 (may not arise)
    2 Thực hiện
      2.1 number 3, only for the districts (QH) · 2.2 survey 5
    3 Điểm thưởng, điểm trừ
      3.1 deduction, floor 2 · 3.2 bonus, cap 1
Maximum of an agency: SBN 4 + 2 + 1 + 5 = 12; QH 12 + 3 = 15; A3 (1.3 did not arise) 11.

Scores: self / reviewed / final (survey: the imported value; "·" no value, "n/a" did not arise).

    SBN    reviewer  1.1         1.2         1.3        2.2          3.1           3.2
    A1     R1        4/3/3.5 a   2/2/2       1/1/1      ·/4/4        0/-1/-1       1/0.5/0.5
    A2     R1        4/2/2 r     1/1/1       1/0/0      5/5/5        0/0/0         0/0/0
    A3     R2        2/2.5/2.5   2/0/1 p     n/a        ·/3/3        -0.5/-0.5/-0.5  (no row)
    QH               1.1         1.2         1.3        2.1          2.2     3.1       3.2
    B1     R1        4/4/4       2/1/1       1/1/1      3/2/2.5 a    ·/4.5/4.5  0/0/0  1/1/1
    B2     R2        2/2/2       0/0/0       0/0/0      1/1.5/1.5    2/2/2   -2/-2/-2  0/0/0
(a accepted, p accepted in part, r rejected explanation.)

Final totals: A1 3.5+2+1+4−1+0.5 = 10 (index 10/12 = 83.33, rank 1); A2 2+1+0+5 = 8 (66.67, 2);
A3 2.5+1+3−0.5 = 6 (6/11 = 54.55, 3); B1 4+1+1+2.5+4.5+0+1 = 14 (14/15 = 93.33, 1);
B2 2+0+0+1.5+2−2 = 3.5 (3.5/15 = 23.33, 2).
"""

from decimal import Decimal
from fractions import Fraction

import pytest

from accounts.models import Role
from ranking.enums import Decision
from ranking.models import Assessment
from ranking.reports import analysis
from tests.builders import SCORES, AnalysisYear, add_agency, build_analysis
from tests.factories import (
    AgencyFactory,
    PeriodFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

D = Decimal


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    """Factories hash a password for every user; the slow production hasher adds nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def fx() -> AnalysisYear:
    return build_analysis()


# --- where points were lost ------------------------------------------------------------------


def losses_table(rows) -> list[tuple]:
    return [
        (r.criterion.code, r.agencies, r.losing, r.lost_total, r.lost_average, r.max_points) for r in rows
    ]


def test_criterion_losses_over_every_agency(fx, django_assert_num_queries):
    with django_assert_num_queries(5):
        rows = analysis.criterion_losses(period=fx.period)

    # Points lost: max − final on base leaves, −final on the deduction; the bonus 3.2 is not listed.
    assert losses_table(rows) == [
        # 1.1 of 4: A1 0.5, A2 2, A3 1.5, B1 0, B2 2 → 6 over 5, 4 losing, 1.2 each.
        ("1.1", 5, 4, D(6), D("1.2"), D(4)),
        # 1.2 of 2: A1 0, A2 1, A3 1, B1 1, B2 2 → 5 over 5.
        ("1.2", 5, 4, D(5), D(1), D(2)),
        # 1.3 of 1, not arisen for A3: A1 0, A2 1, B1 0, B2 1 → 2 over 4.
        ("1.3", 4, 2, D(2), D("0.5"), D(1)),
        # 2.1 of 3, districts only: B1 0.5, B2 1.5 → 2 over 2.
        ("2.1", 2, 2, D(2), D(1), D(3)),
        # 2.2 survey of 5: A1 1, A2 0, A3 2, B1 0.5, B2 3 → 6.5 over 5.
        ("2.2", 5, 4, D("6.5"), D("1.3"), D(5)),
        # 3.1 deduction (floor 2): A1 1, A2 0, A3 0.5, B1 0, B2 2 → 3.5 over 5.
        ("3.1", 5, 3, D("3.5"), D("0.7"), D(2)),
    ]
    assert [r.field.code for r in rows] == ["1", "1", "1", "2", "2", "3"]
    assert [r.is_deduction for r in rows] == [False] * 5 + [True]
    assert all(isinstance(r.lost_average, Decimal) for r in rows)


def test_criterion_losses_of_one_group(fx):
    sbn = analysis.criterion_losses(period=fx.period, group=fx.groups["SBN"])
    qh = analysis.criterion_losses(period=fx.period, group=fx.groups["QH"])

    # SBN: 2.1 does not apply at all; 1.3 only to A1 and A2 (A3: not arisen).
    assert losses_table(sbn) == [
        ("1.1", 3, 3, D(4), D(4) / 3, D(4)),  # 0.5 + 2 + 1.5 = 4; 1.33 each
        ("1.2", 3, 2, D(2), D(2) / 3, D(2)),  # 0 + 1 + 1 = 2; 0.67 each
        ("1.3", 2, 1, D(1), D("0.5"), D(1)),  # 0 + 1
        ("2.2", 3, 2, D(3), D(1), D(5)),  # 1 + 0 + 2
        ("3.1", 3, 2, D("1.5"), D("0.5"), D(2)),  # 1 + 0 + 0.5
    ]
    assert losses_table(qh) == [
        ("1.1", 2, 1, D(2), D(1), D(4)),  # 0 + 2
        ("1.2", 2, 2, D(3), D("1.5"), D(2)),  # 1 + 2
        ("1.3", 2, 1, D(1), D("0.5"), D(1)),  # 0 + 1
        ("2.1", 2, 2, D(2), D(1), D(3)),  # 0.5 + 1.5
        ("2.2", 2, 2, D("3.5"), D("1.75"), D(5)),  # 0.5 + 3
        ("3.1", 2, 1, D(2), D(1), D(2)),  # 0 + 2
    ]


def test_points_lost_of_one_leaf(fx):
    c = fx.criteria
    assert analysis.points_lost(c["1.1"], D("3.5")) == D("0.5")
    # A base leaf that arose without a final score counts 0 points, as in the totals.
    assert analysis.points_lost(c["1.1"], None) == D(4)
    assert analysis.points_lost(c["3.1"], D("-1.5")) == D("1.5")
    # A deduction is capped at its floor, as the totals cap it; an empty one takes nothing.
    assert analysis.points_lost(c["3.1"], D("-3")) == D(2)
    assert analysis.points_lost(c["3.1"], None) == D(0)
    assert str(analysis.points_lost(c["3.1"], D("0"))) == "0"


def test_heat_map_per_group(fx):
    snapshot = analysis.period_snapshot(period=fx.period)

    sbn = analysis.heat_map(period=fx.period, group=fx.groups["SBN"], snapshot=snapshot)
    qh = analysis.heat_map(period=fx.period, group=fx.groups["QH"], snapshot=snapshot)

    # Field 3 holds only a deduction and a bonus: no maximum, no column.
    assert [f.code for f in sbn.fields] == ["1", "2"]
    assert [f.code for f in qh.fields] == ["1", "2"]

    def cells(heat):
        return [
            (row.agency.code, row.rank, [(c.field.code, c.subtotal, c.maximum, c.bucket) for c in row.cells])
            for row in heat.rows
        ]

    assert sbn.group == fx.groups["SBN"]
    assert cells(sbn) == [
        # A1: field 1 3.5 + 2 + 1 = 6.5 of 7 (92.86 % → 9); field 2 4 of 5 (80 % → 8).
        ("A1", 1, [("1", D("6.5"), D(7), 9), ("2", D(4), D(5), 8)]),
        # A2: 2 + 1 + 0 = 3 of 7 (42.86 % → 4); 5 of 5 (100 % → 9).
        ("A2", 2, [("1", D(3), D(7), 4), ("2", D(5), D(5), 9)]),
        # A3: 1.3 did not arise: 2.5 + 1 = 3.5 of 6 (58.33 % → 5); 3 of 5 (exactly 60 % → 6).
        ("A3", 3, [("1", D("3.5"), D(6), 5), ("2", D(3), D(5), 6)]),
    ]
    assert cells(qh) == [
        # B1: 4 + 1 + 1 = 6 of 7 (85.71 % → 8); 2.5 + 4.5 = 7 of 8 (87.5 % → 8).
        ("B1", 1, [("1", D(6), D(7), 8), ("2", D(7), D(8), 8)]),
        # B2: 2 of 7 (28.57 % → 2); 1.5 + 2 = 3.5 of 8 (43.75 % → 4).
        ("B2", 2, [("1", D(2), D(7), 2), ("2", D("3.5"), D(8), 4)]),
    ]
    percents = [[c.percent for c in row.cells] for row in sbn.rows + qh.rows]
    assert [[round(p, 2) for p in row] for row in percents] == [
        [D("92.86"), D("80.00")],
        [D("42.86"), D("100.00")],
        [D("58.33"), D("60.00")],
        [D("85.71"), D("87.50")],
        [D("28.57"), D("43.75")],
    ]
    assert percents[2][1] == D(60)


def test_heat_buckets_are_exact_at_the_bounds():
    assert analysis.heat_bucket(D(0), D(7)) == 0
    assert analysis.heat_bucket(D("0.69"), D(7)) == 0  # 9.86 %
    assert analysis.heat_bucket(D("0.7"), D(7)) == 1  # exactly 10 %
    assert analysis.heat_bucket(D("6.29"), D(7)) == 8  # 89.86 %
    assert analysis.heat_bucket(D("6.3"), D(7)) == 9  # exactly 90 %
    assert analysis.heat_bucket(D(8), D(7)) == 9  # bonus above the maximum
    assert analysis.heat_bucket(D(-1), D(7)) == 0  # deductions below zero
    assert analysis.heat_bucket(D(1), D(0)) is None


def detail_table(rows) -> list[tuple]:
    return [
        (
            r.agency.code,
            r.group.code,
            r.rank,
            r.not_arising,
            r.self_score,
            r.reviewed_score,
            r.final_score,
            r.max_points,
            r.lost,
            r.review_comment,
            r.explanation,
            r.proposed_score,
            r.decision,
            r.decision_reason,
        )
        for r in rows
    ]


def test_loss_detail_of_a_choice_leaf(fx, django_assert_num_queries):
    with django_assert_num_queries(4):
        rows = analysis.loss_detail(period=fx.period, criterion=fx.criteria["1.2"])

    # By group, most points lost first, then agency code (A2 and A3 both lost 1).
    assert detail_table(rows) == [
        ("A2", "SBN", 2, False, D(1), D(1), D(1), D(2), D(1), "", "", None, "", ""),
        (
            "A3",
            "SBN",
            3,
            False,
            D(2),
            D(0),
            D(1),
            D(2),
            D(1),
            "Báo cáo chậm 10 ngày.",
            "Chậm do lỗi hệ thống.",
            D(2),
            "partial",
            "Chấp nhận một phần.",
        ),
        ("A1", "SBN", 1, False, D(2), D(2), D(2), D(2), D(0), "", "", None, "", ""),
        ("B2", "QH", 2, False, D(0), D(0), D(0), D(2), D(2), "", "", None, "", ""),
        ("B1", "QH", 1, False, D(2), D(1), D(1), D(2), D(1), "Báo cáo chậm.", "", None, "", ""),
    ]
    assert [r.reviewer.username for r in rows] == [
        "thamdinh1",
        "thamdinh2",
        "thamdinh1",
        "thamdinh2",
        "thamdinh1",
    ]
    assert [str(r.decision_label) for r in rows] == ["", str(Decision.PARTIAL.label), "", "", ""]
    summary = analysis.loss_summary(rows)
    # The row of 1.2 in criterion_losses: 5 agencies, 4 losing, 5 points, 1 each.
    assert summary == analysis.LossSummary(agencies=5, losing=4, lost_total=D(5), lost_average=D(1))


def test_loss_detail_flags_not_arisen_and_keeps_to_the_leafs_groups(fx):
    rows = analysis.loss_detail(period=fx.period, criterion=fx.criteria["1.3"])
    # A3: did not arise, no loss, last of its group.
    assert [(r.agency.code, r.not_arising, r.lost) for r in rows] == [
        ("A2", False, D(1)),
        ("A1", False, D(0)),
        ("A3", True, None),
        ("B2", False, D(1)),
        ("B1", False, D(0)),
    ]
    assert analysis.loss_summary(rows) == analysis.LossSummary(4, 2, D(2), D("0.5"))

    only_qh = analysis.loss_detail(period=fx.period, criterion=fx.criteria["2.1"])
    assert [(r.agency.code, r.lost, r.explanation, r.decision) for r in only_qh] == [
        ("B2", D("1.5"), "", ""),
        ("B1", D("0.5"), "Đã rà soát 95% văn bản.", "accepted"),
    ]
    one_group = analysis.loss_detail(period=fx.period, criterion=fx.criteria["1.1"], group=fx.groups["QH"])
    assert [(r.agency.code, r.lost) for r in one_group] == [("B2", D(2)), ("B1", D(0))]
    assert analysis.loss_summary([]) == analysis.LossSummary(0, 0, D(0), None)


def test_analysed_leaves(fx):
    c = fx.criteria
    assert [code for code in c if analysis.is_analysed_leaf(c[code])] == [
        "1.1",
        "1.2",
        "1.3",
        "2.1",
        "2.2",
        "3.1",
    ]


# --- reviewer consistency --------------------------------------------------------------------


def test_reviewer_consistency(fx, django_assert_num_queries):
    with django_assert_num_queries(5):
        rows = analysis.reviewer_consistency(period=fx.period)

    # By name: Lê Văn Cường (R2) before Trần Thị Bình (R1).
    assert [str(r.reviewer) for r in rows] == ["Lê Văn Cường", "Trần Thị Bình"]
    r2, r1 = rows
    # R2 reviews A3 and B2. Leaves reviewed (survey, not-arisen and missing rows aside):
    # A3 1.1, 1.2, 3.1; B2 1.1, 1.2, 1.3, 2.1, 3.1, 3.2 → 9.
    # Adjustments: A3 1.1 +0.5, 1.2 −2; B2 2.1 +0.5 → 3, total −1, average −0.33.
    # Explanations: A3 1.2 accepted in part → 1 of 1.
    assert (r2.assessments, r2.leaves_reviewed, r2.adjustments, r2.lowered, r2.raised) == (2, 9, 3, 1, 2)
    assert (r2.total_change, r2.average_change) == (D(-1), D(-1) / 3)
    assert (r2.accepted, r2.partial, r2.rejected, r2.decided) == (0, 1, 0, 1)
    assert (r2.accepted_share, r2.accepted_percent) == (D(1), D(100))
    # R1 reviews A1, A2 and B1. Leaves reviewed: A1 5, A2 5, B1 6 → 16.
    # Adjustments: A1 1.1 −1, 3.1 −1, 3.2 −0.5; A2 1.1 −2, 1.3 −1; B1 1.2 −1, 2.1 −1
    # → 7, total −7.5, average −7.5 / 7 = −1.07.
    # Explanations: A1 1.1 accepted, A2 1.1 rejected, B1 2.1 accepted → 2 of 3 (66.67 %).
    assert (r1.assessments, r1.leaves_reviewed, r1.adjustments, r1.lowered, r1.raised) == (3, 16, 7, 7, 0)
    assert (r1.total_change, r1.average_change) == (D("-7.5"), D("-7.5") / 7)
    assert (r1.accepted, r1.partial, r1.rejected, r1.decided) == (2, 0, 1, 3)
    assert r1.accepted_share == D(2) / 3
    assert round(r1.accepted_percent, 2) == D("66.67")


def test_a_reviewer_without_adjustments_or_decisions(fx):
    idle = UserFactory(username="thamdinh3", role=Role.REVIEWER, last_name="Phạm", first_name="An")
    agency = AgencyFactory(code="C1", name="Sở Xây dựng", group=fx.groups["SBN"])
    Assessment.objects.create(period=fx.period, agency=agency, reviewer=idle)
    # An assessment without a reviewer is nobody's.
    Assessment.objects.create(period=fx.period, agency=AgencyFactory(code="C2", group=fx.groups["QH"]))

    rows = {r.reviewer.username: r for r in analysis.reviewer_consistency(period=fx.period)}

    assert list(rows) == ["thamdinh2", "thamdinh3", "thamdinh1"]
    row = rows["thamdinh3"]
    assert (row.assessments, row.leaves_reviewed, row.adjustments, row.total_change) == (1, 0, 0, D(0))
    assert (row.average_change, row.accepted_share, row.accepted_percent) == (None, None, None)


# --- self-assessment accuracy ----------------------------------------------------------------


def test_self_accuracy(fx, django_assert_num_queries):
    with django_assert_num_queries(5):
        rows = analysis.self_accuracy(period=fx.period)

    table = [
        (r.agency.code, r.group.code, r.rank, r.maximum, r.self_total, r.final_total, r.gap, r.over_rank)
        for r in rows
    ]
    # Survey leaves count with the imported value on both sides (A1, A3, B1 have no self value).
    # A1 self 4+2+1+4+0+1 = 12, final 10, gap 2, index gap 100 − 83.33 = 16.67
    # A2 self 4+1+1+5 = 11, final 8, gap 3, index gap 91.67 − 66.67 = 25
    # A3 self 2+2+3−0.5 = 6.5 of 11, final 6, gap 0.5, index gap 59.09 − 54.55 = 4.55
    # B1 self 4+2+1+3+4.5+0+1 = 15.5 of 15, final 14, gap 1.5, index gap 103.33 − 93.33 = 10
    # B2 self 2+0+0+1+2−2 = 3, final 3.5, gap −0.5, index gap 20 − 23.33 = −3.33
    assert table == [
        ("A2", "SBN", 2, D(12), D(11), D(8), D(3), 1),
        ("A1", "SBN", 1, D(12), D(12), D(10), D(2), 2),
        ("A3", "SBN", 3, D(11), D("6.5"), D(6), D("0.5"), 3),
        ("B1", "QH", 1, D(15), D("15.5"), D(14), D("1.5"), 1),
        ("B2", "QH", 2, D(15), D(3), D("3.5"), D("-0.5"), 2),
    ]
    indices = [(r.self_index, r.final_index, r.gap_index) for r in rows]
    expected = [
        (Fraction(11, 12), Fraction(8, 12)),
        (Fraction(12, 12), Fraction(10, 12)),
        (Fraction(13, 22), Fraction(6, 11)),
        (Fraction(31, 30), Fraction(14, 15)),
        (Fraction(3, 15), Fraction(7, 30)),
    ]
    for (self_index, final_index, gap_index), (self_ratio, final_ratio) in zip(
        indices, expected, strict=True
    ):
        assert round(self_index, 10) == round(D(self_ratio.numerator * 100) / self_ratio.denominator, 10)
        assert round(final_index, 10) == round(D(final_ratio.numerator * 100) / final_ratio.denominator, 10)
        assert gap_index == self_index - final_index
    assert [round(r.gap_index, 2) for r in rows] == [
        D("25.00"),
        D("16.67"),
        D("4.55"),
        D("10.00"),
        D("-3.33"),
    ]


def test_over_scoring_ties_share_a_rank(fx):
    # A third district scoring like B2 has the same gap: both rank 2.
    add_agency(fx, "B3", "UBND quận Thanh Khê", "QH", "R2", SCORES["B2"])

    rows = [
        (r.agency.code, r.over_rank) for r in analysis.self_accuracy(period=fx.period) if r.group.code == "QH"
    ]

    assert rows == [("B1", 1), ("B2", 2), ("B3", 2)]


def test_accuracy_distribution(fx, django_assert_num_queries):
    with django_assert_num_queries(5):
        groups = analysis.accuracy_distribution(period=fx.period)

    summary = [
        (g.group.code, g.agencies, g.minimum, g.median, g.maximum, g.mean, g.histogram) for g in groups
    ]
    assert summary == [
        # SBN gaps 0.5, 2, 3: median 2, mean 5.5 / 3 = 1.83; bins (0; 2] 2, (2; 5] 1.
        ("SBN", 3, D("0.5"), D(2), D(3), D("5.5") / 3, [0, 0, 2, 1, 0, 0]),
        # QH gaps −0.5, 1.5: median (−0.5 + 1.5) / 2 = 0.5, mean 0.5; bins < 0 1, (0; 2] 1.
        ("QH", 2, D("-0.5"), D("0.5"), D("1.5"), D("0.5"), [1, 0, 1, 0, 0, 0]),
    ]
    assert groups[1].bins == [("< 0", 1), ("0", 0), ("0 – 2", 1), ("2 – 5", 0), ("5 – 10", 0), ("> 10", 0)]
    # From rows already read: no query.
    rows = analysis.self_accuracy(period=fx.period)
    with django_assert_num_queries(0):
        assert analysis.accuracy_distribution(period=fx.period, rows=rows) == groups


def test_gap_bins_include_their_upper_bound():
    bins = [analysis.gap_bin(D(v)) for v in ("-0.01", "0", "0.01", "2", "2.01", "5", "10", "10.01")]
    assert bins == [0, 1, 2, 2, 3, 3, 4, 5]


# --- one load for several reads, bounded at every size ---------------------------------------


def test_one_snapshot_serves_every_read(fx, django_assert_num_queries):
    with django_assert_num_queries(5):
        snapshot = analysis.period_snapshot(period=fx.period)
    with django_assert_num_queries(0):
        analysis.criterion_losses(period=fx.period, snapshot=snapshot)
        analysis.heat_map(period=fx.period, group=fx.groups["QH"], snapshot=snapshot)
        analysis.reviewer_consistency(period=fx.period, snapshot=snapshot)
        analysis.accuracy_distribution(period=fx.period, snapshot=snapshot)
    assert [g.code for g in snapshot.groups] == ["SBN", "QH"]
    other = PeriodFactory(year=2024, code="CCHC-2024")
    with pytest.raises(ValueError):
        analysis.criterion_losses(period=other, snapshot=snapshot)
    with pytest.raises(ValueError):
        analysis.loss_detail(period=other, criterion=fx.criteria["1.1"])


def test_queries_do_not_grow_with_agencies(django_assert_num_queries):
    fx = build_analysis(extra=4)
    with django_assert_num_queries(5):
        losses = analysis.criterion_losses(period=fx.period)
    with django_assert_num_queries(4):
        detail = analysis.loss_detail(period=fx.period, criterion=fx.criteria["1.2"])
    with django_assert_num_queries(5):
        analysis.heat_map(period=fx.period, group=fx.groups["SBN"])
    with django_assert_num_queries(5):
        reviewers = analysis.reviewer_consistency(period=fx.period)
    with django_assert_num_queries(5):
        analysis.self_accuracy(period=fx.period)
    # 4 more agencies per group scored like A2 and B2: 1.1 loses 6 + 4 × (2 + 2) = 22 over 13.
    assert (losses[0].agencies, losses[0].lost_total) == (13, D(22))
    assert len(detail) == 13
    assert [r.assessments for r in reviewers] == [6, 7]
