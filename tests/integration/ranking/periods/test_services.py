"""period_copy (ranking/services/periods.py): next year's period from this year's set-up."""

from decimal import Decimal

import pytest
from django.utils.translation import override

from ranking.enums import Method, Phase, Subject
from ranking.errors import ServiceError
from ranking.models import (
    Assessment,
    Criterion,
    Period,
    RespondentGroup,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyScale,
    Tier,
)
from ranking.periods.services import period_copy
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
    ScoreFactory,
    make_tiers,
)
from tests.survey_builders import answer_hand_example, build_survey_year

pytestmark = pytest.mark.django_db

D = Decimal
VTLT_TIERS = [("Xuất sắc", "90"), ("Tốt", "80"), ("Khá", "70"), ("Trung bình khá", "60.5"), ("Yếu", "0")]


@pytest.fixture
def source():
    """VTLT 2025 with a three-level tree, every kind of leaf, groups, options and flags."""
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    qh = AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    period = PeriodFactory(
        code="VTLT-2025",
        year=2025,
        subject=Subject.VTLT,
        name="Công tác văn thư, lưu trữ năm 2025",
        phase=Phase.PUBLISHED,
        award_from_tier="Xuất sắc",
        award_max_per_group=3,
        award_exclude_demoted=False,
        tie_breakers=["fields", "total_without_survey"],
    )
    make_tiers(period, VTLT_TIERS)

    def node(code, parent=None, **fields):
        return CriterionFactory(period=period, code=code, parent=parent, title=f"Nội dung {code}", **fields)

    one = node("1", max_points=D("60"))
    one_one = node("1.1", one, max_points=D("30"))
    node("1.1.1", one_one, max_points=D("20"), step=D("0.25"), evidence_required=True, guidance="Đủ 20 điểm")
    node("1.1.2", one_one, max_points=D("10"), method=Method.YESNO)
    choice = node(
        "1.2",
        one,
        max_points=D("30"),
        method=Method.CHOICE,
        options=[["Đầy đủ", "30"], ["Một phần", "15.5"], ["Không", "0"]],
    )
    choice.groups.set([qh])
    two = node("2", max_points=D("40"))
    node("2.1", two, max_points=D("30"), allow_not_arising=True).groups.set([sbn, qh])
    node("2.2", two, max_points=D("10"), method=Method.SURVEY)
    node("2.3", two, max_points=D("2"), method=Method.DEDUCTION)
    node("2.4", two, max_points=D("3"), method=Method.BONUS)
    node("2.10", two, max_points=D("0.5"))
    # Scores belong to the year: they are not copied.
    ScoreFactory(
        assessment=AssessmentFactory(period=period, agency=AgencyFactory(code="SNV", group=sbn)),
        criterion=Criterion.objects.get(period=period, code="2.1"),
        final_score=D(30),
    )
    return period


def tree(period) -> list[tuple]:
    rows = Criterion.objects.filter(period=period).select_related("parent").prefetch_related("groups")
    return [
        (
            c.code,
            c.parent.code if c.parent else None,
            c.title,
            c.max_points,
            c.method,
            c.step,
            c.options,
            c.allow_not_arising,
            c.evidence_required,
            c.guidance,
            sorted(g.code for g in c.groups.all()),
        )
        for c in rows.order_by("sort_key")
    ]


def test_copy_has_the_sources_set_up(source):
    copy = period_copy(source=source, year=2026)
    copy.refresh_from_db()
    assert (copy.code, copy.year, copy.subject, copy.name) == (
        "VTLT-2026",
        2026,
        "VTLT",
        "Công tác văn thư, lưu trữ năm 2026",
    )
    assert copy.previous == source
    assert copy.phase == Phase.SETUP
    assert (copy.award_from_tier, copy.award_max_per_group, copy.award_exclude_demoted) == (
        "Xuất sắc",
        3,
        False,
    )
    assert copy.tie_breakers == ["fields", "total_without_survey"]
    assert (copy.results_computed_at, copy.awards_approved_at, copy.published_at) == (None, None, None)
    assert list(copy.tiers.order_by("order").values_list("order", "label", "min_index")) == [
        (i, label, D(bound)) for i, (label, bound) in enumerate(VTLT_TIERS, start=1)
    ]
    assert tree(copy) == tree(source)
    assert len(tree(copy)) == 11
    assert Assessment.objects.filter(period=copy).count() == 0


def test_copied_parents_are_the_copies(source):
    copy = period_copy(source=source, year=2026)
    for criterion in Criterion.objects.filter(period=copy).select_related("parent"):
        if criterion.depth == 0:
            assert criterion.parent is None
        else:
            assert criterion.parent.period_id == copy.pk, criterion.code
            assert criterion.parent.code == criterion.parent_code
    source_ids = set(Criterion.objects.filter(period=source).values_list("pk", flat=True))
    assert Criterion.objects.filter(period=copy, parent_id__in=source_ids).count() == 0


def test_the_source_is_left_as_it_was(source):
    before = (tree(source), list(Tier.objects.filter(period=source).values_list("label", "min_index")))
    period_copy(source=source, year=2026)
    source.refresh_from_db()
    after = (tree(source), list(Tier.objects.filter(period=source).values_list("label", "min_index")))
    assert after == before
    assert (source.phase, source.previous) == (Phase.PUBLISHED, None)


def test_copy_with_own_code_and_name(source):
    copy = period_copy(
        source=source, year=2027, code="VTLT-2027-TN", name="Văn thư lưu trữ 2027 (thử nghiệm)"
    )
    assert (copy.code, copy.name, copy.year) == ("VTLT-2027-TN", "Văn thư lưu trữ 2027 (thử nghiệm)", 2027)


def test_copy_can_be_copied_again(source):
    first = period_copy(source=source, year=2026)
    second = period_copy(source=first, year=2027)
    assert second.previous == first
    assert tree(second) == tree(source)


@pytest.mark.parametrize(
    ("existing", "message"),
    [
        (
            {"code": "VTLT-2026", "year": 2030, "subject": Subject.VTLT},
            "A period with the code VTLT-2026 already exists.",
        ),
        ({"code": "VTLT-2026-CU", "year": 2026, "subject": Subject.VTLT}, "Period VTLT 2026 already exists."),
    ],
    ids=["code", "year and subject"],
)
def test_copy_refuses_an_existing_period(source, existing, message):
    PeriodFactory(**existing)
    counts = (Period.objects.count(), Criterion.objects.count(), Tier.objects.count())
    with override("en"), pytest.raises(ServiceError) as raised:
        period_copy(source=source, year=2026)
    assert raised.value.messages == [message]
    assert (Period.objects.count(), Criterion.objects.count(), Tier.objects.count()) == counts


def test_other_subject_of_the_same_year_is_no_obstacle(source):
    PeriodFactory(code="CCHC-2026", year=2026, subject=Subject.CCHC)
    assert period_copy(source=source, year=2026).code == "VTLT-2026"


def test_copy_has_the_sources_survey_set_up_and_none_of_its_answers():
    survey = build_survey_year()
    SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency("SNV"), group=survey.groups["LD"]
    )
    answer_hand_example(survey)

    copy = period_copy(source=survey.period, year=2026)

    groups = RespondentGroup.objects.filter(period=copy).order_by("order")
    assert [(g.code, g.name, g.weight, g.quota) for g in groups] == [
        ("LD", "Lãnh đạo cấp phòng", D(2), 3),
        ("ND", "Người dân, doanh nghiệp", D(1), 4),
    ]
    scales = SurveyScale.objects.filter(period=copy).order_by("code")
    assert [(s.code, s.kind, s.conversion) for s in scales] == [
        ("ABCD", "abcd", {"A": D(100), "B": D(60), "C": D(20), "D": D(0)}),
        ("LIKERT5", "likert5", {"1": D(0), "2": D(25), "3": D(50), "4": D(75), "5": D(100)}),
    ]
    questions = SurveyQuestion.objects.filter(period=copy).order_by("order")
    assert [
        (
            q.code,
            q.criterion.period_id,
            q.criterion.code,
            q.scale.period_id,
            q.scale.code,
            sorted((g.period_id, g.code) for g in q.groups.all()),
        )
        for q in questions
    ] == [
        ("Q1", copy.pk, "2.1", copy.pk, "ABCD", [(copy.pk, "LD"), (copy.pk, "ND")]),
        ("Q2", copy.pk, "2.1", copy.pk, "LIKERT5", [(copy.pk, "ND")]),
    ]
    assert not SurveyInvitation.objects.filter(period=copy).exists()
    assert not SurveyResponse.objects.filter(period=copy).exists()
