"""The survey's reads (ranking/surveys/selectors.py) on tests/survey_builders.py's year."""

from decimal import Decimal as D
from fractions import Fraction

import pytest

from ranking.enums import Method
from ranking.models import Criterion, SurveyInvitation, SurveyScale
from ranking.surveys.selectors import (
    converted_answers,
    questions_of,
    survey_outcomes,
    survey_progress,
)
from tests.factories import AgencyGroupFactory
from tests.survey_builders import answer_hand_example, build_survey_year, paper_response

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return build_survey_year()


def test_a_group_s_questionnaire_is_its_questions_in_order(survey):
    assert [q.code for q in questions_of(group=survey.groups["ND"])] == ["Q1", "Q2"]
    assert [q.code for q in questions_of(group=survey.groups["LD"])] == ["Q1"]


def test_the_outcome_of_the_hand_example(survey):
    answer_hand_example(survey)
    paper_response(survey, "STC", "ND", {"Q2": "3"})  # 50% of 10 → 5,00

    outcomes = survey_outcomes(period=survey.period)

    leaf = survey.year.leaves["2.1"].pk
    assert set(outcomes) == {(survey.agency("SNV").pk, leaf), (survey.agency("STC").pk, leaf)}
    snv = outcomes[survey.agency("SNV").pk, leaf]
    assert (snv.percent, snv.points, snv.answers) == (Fraction(835, 12), D("6.96"), 6)
    stc = outcomes[survey.agency("STC").pk, leaf]
    assert (stc.percent, stc.points, stc.answers) == (Fraction(50), D("5.00"), 1)


def test_an_option_taken_off_its_scale_is_left_out(survey):
    paper_response(survey, "SNV", "LD", {"Q1": "A"})
    paper_response(survey, "SNV", "LD", {"Q1": "B"})
    scale = SurveyScale.objects.get(period=survey.period, code="ABCD")
    scale.options = [["A", "Tốt", "100"], ["C", "Trung bình", "20"], ["D", "Kém", "0"]]
    scale.save()

    answers = converted_answers(period=survey.period)

    assert [(a.question_code, a.option, a.percent) for a in answers] == [
        ("Q1", "A", D(100)),
        ("Q1", "B", None),
    ]
    outcome = survey_outcomes(period=survey.period)[survey.agency("SNV").pk, survey.year.leaves["2.1"].pk]
    assert (outcome.percent, outcome.points, outcome.answers) == (Fraction(100), D("10.00"), 1)


def test_the_conversion_of_a_scale_changed_later_is_the_one_used(survey):
    paper_response(survey, "SNV", "LD", {"Q1": "B"})
    scale = SurveyScale.objects.get(period=survey.period, code="ABCD")
    scale.options = [["A", "Tốt", "100"], ["B", "Khá", "75"], ["C", "Trung bình", "50"], ["D", "Kém", "0"]]
    scale.save()

    outcome = survey_outcomes(period=survey.period)[survey.agency("SNV").pk, survey.year.leaves["2.1"].pk]

    assert outcome.points == D("7.50")


def test_answers_to_a_criterion_that_is_no_longer_a_survey_leaf_count_for_nothing(survey):
    paper_response(survey, "SNV", "LD", {"Q1": "B"})
    Criterion.objects.filter(pk=survey.year.leaves["2.1"].pk).update(method=Method.NUMBER)

    assert survey_outcomes(period=survey.period) == {}


def test_progress_counts_per_agency_and_group(survey, django_assert_num_queries):
    for _i in range(2):
        SurveyInvitation.objects.create(
            period=survey.period, agency=survey.agency("STP"), group=survey.groups["ND"]
        )
    SurveyInvitation.objects.filter(agency__code="STP").update(used_on="2025-11-03")
    SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency("STP"), group=survey.groups["ND"]
    )
    paper_response(survey, "STP", "ND", {"Q1": "A"})
    AgencyGroupFactory(code="KHAC")

    with django_assert_num_queries(4):
        progress = survey_progress(period=survey.period)

    assert [g.code for g in progress.groups] == ["LD", "ND"]
    stp = next(row for row in progress.rows if row.agency.code == "STP")
    assert [
        (c.group.code, c.issued, c.used, c.web, c.paper, c.quota, c.responses, c.can_issue) for c in stp.cells
    ] == [
        ("LD", 0, 0, 0, 0, 3, 0, 3),
        ("ND", 3, 2, 0, 1, 4, 1, 1),
    ]
    # 5 agencies × 7, less the 3 STP has.
    assert progress.can_issue == 32
