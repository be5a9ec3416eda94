"""Agencies assessed but not ranked, left out, or late (issue 12 §2): ranking/results/standing.py
and what `results_compute` makes of them.

The council's year (tests/builders.py `build_year`): CCHC 2025, maximum 100 so an index equals
a total, tiers Rất tốt ≥ 90, Tốt ≥ 80, Khá ≥ 70, Trung bình ≥ 50, certificates from Rất tốt.

    group  agency  1.1  1.2  2.1   total  tier         rank
    SBN    STP      58   27  9,5    94,5  Rất tốt         1
    SBN    SNV      55   28    9      92  Rất tốt         2
    SBN    STC      50   25  8,5    83,5  Tốt             3
    SBN    SYT      40   20    7      67  Trung bình      4
    QH     QHC      45   26    8      79  Khá             1

Service messages are asserted as the English msgids (`override("en")`); pages are read in
Vietnamese, as the users see them.
"""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils.translation import gettext, override

from accounts.models import AgencyGroup, Role
from ranking.assessments.services import assessment_submit
from ranking.enums import AssessmentStatus, LateRule, Phase, Standing
from ranking.errors import ServiceError
from ranking.models import Assessment, AwardEntry, Period, Publication, Result, Score
from ranking.reports.exports.conference import conference_workbook
from ranking.results.compute import period_inputs, results_compute, results_current
from ranking.results.finalization import award_change, period_publish, results_approve
from ranking.results.publications import PublishedResults
from ranking.results.selectors import council_notes
from ranking.results.standing import assessment_late_set, assessment_standing_set
from tests.builders import SelfAssessmentYear, build_year, table_rows, today
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

D = Decimal
REFUSAL = (
    "Results of period CCHC-2025 cannot be computed: the agencies below have leaves without a "
    "final score. Complete their scores, or choose for each one on the results page: "
    "“Not assessed”, or “Not ranked” once every leaf is scored."
)


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def council():
    return UserFactory(username="hoidong", role=Role.COUNCIL)


def in_site_language(msgid: str, **params) -> str:
    with override(settings.LANGUAGE_CODE):
        text = gettext(msgid)
        return text % params if params else text


def results(period) -> dict[str, tuple]:
    """Agency code → (rank, total, tier, standing, late) as stored."""
    return {
        r.agency.code: (r.rank, r.total, r.tier.label, r.standing, r.late)
        for r in Result.objects.filter(period=period).select_related("agency", "tier")
    }


def awarded(period) -> list[str]:
    return sorted(
        AwardEntry.objects.filter(period=period, included=True).values_list("agency__code", flat=True)
    )


def standing(year, code, value, reason, user):
    return assessment_standing_set(
        user=user, assessment=year.assessments[code], standing=value, reason=reason
    )


# --- ranks close up, awards skip -------------------------------------------------------------------


def test_a_not_ranked_agency_keeps_index_and_tier_and_the_others_close_up(council):
    year = build_year()
    standing(year, "SNV", Standing.NOT_RANKED, "Người đứng đầu bị kỷ luật", council)

    summary = results_compute(period=year.period)

    assert results(year.period) == {
        "STP": (1, D("94.5"), "Rất tốt", Standing.RANKED, False),
        "SNV": (None, D("92"), "Rất tốt", Standing.NOT_RANKED, False),
        "STC": (2, D("83.5"), "Tốt", Standing.RANKED, False),
        "SYT": (3, D("67"), "Trung bình", Standing.RANKED, False),
        "QHC": (1, D("79"), "Khá", Standing.RANKED, False),
    }
    snv = Result.objects.get(period=year.period, agency__code="SNV")
    assert (snv.index, snv.standing_reason, snv.previous_rank, snv.change) == (
        D("92"),
        "Người đứng đầu bị kỷ luật",
        1,
        None,
    )
    # SNV reached the certificate tier but is not ranked: only STP is proposed.
    assert awarded(year.period) == ["STP"]
    assert (summary.agencies, summary.proposed_awards) == (4, 1)


def test_every_agency_ranked_proposes_both_top_agencies():
    year = build_year()

    results_compute(period=year.period)

    assert awarded(year.period) == ["SNV", "STP"]
    assert {code: row[0] for code, row in results(year.period).items()} == {
        "STP": 1,
        "SNV": 2,
        "STC": 3,
        "SYT": 4,
        "QHC": 1,
    }


def test_the_council_cannot_put_a_not_ranked_agency_on_the_list(council):
    year = build_year()
    standing(year, "SNV", Standing.NOT_RANKED, "Người đứng đầu bị kỷ luật", council)
    results_compute(period=year.period)

    with pytest.raises(ServiceError) as refused:
        award_change(
            user=council,
            period=year.reload(),
            agency=year.assessments["SNV"].agency,
            included=True,
            reason="Đề nghị",
        )

    assert refused.value.messages == ["Sở Nội vụ is not ranked: it gets no certificate of merit."]
    assert awarded(year.period) == ["STP"]


def test_an_excluded_agency_has_no_result_and_is_listed_with_its_reason(client, council):
    year = build_year()
    standing(year, "SNV", Standing.EXCLUDED, "Không nộp hồ sơ tự đánh giá", council)

    results_compute(period=year.period)

    assert results(year.period) == {
        "STP": (1, D("94.5"), "Rất tốt", Standing.RANKED, False),
        "STC": (2, D("83.5"), "Tốt", Standing.RANKED, False),
        "SYT": (3, D("67"), "Trung bình", Standing.RANKED, False),
        "QHC": (1, D("79"), "Khá", Standing.RANKED, False),
    }
    assert awarded(year.period) == ["STP"]
    client.force_login(council)
    html = client.get("/hoi-dong/CCHC-2025/ket-qua/").content.decode()
    assert table_rows(html, "excluded-table") == [
        ["Khối sở, ban, ngành", "Sở Nội vụ", "Không đánh giá", "Không nộp hồ sơ tự đánh giá"]
    ]
    assert [row[:2] for row in table_rows(html, "results-table")] == [
        ["1", "Sở Tư pháp"],
        ["2", "Sở Tài chính"],
        ["3", "Sở Y tế"],
        ["1", "UBND quận Hải Châu"],
    ]


@pytest.mark.parametrize(
    ("value", "reason"),
    [(Standing.NOT_RANKED, "Sáp nhập giữa năm"), (Standing.EXCLUDED, "Không nộp hồ sơ tự đánh giá")],
)
def test_an_agency_the_council_added_leaves_the_list_once_it_is_not_ranked_or_not_assessed(
    council, value, reason
):
    """The council's decision to add an agency stands while the agency is ranked; an agency
    not ranked or not assessed afterwards leaves the list (it gets no certificate), and the
    entry, off the list as the rule proposes, is no council change in the notes."""
    year = build_year()
    results_compute(period=year.period)
    award_change(
        user=council,
        period=year.reload(),
        agency=year.assessments["STC"].agency,
        included=True,
        reason="Đề nghị",
    )
    assert awarded(year.period) == ["SNV", "STC", "STP"]
    assert [(c.code, c.added) for c in council_notes(period=year.period).award_changes] == [("STC", True)]

    standing(year, "STC", value, reason, council)
    results_compute(period=year.reload())

    assert awarded(year.period) == ["SNV", "STP"]
    entry = AwardEntry.objects.get(period=year.period, agency__code="STC")
    assert (entry.proposed, entry.included, entry.reason) == (False, False, "Đề nghị")
    assert council_notes(period=year.period).award_changes == []
    # Ranked again, it stays off until the council adds it again.
    standing(year, "STC", Standing.RANKED, "", council)
    results_compute(period=year.reload())
    assert awarded(year.period) == ["SNV", "STP"]
    award_change(
        user=council,
        period=year.reload(),
        agency=year.assessments["STC"].agency,
        included=True,
        reason="Đề nghị lại",
    )
    assert awarded(year.period) == ["SNV", "STC", "STP"]


def test_the_council_page_shows_a_not_ranked_agency_last_without_a_rank(client, council):
    year = build_year()
    standing(year, "SNV", Standing.NOT_RANKED, "Người đứng đầu bị kỷ luật", council)
    results_compute(period=year.period)
    client.force_login(council)

    html = client.get("/hoi-dong/CCHC-2025/ket-qua/").content.decode()

    assert [row[:2] + row[4:7] for row in table_rows(html, "results-table")] == [
        ["1", "Sở Tư pháp", "94,50", "Rất tốt", "2"],
        ["2", "Sở Tài chính", "83,50", "Tốt", "6"],
        ["3", "Sở Y tế", "67,00", "Trung bình", "—"],
        ["—", "Sở Nội vụ Không xếp hạng Người đứng đầu bị kỷ luật", "92,00", "Rất tốt", "1"],
        ["1", "UBND quận Hải Châu", "79,00", "Khá", "1"],
    ]


# --- the reason and the permission -----------------------------------------------------------------


def test_a_reason_is_required_except_for_the_default(council):
    year = build_year()

    with pytest.raises(ServiceError) as refused:
        standing(year, "SNV", Standing.EXCLUDED, "  ", council)

    assert refused.value.messages == ["Write the reason why Sở Nội vụ is not ranked or not assessed."]
    assert Assessment.objects.get(pk=year.assessments["SNV"].pk).standing == Standing.RANKED
    standing(year, "SNV", Standing.EXCLUDED, "Không nộp", council)
    standing(year, "SNV", Standing.RANKED, "", council)
    snv = Assessment.objects.get(pk=year.assessments["SNV"].pk)
    assert (snv.standing, snv.standing_reason) == (Standing.RANKED, "")
    assert [h.history_change_reason for h in snv.history.order_by("history_id")][-2:] == [
        in_site_language("Standing: %(standing)s", standing=in_site_language("Not assessed"))
        + " — Không nộp",
        in_site_language("Standing: %(standing)s", standing=in_site_language("Ranked")),
    ]


@pytest.mark.parametrize("role", [Role.OFFICER, Role.REVIEWER])
def test_only_the_council_sets_standing_and_late(client, role):
    year = build_year()
    snv = year.assessments["SNV"]
    user = UserFactory(username="nguoi.khac", role=role, agency=snv.agency if role == Role.OFFICER else None)
    client.force_login(user)

    posts = [
        (f"/hoi-dong/danh-gia/{snv.pk}/xep-hang/", {"standing": "excluded", "reason": "Không nộp"}),
        (f"/hoi-dong/danh-gia/{snv.pk}/nop-muon/", {"late": "1", "reason": "Nộp muộn"}),
    ]
    for url, data in posts:
        assert client.post(url, data).status_code == 403, url
    with pytest.raises(PermissionDenied):
        assessment_standing_set(user=user, assessment=snv, standing=Standing.EXCLUDED, reason="Không nộp")
    snv.refresh_from_db()
    assert (snv.standing, snv.late) == (Standing.RANKED, False)


def test_the_council_sets_standing_and_late_from_the_results_page(client, council):
    year = build_year()
    snv = year.assessments["SNV"]
    client.force_login(council)

    response = client.post(
        f"/hoi-dong/danh-gia/{snv.pk}/xep-hang/", {"standing": "not_ranked", "reason": "Kỷ luật"}
    )
    assert (response.status_code, response["Location"]) == (302, "/hoi-dong/CCHC-2025/ket-qua/#standings")
    response = client.post(f"/hoi-dong/danh-gia/{snv.pk}/nop-muon/", {"late": "1", "reason": "Nộp sau hạn"})
    assert response.status_code == 302

    snv.refresh_from_db()
    assert (snv.standing, snv.standing_reason, snv.late, snv.late_reason) == (
        Standing.NOT_RANKED,
        "Kỷ luật",
        True,
        "Nộp sau hạn",
    )
    html = client.get("/hoi-dong/CCHC-2025/ket-qua/").content.decode()
    row = next(r for r in table_rows(html, "standings-table") if r[1] == "Sở Nội vụ")
    assert row[:5] == [
        "Khối sở, ban, ngành",
        "Sở Nội vụ",
        "Đã hoàn thiện",
        "Không xếp hạng Kỷ luật",
        "Nộp muộn Nộp sau hạn",
    ]


def test_nothing_is_set_once_published(council):
    year = build_year(phase=Phase.PUBLISHED)

    with pytest.raises(PermissionDenied):
        standing(year, "SNV", Standing.EXCLUDED, "Không nộp", council)


# --- an agency that never submitted ------------------------------------------------------------------


def never_submitted(year, code):
    assessment = year.assessments[code]
    Score.objects.filter(assessment=assessment).delete()
    Assessment.objects.filter(pk=assessment.pk).update(status=AssessmentStatus.DRAFT)


def test_an_agency_that_never_submitted_blocks_until_the_council_leaves_it_out(council):
    year = build_year()
    never_submitted(year, "SYT")

    with pytest.raises(ServiceError) as refused:
        results_compute(period=year.period)
    assert refused.value.messages == [REFUSAL, "Sở Y tế (SYT) has no final score for 1.1, 1.2, 2.1."]

    # Not ranked needs every score: the refusal stands.
    standing(year, "SYT", Standing.NOT_RANKED, "Không nộp hồ sơ", council)
    with pytest.raises(ServiceError) as refused:
        results_compute(period=year.period)
    assert refused.value.messages == [REFUSAL, "Sở Y tế (SYT) has no final score for 1.1, 1.2, 2.1."]

    standing(year, "SYT", Standing.EXCLUDED, "Không nộp hồ sơ", council)
    out = io.StringIO()
    call_command("compute_results", "CCHC-2025", stdout=out)

    assert results(year.period) == {
        "STP": (1, D("94.5"), "Rất tốt", Standing.RANKED, False),
        "SNV": (2, D("92"), "Rất tốt", Standing.RANKED, False),
        "STC": (3, D("83.5"), "Tốt", Standing.RANKED, False),
        "QHC": (1, D("79"), "Khá", Standing.RANKED, False),
    }


def test_the_command_refuses_with_the_agencies_before_the_choice():
    year = build_year()
    never_submitted(year, "SYT")

    with pytest.raises(CommandError) as raised:
        call_command("compute_results", "CCHC-2025", stdout=io.StringIO())

    assert str(raised.value) == f"{REFUSAL}\nSở Y tế (SYT) has no final score for 1.1, 1.2, 2.1."


# --- the late rule -----------------------------------------------------------------------------------


def late_year(council, rule, deduction=None):
    year = build_year()
    Period.objects.filter(pk=year.period.pk).update(late_rule=rule, late_deduction=deduction)
    assessment_late_set(user=council, assessment=year.assessments["SNV"], late=True, reason="Nộp sau hạn")
    results_compute(period=year.reload())
    return year


def test_late_deduct_takes_the_points_off_the_total(council):
    year = late_year(council, LateRule.DEDUCT, D("12.5"))

    # SNV: 92 − 12,5 = 79,5 (Khá), behind STC's 83,5; without survey 83 − 12,5 = 70,5.
    assert results(year.period) == {
        "STP": (1, D("94.5"), "Rất tốt", Standing.RANKED, False),
        "SNV": (3, D("79.5"), "Khá", Standing.RANKED, True),
        "STC": (2, D("83.5"), "Tốt", Standing.RANKED, False),
        "SYT": (4, D("67"), "Trung bình", Standing.RANKED, False),
        "QHC": (1, D("79"), "Khá", Standing.RANKED, False),
    }
    snv = Result.objects.get(period=year.period, agency__code="SNV")
    assert (snv.index, snv.total_without_survey, snv.field_scores) == (
        D("79.5"),
        D("70.5"),
        {"1": "83.0000", "2": "9.0000"},
    )
    assert awarded(year.period) == ["STP"]


def test_late_demote_lowers_one_tier_and_bars_the_certificate(council):
    year = late_year(council, LateRule.DEMOTE)

    assert results(year.period)["SNV"] == (2, D("92"), "Tốt", Standing.RANKED, True)
    snv = Result.objects.select_related("tier_before_demotion").get(period=year.period, agency__code="SNV")
    assert (snv.tier_before_demotion.label, snv.demoted) == ("Rất tốt", True)
    assert awarded(year.period) == ["STP"]


def test_late_not_ranked_gives_no_rank_with_the_rule_as_reason(council):
    year = late_year(council, LateRule.NOT_RANKED)

    assert results(year.period) == {
        "STP": (1, D("94.5"), "Rất tốt", Standing.RANKED, False),
        "SNV": (None, D("92"), "Rất tốt", Standing.NOT_RANKED, True),
        "STC": (2, D("83.5"), "Tốt", Standing.RANKED, False),
        "SYT": (3, D("67"), "Trung bình", Standing.RANKED, False),
        "QHC": (1, D("79"), "Khá", Standing.RANKED, False),
    }
    assert Result.objects.get(period=year.period, agency__code="SNV").standing_reason == in_site_language(
        "Submitted late (the period's rule: not ranked)"
    )
    assert awarded(year.period) == ["STP"]


def test_late_without_a_rule_changes_no_figure(council):
    year = late_year(council, LateRule.NONE)

    assert results(year.period)["SNV"] == (2, D("92"), "Rất tốt", Standing.RANKED, True)
    assert awarded(year.period) == ["SNV", "STP"]


def test_clearing_the_late_record_needs_a_reason(council):
    year = late_year(council, LateRule.DEMOTE)

    with pytest.raises(ServiceError) as refused:
        assessment_late_set(user=council, assessment=year.assessments["SNV"], late=False, reason="")
    assert refused.value.messages == ["Write the reason for recording or clearing the late submission."]

    assessment_late_set(
        user=council, assessment=year.assessments["SNV"], late=False, reason="Có lý do chính đáng"
    )
    results_compute(period=year.reload())
    assert results(year.period)["SNV"] == (2, D("92"), "Rất tốt", Standing.RANKED, False)


def test_a_submission_after_the_deadline_is_recorded_late():
    year = SelfAssessmentYear()
    year.fill_everything()
    Period.objects.filter(pk=year.period.pk).update(
        self_assessment_deadline=today() - datetime.timedelta(days=1)
    )
    Assessment.objects.filter(pk=year.assessment.pk).update(reopened=True)

    assessment_submit(user=year.head_a, assessment=Assessment.objects.get(pk=year.assessment.pk))

    assessment = Assessment.objects.get(pk=year.assessment.pk)
    assert (assessment.status, assessment.late, assessment.late_reason) == (
        AssessmentStatus.SUBMITTED,
        True,
        "",
    )
    assert assessment.history.latest().history_change_reason == in_site_language("Submitted late")


def test_a_submission_before_the_deadline_is_not_late():
    year = SelfAssessmentYear()
    year.fill_everything()

    assessment_submit(user=year.head_a, assessment=Assessment.objects.get(pk=year.assessment.pk))

    assert Assessment.objects.get(pk=year.assessment.pk).late is False


# --- the fingerprint -----------------------------------------------------------------------------------


def test_changing_the_standing_withdraws_the_results(council):
    year = build_year()
    results_compute(period=year.period)
    results_approve(user=council, period=year.reload())

    standing(year, "SYT", Standing.NOT_RANKED, "Kỷ luật", council)

    period = year.reload()
    assert (period.results_computed_at, period.awards_approved_at, period.results_fingerprint) == (
        None,
        None,
        "",
    )
    assert period.results_outdated_reason == in_site_language("standing of %(agency)s", agency="Sở Y tế")


def test_changing_the_late_record_withdraws_the_results(council):
    year = build_year()
    results_compute(period=year.period)

    assessment_late_set(user=council, assessment=year.assessments["SYT"], late=True, reason="Nộp sau hạn")

    period = year.reload()
    assert period.results_computed_at is None
    assert period.results_outdated_reason == in_site_language("late record of %(agency)s", agency="Sở Y tế")


@pytest.mark.parametrize(
    "change",
    [
        {"standing_reason": "Ghi chú"},
        {"late": True},
        {"standing": Standing.NOT_RANKED, "standing_reason": "x"},
    ],
)
def test_the_standing_reason_and_late_fact_are_inputs_of_the_fingerprint(change):
    year = build_year()
    results_compute(period=year.period)
    before = period_inputs(period=year.reload()).fingerprint

    # Written around the services, as a raw update would: only the fingerprint can tell.
    Assessment.objects.filter(pk=year.assessments["SYT"].pk).update(**change)

    period = year.reload()
    assert period_inputs(period=period).fingerprint != before
    assert results_current(period=period) is False


def test_the_group_of_an_agency_left_out_is_an_input_of_the_fingerprint(council):
    year = build_year()
    standing(year, "SYT", Standing.EXCLUDED, "Không nộp hồ sơ", council)
    results_compute(period=year.reload())
    period = year.reload()
    assert [(row["agency"], row["group_code"]) for row in period.results_excluded] == [("SYT", "SBN")]
    before = period.results_fingerprint
    assert period_inputs(period=period).fingerprint == before
    assert results_current(period=period) is True

    # The results name Sở Y tế in the group it was in when they were computed.
    other = AgencyGroup.objects.get(code="QH")
    Assessment.objects.filter(pk=year.assessments["SYT"].pk).update(group=other)

    period = year.reload()
    assert period_inputs(period=period).fingerprint != before
    assert results_current(period=period) is False


# --- publication, the public page and the conference workbook ----------------------------------------


def published_with_standings(council):
    """SNV not ranked, SYT not assessed, STC late (no rule); published as version 1."""
    year = build_year()
    standing(year, "SNV", Standing.NOT_RANKED, "Người đứng đầu bị kỷ luật", council)
    standing(year, "SYT", Standing.EXCLUDED, "Không nộp hồ sơ", council)
    assessment_late_set(user=council, assessment=year.assessments["STC"], late=True, reason="Nộp sau hạn")
    results_compute(period=year.reload())
    results_approve(user=council, period=year.reload())
    period_publish(user=council, period=year.reload())
    return year


def test_the_publication_keeps_standing_reason_and_late(council):
    year = published_with_standings(council)

    publication = Publication.objects.get(period=year.period)
    kept = {
        row["agency"]: (row["rank"], row["standing"], row["standing_reason"], row["late"])
        for row in publication.results
    }
    assert kept == {
        "STP": (1, "ranked", "", False),
        "STC": (2, "ranked", "", True),
        "SNV": (None, "not_ranked", "Người đứng đầu bị kỷ luật", False),
        "QHC": (1, "ranked", "", False),
    }
    assert publication.excluded == [
        {
            "agency": "SYT",
            "agency_id": year.assessments["SYT"].agency_id,
            "name": "Sở Y tế",
            "group": "Khối sở, ban, ngành",
            "group_code": "SBN",
            "group_order": 1,
            "standing_reason": "Không nộp hồ sơ",
            "late": False,
        }
    ]
    assert [e["agency"] for e in publication.awards] == ["STP"]


def test_the_public_page_shows_the_states_as_published(client, council):
    year = published_with_standings(council)
    # Renamed and decided otherwise since: the page shows what was announced.
    Assessment.objects.filter(pk=year.assessments["SYT"].pk).update(standing_reason="Đã sửa")

    html = client.get("/ket-qua/CCHC-2025/").content.decode()

    # (Without the component indices, the last two columns, which test_component_indices reads.)
    assert [row[:8] for row in table_rows(html, "results-table")] == [
        ["1", "Sở Tư pháp", "94,50", "100,00", "94,50", "Rất tốt", "2", "▲1"],
        ["2", "Sở Tài chính nộp muộn", "83,50", "100,00", "83,50", "Tốt", "6", "▲4"],
        [
            "—",
            "Sở Nội vụ Không xếp hạng Người đứng đầu bị kỷ luật",
            "92,00",
            "100,00",
            "92,00",
            "Rất tốt",
            "1",
            "—",
        ],
        ["1", "UBND quận Hải Châu", "79,00", "100,00", "79,00", "Khá", "1", "="],
    ]
    assert table_rows(html, "excluded-table") == [
        ["Khối sở, ban, ngành", "Sở Y tế", "Không đánh giá", "Không nộp hồ sơ"]
    ]


def test_a_publication_without_standings_still_reads(client, council):
    year = published_with_standings(council)
    publication = Publication.objects.get(period=year.period)
    old_keys = ("standing", "standing_reason", "late")
    publication.results = [{k: v for k, v in row.items() if k not in old_keys} for row in publication.results]
    publication.excluded = []
    publication.save()

    shown = PublishedResults(Publication.objects.get(pk=publication.pk))

    assert [(r.agency.code, r.rank, r.standing, r.standing_reason, r.late) for r in shown.results] == [
        ("STP", 1, "ranked", "", False),
        ("STC", 2, "ranked", "", False),
        ("SNV", None, "ranked", "", False),
        ("QHC", 1, "ranked", "", False),
    ]
    assert shown.excluded == []
    assert client.get("/ket-qua/CCHC-2025/").status_code == 200


def test_the_conference_workbook_lists_the_states(client, council):
    published_with_standings(council)

    book = openpyxl.load_workbook(io.BytesIO(client.get("/ket-qua/CCHC-2025/hoi-nghi.xlsx").content))

    assert book.sheetnames == [
        "Khối sở, ban, ngành",
        "Khối quận, huyện",
        "Tổng hợp",
        "Khen thưởng",
        "Không xếp hạng",
    ]
    ws = book["Không xếp hạng"]
    assert "ĐƠN VỊ KHÔNG XẾP HẠNG, KHÔNG ĐÁNH GIÁ" in [ws.cell(r, 1).value for r in range(1, 8)]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "STT")
    # The table, then the date and the signature blocks as on every sheet.
    assert [tuple(c.value for c in row) for row in ws.iter_rows(min_row=header, max_row=header + 2)] == [
        ("STT", "Mã đơn vị", "Tên đơn vị", "Khối", "Tình trạng", "Lý do", "Nộp muộn"),
        (1, "SNV", "Sở Nội vụ", "Khối sở, ban, ngành", "Không xếp hạng", "Người đứng đầu bị kỷ luật", None),
        (2, "SYT", "Sở Y tế", "Khối sở, ban, ngành", "Không đánh giá", "Không nộp hồ sơ", None),
    ]
    group = book["Khối sở, ban, ngành"]
    first = next(r for r in range(1, 10) if group.cell(r, 1).value == "Xếp hạng") + 1
    assert [(group.cell(r, 1).value, group.cell(r, 3).value) for r in range(first, first + 3)] == [
        (1, "Sở Tư pháp"),
        (2, "Sở Tài chính"),
        (None, "Sở Nội vụ"),
    ]


def test_the_workbook_of_current_results_lists_the_states_in_the_same_queries(
    council, django_assert_num_queries
):
    year = build_year()
    standing(year, "SYT", Standing.EXCLUDED, "Không nộp hồ sơ", council)
    results_compute(period=year.period)
    period = year.reload()

    # results, fields, tiers, tier counts, groups, award entries, their results, the council's
    # notes (demotions, award changes)
    with django_assert_num_queries(9):
        book = conference_workbook(period=period)

    ws = book["Không xếp hạng"]
    header = next(r for r in range(1, 10) if ws.cell(r, 1).value == "STT")
    assert [c.value for c in ws[header + 1]] == [
        1, "SYT", "Sở Y tế", "Khối sở, ban, ngành", "Không đánh giá", "Không nộp hồ sơ", None,
    ]  # fmt: skip
    assert ws.cell(header + 2, 1).value is None


def test_the_deduct_rule_needs_its_points():
    year = build_year()
    period = year.reload()
    period.late_rule = LateRule.DEDUCT

    with pytest.raises(ValidationError) as refused:
        period.full_clean()

    assert refused.value.message_dict == {
        "late_deduction": ["Give the points deducted from a late agency's total."]
    }
    period.late_deduction = D("2.5")
    period.full_clean()


def test_the_agency_home_says_not_ranked(client, council):
    year = published_with_standings(council)
    client.force_login(
        UserFactory(username="canbo.snv", role=Role.OFFICER, agency=year.assessments["SNV"].agency)
    )

    html = client.get("/").content.decode()

    assert "Không xếp hạng · Rất tốt" in html
    assert "Xếp hạng None" not in html
