"""The reviewer's own "does not arise" (issue 9, item 6b), overruling the agency's either way.

CCHC 2025, group SBN, tiers Rất tốt ≥ 90, Tốt ≥ 80, Khá ≥ 70, Trung bình ≥ 50, Yếu. The
criteria (maximum 20):

    1     field
    1.1   number, max 4, step 0.5
    1.2   number, max 2, step 0.5, may not arise
    1.3   number, max 4, step 0.5, may not arise
    2     field
    2.1   number, max 6, step 0.5
    2.2   yes/no, max 4

Sở Nội vụ (SNV) self-assesses 1.1 = 3, 1.2 = 2, 1.3 "does not arise", 2.1 = 5, 2.2 = 4:
14 of 20 − 4 = 16, index 87,50. Its reviewer keeps 1.1, 2.1 and 2.2, overrules both others:
1.2 does not arise after all, 1.3 arises and scores 2. Final: 3 + 2 + 5 + 4 = 14 of
20 − 2 = 18, index 77,777…, "Khá"; fields 1 = 5, 2 = 9. Had the agency's word stood, SNV
would have 14 of 16, 87,50, "Tốt", and rank first.

Sở Tài chính (STC) self-assesses and is reviewed at 4, 2, 4, 6, 0: 16 of 20, index 80,00,
"Tốt", rank 1 of the group; SNV rank 2.

Messages are asserted as the English msgids.
"""

import io
from decimal import Decimal
from types import SimpleNamespace

import pytest
from django.urls import reverse
from django.utils.translation import override
from openpyxl import Workbook, load_workbook

from accounts.models import Role
from ranking import scoring
from ranking.assessments.appraisal import (
    appraisal_approve,
    assessment_mark_reviewed,
    explanation_decide,
    explanation_set,
    explanation_submit,
    field_accept_self,
    score_review_set,
)
from ranking.assessments.services import assessment_submit, score_self_set
from ranking.assessments.sheets import assessment_sheet, sheet_figures
from ranking.enums import AssessmentStatus, Decision, Method, Phase
from ranking.errors import ServiceError
from ranking.models import Assessment, Criterion, Result, Score
from ranking.reports.analysis import period_snapshot, self_accuracy
from ranking.reports.exports.pack import conference_pack_workbook
from ranking.results.compute import results_compute
from ranking.workbook.importer import workbook_export, workbook_import
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

D = Decimal
HTMX = {"HTTP_HX_REQUEST": "true"}
SNV_SELF = {"1.1": "3", "1.2": "2", "1.3": None, "2.1": "5", "2.2": "4"}
STC_SELF = {"1.1": "4", "1.2": "2", "1.3": "4", "2.1": "6", "2.2": "0"}


@pytest.fixture(autouse=True)
def _english_and_fast(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    with override("en"):
        yield


@pytest.fixture
def year():
    period = PeriodFactory(year=2025, phase=Phase.SELF_ASSESSMENT, award_from_tier="Rất tốt")
    make_tiers(period)
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    snv = AgencyFactory(code="SNV", name="Sở Nội vụ", group=group)
    stc = AgencyFactory(code="STC", name="Sở Tài chính", group=group)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    council = UserFactory(username="hoidong", role=Role.COUNCIL)
    heads = {
        agency.code: UserFactory(username=f"lanhdao.{agency.code}", role=Role.HEAD, agency=agency)
        for agency in (snv, stc)
    }

    def criterion(code, parent=None, **fields):
        return Criterion.objects.create(
            period=period, code=code, title=f"Tiêu chí {code}", parent=parent, **fields
        )

    half = {"step": D("0.5")}
    field1, field2 = criterion("1"), criterion("2")
    leaves = {
        "1.1": criterion("1.1", field1, max_points=D(4), **half),
        "1.2": criterion("1.2", field1, max_points=D(2), allow_not_arising=True, **half),
        "1.3": criterion("1.3", field1, max_points=D(4), allow_not_arising=True, **half),
        "2.1": criterion("2.1", field2, max_points=D(6), **half),
        "2.2": criterion("2.2", field2, max_points=D(4), method=Method.YESNO),
    }
    assessments = {}
    for agency, scores in ((snv, SNV_SELF), (stc, STC_SELF)):
        assessment = AssessmentFactory(period=period, agency=agency, reviewer=reviewer)
        for code, value in scores.items():
            score_self_set(
                user=heads[agency.code],
                assessment=fresh(assessment),
                criterion_id=leaves[code].id,
                value=None if value is None else D(value),
                not_arising=value is None,
            )
        assessment_submit(user=heads[agency.code], assessment=fresh(assessment))
        assessments[agency.code] = assessment
    period.phase = Phase.APPRAISAL
    period.save()
    for field_code in ("1", "2"):
        field_accept_self(user=reviewer, assessment=fresh(assessments["STC"]), field_code=field_code)
    return SimpleNamespace(
        period=period,
        leaves=leaves,
        snv=assessments["SNV"],
        stc=assessments["STC"],
        reviewer=reviewer,
        council=council,
        head=heads["SNV"],
        fields=(field1, field2),
    )


def fresh(assessment: Assessment) -> Assessment:
    return Assessment.objects.select_related("period", "agency__group", "reviewer").get(pk=assessment.pk)


def review(year, code, value, *, comment="", not_arising=None, assessment=None):
    return score_review_set(
        user=year.reviewer,
        assessment=fresh(assessment or year.snv),
        criterion_id=year.leaves[code].id,
        value=None if value is None else D(value),
        comment=comment,
        not_arising=not_arising,
    )


def overrule_both(year) -> None:
    """The reviewer keeps 1.1, 2.1 and 2.2 and overrules 1.2 (it does not arise) and 1.3 (it does)."""
    for code in ("1.1", "2.1", "2.2"):
        review(year, code, SNV_SELF[code])
    review(year, "1.2", "2", not_arising=True, comment="Năm 2025 đơn vị không có nhiệm vụ này.")
    review(year, "1.3", "2", not_arising=False, comment="Có phát sinh: đã tổ chức 2 đợt kiểm tra.")


def score(year, code, assessment=None) -> Score:
    return Score.objects.get(assessment=assessment or year.snv, criterion=year.leaves[code])


def totals(t: scoring.Totals) -> tuple:
    return (t.total, t.maximum, t.index)


# --- the service ------------------------------------------------------------------------------


def test_overruling_needs_a_comment_and_a_leaf_that_may_not_arise(year):
    versions = [score(year, c).version for c in ("1.1", "1.2", "1.3")]
    with pytest.raises(ServiceError) as no_comment:
        review(year, "1.2", None, not_arising=True)
    with pytest.raises(ServiceError) as arises_without_comment:
        review(year, "1.3", None, not_arising=False)
    with pytest.raises(ServiceError) as not_allowed:
        review(year, "1.1", None, not_arising=True, comment="Không phát sinh")

    assert no_comment.value.messages == [
        "Write a comment: you judge differently from the agency whether this arises."
    ]
    assert arises_without_comment.value.messages == no_comment.value.messages
    assert not_allowed.value.messages == ["This criterion does not allow “does not arise”."]
    assert [score(year, c).reviewer_not_arising for c in ("1.1", "1.2", "1.3")] == [None, None, None]
    assert [score(year, c).version for c in ("1.1", "1.2", "1.3")] == versions


def test_agreeing_with_the_agency_stays_possible_where_the_leaf_no_longer_allows_it(year):
    """The agency said "does not arise" of 1.3; a later import of the criteria took that away."""
    Criterion.objects.filter(pk=year.leaves["1.3"].pk).update(allow_not_arising=False)

    review(year, "1.3", None, not_arising=True)

    agreed = score(year, "1.3")
    assert (agreed.not_arising, agreed.reviewer_not_arising, agreed.reviewed_score) == (True, True, None)


def test_overruling_either_way_is_stored_with_the_comment_and_its_history(year):
    overrule_both(year)

    na, arises = score(year, "1.2"), score(year, "1.3")
    assert (na.not_arising, na.reviewer_not_arising, na.final_not_arising) == (False, True, True)
    assert (na.self_score, na.reviewed_score, na.final_score) == (D(2), None, None)
    assert na.review_comment == "Năm 2025 đơn vị không có nhiệm vụ này."
    assert (arises.not_arising, arises.reviewer_not_arising, arises.final_not_arising) == (True, False, False)
    assert (arises.self_score, arises.reviewed_score, arises.final_score) == (None, D(2), D(2))
    last = na.history.first()
    assert (last.reviewer_not_arising, last.history_user, last.history_change_reason) == (
        True,
        year.reviewer,
        "Thẩm định",
    )
    # The same word again changes nothing; agreeing with the agency needs no comment.
    review(year, "1.2", None, not_arising=True, comment="Năm 2025 đơn vị không có nhiệm vụ này.")
    assert score(year, "1.2").version == na.version
    review(year, "1.2", "2", not_arising=False)
    assert (score(year, "1.2").reviewer_not_arising, score(year, "1.2").final_score) == (False, D(2))


def test_a_leaf_overruled_to_arise_waits_for_its_score(year):
    review(year, "1.3", None, not_arising=False, comment="Có phát sinh.")

    sheet = assessment_sheet(assessment=fresh(year.snv))
    assert [row.criterion.code for row in sheet.unreviewed] == ["1.1", "1.2", "1.3", "2.1", "2.2"]
    assert [row.criterion.code for row in sheet.uncommented] == []
    assert sheet.differences == 1
    for code in ("1.1", "2.1", "2.2"):
        review(year, code, SNV_SELF[code])
    review(year, "1.2", "2")
    with pytest.raises(ServiceError) as refused:
        assessment_mark_reviewed(user=year.reviewer, assessment=fresh(year.snv))
    assert refused.value.messages == ["The appraisal cannot be closed yet:", "1.3 has no reviewed score."]
    with pytest.raises(ServiceError) as unscored:
        results_compute(period=year.period)
    assert unscored.value.messages == [
        "Results of period CCHC-2025 cannot be computed: the agencies below have leaves without a "
        "final score. Complete their scores, or choose for each one on the results page: "
        "“Not assessed”, or “Not ranked” once every leaf is scored.",
        "Sở Nội vụ (SNV) has no final score for 1.3.",
    ]


def test_accepting_the_field_keeps_the_reviewers_word_on_arising(year):
    # Issue 11 §2: accepting a field fills only what the reviewer has not touched; an overruled
    # "does not arise" is the reviewer's work and stays (it used to be taken back).
    overrule_both(year)
    before = totals(assessment_sheet(assessment=fresh(year.snv)).final_totals)

    accepted = field_accept_self(user=year.reviewer, assessment=fresh(year.snv), field_code="1")

    assert (accepted.filled, accepted.kept) == ({}, 3)
    assert [(score(year, c).reviewer_not_arising, score(year, c).final_score) for c in ("1.2", "1.3")] == [
        (True, None),
        (False, D(2)),
    ]
    assert totals(assessment_sheet(assessment=fresh(year.snv)).final_totals) == before


# --- totals, maximum, index, tier, rank: every reader of the final scores ------------------------


def test_the_sheet_counts_the_self_assessment_as_the_agency_and_the_rest_as_the_reviewer(year):
    sheet = assessment_sheet(assessment=fresh(year.snv))
    assert totals(sheet.self_totals) == (D(14), D(16), D("87.5"))

    overrule_both(year)

    sheet = assessment_sheet(assessment=fresh(year.snv))
    figures = sheet_figures(assessment=fresh(year.snv), appraisal=True)
    index = D(14) * 100 / D(18)
    assert index == D("77.77777777777777777777777778")
    for seen in (sheet, figures):
        assert totals(seen.self_totals) == (D(14), D(16), D("87.5"))
        assert totals(seen.reviewed_totals) == (D(14), D(18), index)
        assert totals(seen.final_totals) == (D(14), D(18), index)
        assert (seen.differences, seen.uncommented_count, seen.unreviewed_count) == (2, 0, 0)
    field1 = sheet.row(year.fields[0].id)
    assert (field1.max_points, field1.self_subtotal, field1.reviewed_subtotal, field1.final_subtotal) == (
        D(10),
        D(5),
        D(5),
        D(5),
    )
    assert [f.max_points for f in figures.headings] == [D(10), D(10)]


def test_results_follow_the_reviewers_word_in_both_directions(year):
    overrule_both(year)

    results_compute(period=year.period)

    rows = {
        r.agency.code: (r.total, r.maximum, r.index, r.tier.label, r.rank, r.field_scores)
        for r in Result.objects.select_related("agency", "tier")
    }
    assert rows == {
        "STC": (D(16), D(20), D(80), "Tốt", 1, {"1": "10.0000", "2": "6.0000"}),
        "SNV": (D(14), D(18), D("77.7777777778"), "Khá", 2, {"1": "5.0000", "2": "9.0000"}),
    }


def test_without_the_reviewers_word_the_agencys_stands(year):
    for code in ("1.1", "1.2", "2.1", "2.2"):
        review(year, code, SNV_SELF[code])

    results_compute(period=year.period)

    snv = Result.objects.select_related("tier").get(agency__code="SNV")
    assert (snv.total, snv.maximum, snv.index, snv.tier.label, snv.rank) == (
        D(14),
        D(16),
        D("87.5"),
        "Tốt",
        1,
    )


def test_an_accepted_explanation_makes_an_overruled_leaf_arise_with_its_score(year):
    overrule_both(year)
    snv = fresh(year.snv)
    assessment_mark_reviewed(user=year.reviewer, assessment=snv)
    appraisal_approve(user=year.council, assessment=fresh(year.snv))
    year.period.phase = Phase.EXPLANATION
    year.period.save()
    explanation_set(
        user=year.head,
        assessment=fresh(year.snv),
        criterion_id=year.leaves["1.2"].id,
        explanation="Đơn vị có thực hiện nhiệm vụ này, xem báo cáo số 12/BC.",
        proposed_score=D(2),
    )
    explanation_submit(user=year.head, assessment=fresh(year.snv))

    explanation_decide(
        user=year.reviewer,
        assessment=fresh(year.snv),
        criterion_id=year.leaves["1.2"].id,
        decision=Decision.ACCEPTED,
        reason="Báo cáo số 12/BC xác nhận có phát sinh.",
    )

    accepted = score(year, "1.2")
    assert (accepted.reviewer_not_arising, accepted.reviewed_score, accepted.final_score) == (
        False,
        None,
        D(2),
    )
    assert fresh(year.snv).status == AssessmentStatus.FINALIZED
    # 3 + 2 + 2 + 5 + 4 = 16 of 20.
    assert totals(assessment_sheet(assessment=fresh(year.snv)).final_totals) == (D(16), D(20), D(80))


def test_the_analysis_compares_the_agencys_word_with_the_final_one(year):
    overrule_both(year)
    results_compute(period=year.period)

    rows = {r.agency.code: r for r in self_accuracy(period=year.period)}

    snv = rows["SNV"]
    assert (snv.self_total, snv.final_total, snv.maximum, snv.gap) == (D(14), D(14), D(18), D(0))
    assert (snv.self_index, snv.final_index) == (D("87.5"), D(14) * 100 / D(18))
    entry = next(e for e in period_snapshot(period=year.period).entries if e.agency.code == "SNV")
    assert [entry.scores[year.leaves[c].id].final_not_arising for c in ("1.1", "1.2", "1.3")] == [
        False,
        True,
        False,
    ]


def test_the_details_sheet_writes_does_not_arise_where_each_word_says_it(year):
    overrule_both(year)
    results_compute(period=year.period)
    book = conference_pack_workbook(
        period=year.period, sheets=["details"], columns={"details": ["code", "self", "reviewed", "final"]}
    )
    buffer = io.BytesIO()
    book.save(buffer)
    rows = list(load_workbook(buffer)["Chi tiết"].iter_rows(values_only=True))

    snv = next(row for row in rows if row[0] == "SNV")
    assert list(snv) == ["SNV", 3, 3, 3, 2, "KPS", "KPS", "KPS", 2, 2, 5, 5, 5, 4, 4, 4]
    stc = next(row for row in rows if row[0] == "STC")
    assert list(stc) == ["STC", 4, 4, 4, 2, 2, 2, 4, 4, 4, 6, 6, 6, 0, 0, 0]


# --- the appraisal page ----------------------------------------------------------------------------


def save_url(year, code):
    return reverse("score_review_save", args=[year.snv.pk, year.leaves[code].id])


def box(year, code, *, checked: bool) -> str:
    return f'id="not-arising-{year.leaves[code].id}" data-not-arising{" checked" if checked else ""}>'


def test_the_page_offers_the_box_where_a_leaf_may_not_arise_and_posts_the_reviewers_word(client, year):
    client.force_login(year.reviewer)
    client.cookies["django_language"] = "en"
    html = client.get(reverse("review_detail", args=[year.snv.pk])).content.decode()
    assert f'id="not-arising-{year.leaves["1.1"].id}"' not in html
    assert box(year, "1.2", checked=False) in html
    assert box(year, "1.3", checked=True) in html

    ticked = client.post(
        save_url(year, "1.2"),
        {"reviewed_score": "2", "not_arising": ["", "1"], "review_comment": "Không có nhiệm vụ."},
        **HTMX,
    )
    unticked = client.post(
        save_url(year, "1.3"),
        {"reviewed_score": "2", "not_arising": [""], "review_comment": "Có phát sinh."},
        **HTMX,
    )
    without_box = client.post(save_url(year, "1.1"), {"reviewed_score": "3"}, **HTMX)

    assert (ticked.status_code, unticked.status_code, without_box.status_code) == (200, 200, 200)
    stored = {c: (score(year, c).reviewer_not_arising, score(year, c).reviewed_score) for c in SNV_SELF}
    assert stored == {
        "1.1": (None, D(3)),
        "1.2": (True, None),
        "1.3": (False, D(2)),
        "2.1": (None, None),
        "2.2": (None, None),
    }
    assert 'data-differs="true" data-uncommented="false"' in ticked.content.decode()
    assert 'data-total="reviewed">2.00</span>' in unticked.content.decode()
    page = client.get(reverse("review_detail", args=[year.snv.pk])).content.decode()
    assert box(year, "1.2", checked=True) in page
    assert box(year, "1.3", checked=False) in page


def test_queue_counts_a_leaf_the_reviewer_left_out_as_reviewed(client, year):
    review(year, "1.2", None, not_arising=True, comment="Không có nhiệm vụ.")
    client.force_login(year.reviewer)

    html = client.get(reverse("review_queue")).content.decode()

    # SNV: 1.2 (left out by the reviewer) and 1.3 (left out by the agency) of 5.
    assert f'<tr data-queue-row="{year.snv.pk}">' in html
    row = html[html.index(f'<tr data-queue-row="{year.snv.pk}">') :]
    assert '<td class="num">2 / 5</td>' in row[: row.index("</tr>")]


# --- the year workbook: the optional column "Không phát sinh (thẩm định)" -------------------------

DIEM = [
    "Mã kỳ",
    "Mã đơn vị",
    "Mã tiêu chí",
    "Điểm tự đánh giá",
    "Điểm thẩm định",
    "Không phát sinh",
    "Ghi chú",
]
REVIEWER = "Không phát sinh (thẩm định)"


def xlsx(rows) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = "Diem"
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_exported_workbook_carries_the_reviewers_word_and_reads_back_unchanged(year):
    overrule_both(year)

    book = workbook_export()
    buffer = io.BytesIO()
    book.save(buffer)
    rows = list(load_workbook(io.BytesIO(buffer.getvalue()))["Diem"].iter_rows(values_only=True))

    assert list(rows[0]) == [*DIEM, REVIEWER]
    snv = {row[2]: row[3:] for row in rows[1:] if row[1] == "SNV"}
    assert snv == {
        "1.1": (3, 3, None, None, None),
        "1.2": (2, None, None, None, "x"),
        "1.3": (None, 2, "x", None, "không"),
        "2.1": (5, 5, None, None, None),
        "2.2": (4, 4, None, None, None),
    }
    buffer.seek(0)
    report = workbook_import(file=buffer)
    assert report.problems == []
    assert [(c.sheet, c.new, c.updated) for c in report.sheets if c.sheet == "Diem"] == [("Diem", 0, 0)]


def test_importing_the_column_sets_the_reviewers_word_and_the_totals_follow(year):
    rows = [
        [*DIEM, REVIEWER],
        ["CCHC-2025", "SNV", "1.1", 3, 3, None, None, None],
        ["CCHC-2025", "SNV", "1.2", 2, None, None, None, "x"],
        ["CCHC-2025", "SNV", "1.3", None, 2, "x", None, "Không"],
        ["CCHC-2025", "SNV", "2.1", 5, 5, None, None, None],
        ["CCHC-2025", "SNV", "2.2", 4, 4, None, None, ""],
    ]

    report = workbook_import(file=xlsx(rows))

    assert report.problems == []
    assert [(c.sheet, c.updated) for c in report.sheets] == [("Diem", 5)]
    assert [score(year, c).reviewer_not_arising for c in SNV_SELF] == [None, True, False, None, None]
    results_compute(period=year.period)
    snv = Result.objects.select_related("tier").get(agency__code="SNV")
    assert (snv.total, snv.maximum, snv.index, snv.tier.label, snv.rank) == (
        D(14),
        D(18),
        D("77.7777777778"),
        "Khá",
        2,
    )

    # A file without the column means what it always did: the agency's flag decides.
    report = workbook_import(file=xlsx([row[:7] for row in rows]))

    assert report.problems == []
    assert [score(year, c).reviewer_not_arising for c in SNV_SELF] == [None] * 5


def test_a_wrong_reviewers_word_is_refused_per_cell_and_nothing_is_written(year):
    rows = [
        [*DIEM, REVIEWER],
        ["CCHC-2025", "SNV", "1.1", 3, 3, None, None, "x"],
        ["CCHC-2025", "SNV", "1.2", 2, 2, None, None, "có lẽ"],
        ["CCHC-2025", "SNV", "1.3", None, 2, "x", None, "không"],
    ]

    report = workbook_import(file=xlsx(rows))

    assert report.problems == [
        "Diem!2 Không phát sinh (thẩm định): Criterion 1.1 does not allow “does not arise”.",
        "Diem!3 Không phát sinh (thẩm định): “có lẽ”: write x, không, or leave the cell empty.",
    ]
    assert [score(year, c).reviewer_not_arising for c in ("1.1", "1.2", "1.3")] == [None, None, None]
    assert score(year, "1.3").reviewed_score is None


# --- what the agency and the reports read ---------------------------------------------------------


def leaf_html(html: str, marker: str, criterion: Criterion) -> str:
    start = html.index(marker.format(id=criterion.id, code=criterion.code))
    return html[start : start + 4000]


def test_the_agency_reads_the_reviewers_word_once_the_appraisal_is_approved(client, year):
    overrule_both(year)
    assessment_mark_reviewed(user=year.reviewer, assessment=fresh(year.snv))
    appraisal_approve(user=year.council, assessment=fresh(year.snv))
    client.force_login(year.head)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("assessment_detail", args=[year.snv.pk])).content.decode()

    left_out = leaf_html(html, 'id="leaf-{id}" data-leaf', year.leaves["1.2"])
    assert '<td class="num">2</td>' in left_out
    assert 'data-reviewed>does not arise <span class="badge text-bg-warning">differs</span></td>' in left_out
    assert "data-final>does not arise</td>" in left_out
    arises = leaf_html(html, 'id="leaf-{id}" data-leaf', year.leaves["1.3"])
    assert '<td class="num">does not arise</td>' in arises
    assert 'data-reviewed>2 <span class="badge text-bg-warning">differs</span></td>' in arises
    assert "data-final>2</td>" in arises


def test_the_agency_report_shows_each_word_where_it_counts(client, year):
    overrule_both(year)
    results_compute(period=year.period)
    client.force_login(year.council)
    client.cookies["django_language"] = "en"

    html = client.get(reverse("agency_report", args=[year.period.code, "SNV"])).content.decode()

    left_out = leaf_html(html, 'data-code="{code}"', year.leaves["1.2"])
    assert '<td class="num" data-leaf="self">2.00</td>' in left_out
    assert 'data-leaf="not-arising">does not arise</td>' in left_out
    arises = leaf_html(html, 'data-code="{code}"', year.leaves["1.3"])
    assert 'data-leaf="self"><span class="small text-body-secondary">does not arise</span></td>' in arises
    assert 'data-leaf="reviewed">2.00</td>' in arises
    assert 'data-leaf="final">2.00</td>' in arises

    response = client.get(reverse("agency_report_xlsx", args=[year.period.code, "SNV"]))
    rows = list(load_workbook(io.BytesIO(response.content))["SNV"].iter_rows(values_only=True))
    by_code = {row[0]: row[2:6] for row in rows if row and row[0] in ("1.2", "1.3")}
    assert by_code == {
        "1.2": (2, 2, "does not arise", "does not arise"),
        "1.3": (4, "does not arise", 2, 2),
    }
