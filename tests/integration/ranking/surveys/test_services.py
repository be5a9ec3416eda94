"""The survey's writes (ranking/surveys/services.py) on the survey year of
tests/survey_builders.py: invitations up to the quota, the public form's single-use token,
paper forms, and the points written into the survey leaf.

Messages are asserted as the English msgids (`override("en")`).
"""

from decimal import Decimal as D

import pytest
from django.core.exceptions import PermissionDenied
from django.db.models import RestrictedError
from django.utils import timezone
from django.utils.translation import override

from accounts.models import Role
from ranking.enums import Phase, SurveySource
from ranking.errors import ServiceError
from ranking.models import Assessment, Score, SurveyAnswer, SurveyInvitation, SurveyResponse
from ranking.results.compute import results_compute
from ranking.surveys.services import (
    SurveyTokenUnknown,
    SurveyTokenUsed,
    invitations_issue,
    response_record,
    response_submit,
    survey_points_compute,
)
from tests.factories import UserFactory
from tests.survey_builders import HAND_POINTS, answer_hand_example, build_survey_year

pytestmark = [pytest.mark.django_db]


@pytest.fixture(autouse=True)
def _english():
    with override("en"):
        yield


@pytest.fixture
def survey():
    return build_survey_year()


def issue(survey, code="SNV", group="ND", count=None):
    return invitations_issue(
        user=survey.council,
        period=survey.period,
        group=survey.groups[group],
        agencies=[survey.agency(code)],
        count=count,
    )


# --- invitations --------------------------------------------------------------------------


def test_invitations_are_issued_up_to_the_quota_and_no_further(survey):
    snv, stc = survey.agency("SNV"), survey.agency("STC")

    assert issue(survey, count=3) == {snv.pk: 3}
    assert invitations_issue(
        user=survey.council, period=survey.period, group=survey.groups["ND"], agencies=[snv, stc]
    ) == {snv.pk: 1, stc.pk: 4}
    assert issue(survey) == {snv.pk: 0}

    tokens = list(SurveyInvitation.objects.values_list("token", flat=True))
    assert len(tokens) == 8 == len(set(tokens))
    assert all(len(token) == 32 for token in tokens)


def test_only_the_council_issues_invitations_and_not_after_publication(survey):
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    with pytest.raises(PermissionDenied):
        invitations_issue(
            user=reviewer, period=survey.period, group=survey.groups["LD"], agencies=[survey.agency("SNV")]
        )
    survey.period.phase = Phase.PUBLISHED
    survey.period.save()
    with pytest.raises(PermissionDenied):
        issue(survey)
    assert SurveyInvitation.objects.count() == 0


def test_a_count_below_one_is_refused(survey):
    with pytest.raises(ServiceError, match="Issue at least one invitation."):
        issue(survey, count=0)


# --- the public form ----------------------------------------------------------------------


def one_token(survey, group="ND", code="SNV"):
    issue(survey, code=code, group=group, count=1)
    return SurveyInvitation.objects.filter(group=survey.groups[group], used_on=None).latest("pk").token


def test_a_token_lets_one_response_in_and_is_then_used(survey):
    token = one_token(survey)

    response = response_submit(token=token, answers={"Q1": "A", "Q2": "5"})

    assert (response.agency.code, response.group.code, response.source) == ("SNV", "ND", SurveySource.WEB)
    assert response.submitted_on == timezone.localdate()
    assert sorted(response.answers.values_list("question__code", "option")) == [("Q1", "A"), ("Q2", "5")]
    assert SurveyInvitation.objects.get(token=token).used_on == timezone.localdate()
    with pytest.raises(SurveyTokenUsed, match="This form has already been sent."):
        response_submit(token=token, answers={"Q1": "B", "Q2": "4"})
    assert SurveyResponse.objects.count() == 1
    assert SurveyAnswer.objects.count() == 2


def test_an_unknown_token_is_refused(survey):
    with pytest.raises(SurveyTokenUnknown, match="This survey link does not exist."):
        response_submit(token="khong-co", answers={"Q1": "A"})


@pytest.mark.parametrize(
    ("answers", "message"),
    [
        ({"Q1": "E", "Q2": "5"}, "“E” is not an answer to question Q1."),
        ({"Q1": "A", "Q2": "6"}, "“6” is not an answer to question Q2."),
        ({"Q1": "A"}, "Answer every question: Q2."),
        ({"Q1": "A", "Q2": "5", "Q9": "A"}, "These questions are not on this questionnaire: Q9."),
        ({}, "Answer every question: Q1, Q2."),
    ],
)
def test_answers_outside_the_questionnaire_are_refused_and_the_token_stays_open(survey, answers, message):
    token = one_token(survey)

    with pytest.raises(ServiceError) as refused:
        response_submit(token=token, answers=answers)

    assert str(refused.value) == message
    assert SurveyResponse.objects.count() == 0
    assert SurveyInvitation.objects.get(token=token).used_on is None


def test_a_group_answers_only_its_own_questions(survey):
    token = one_token(survey, group="LD")

    with pytest.raises(ServiceError, match="These questions are not on this questionnaire: Q2."):
        response_submit(token=token, answers={"Q1": "A", "Q2": "5"})
    response_submit(token=token, answers={"Q1": "A"})
    assert SurveyResponse.objects.get().group.code == "LD"


def test_no_response_beyond_the_quota_even_with_paper_forms(survey):
    tokens = [one_token(survey, group="LD") for _i in range(3)]
    response_record(
        user=survey.council,
        period=survey.period,
        agency=survey.agency("SNV"),
        group=survey.groups["LD"],
        answers={"Q1": "B"},
        reference="1",
    )
    response_submit(token=tokens[0], answers={"Q1": "A"})
    response_submit(token=tokens[1], answers={"Q1": "A"})

    with pytest.raises(ServiceError, match="Sở Nội vụ already has the 3 responses of “Lãnh đạo cấp phòng”"):
        response_submit(token=tokens[2], answers={"Q1": "A"})
    assert SurveyResponse.objects.filter(group__code="LD").count() == 3


def test_the_form_is_closed_after_publication(survey):
    token = one_token(survey)
    survey.period.phase = Phase.PUBLISHED
    survey.period.save()

    with pytest.raises(ServiceError, match="This survey is closed"):
        response_submit(token=token, answers={"Q1": "A", "Q2": "5"})


def test_a_response_keeps_nothing_of_a_person():
    names = {f.name for f in SurveyResponse._meta.get_fields()}

    assert names == {"id", "period", "agency", "group", "source", "reference", "submitted_on", "answers"}


# --- paper forms --------------------------------------------------------------------------


def test_a_paper_form_may_leave_questions_blank_and_is_replaced_by_its_number(survey):
    def record(answers):
        return response_record(
            user=survey.council,
            period=survey.period,
            agency=survey.agency("STC"),
            group=survey.groups["ND"],
            answers=answers,
            reference="017",
        )

    first = record({"Q1": "C", "Q2": ""})
    second = record({"Q1": "D", "Q2": "3"})

    assert first.pk == second.pk
    assert second.source == SurveySource.PAPER
    assert sorted(second.answers.values_list("question__code", "option")) == [("Q1", "D"), ("Q2", "3")]
    with pytest.raises(ServiceError, match="The form has no answer."):
        record({"Q1": "", "Q2": ""})


def test_paper_forms_are_recorded_by_the_council_only(survey):
    with pytest.raises(PermissionDenied):
        response_record(
            user=UserFactory(username="xem", role=Role.VIEWER),
            period=survey.period,
            agency=survey.agency("STC"),
            group=survey.groups["ND"],
            answers={"Q1": "A"},
        )


# --- points -------------------------------------------------------------------------------


def test_points_are_written_into_the_leaf_with_history_and_the_results_withdrawn(survey):
    answer_hand_example(survey)
    results_compute(period=survey.period)
    assert survey.year.reload().results_computed_at is not None

    summary = survey_points_compute(user=survey.council, period=survey.period)

    assert [(p.agency.code, p.code, p.points, p.percent, p.answers) for p in summary.written] == [
        ("SNV", "2.1", HAND_POINTS, D("69.58"), 6)
    ]
    assert summary.without_answers == [
        ("UBND quận Hải Châu", "2.1"),
        ("Sở Tài chính", "2.1"),
        ("Sở Tư pháp", "2.1"),
        ("Sở Y tế", "2.1"),
    ]
    score = Score.objects.get(assessment=survey.year.assessments["SNV"], criterion=survey.year.leaves["2.1"])
    assert (score.self_score, score.reviewed_score, score.final_score) == (HAND_POINTS,) * 3
    assert score.history.latest().history_change_reason == "Kết quả điều tra xã hội học"
    assert score.history.latest().history_user == survey.council
    period = survey.year.reload()
    assert period.results_computed_at is None
    assert "2.1" in period.results_outdated_reason
    untouched = Score.objects.get(
        assessment=survey.year.assessments["STC"], criterion=survey.year.leaves["2.1"]
    )
    assert untouched.final_score == D("8.5")
    assert untouched.history.count() == 1


def test_computing_again_changes_nothing(survey):
    answer_hand_example(survey)
    survey_points_compute(user=survey.council, period=survey.period)

    again = survey_points_compute(user=survey.council, period=survey.period)

    assert (again.written, again.unchanged) == ([], 1)
    score = Score.objects.get(assessment=survey.year.assessments["SNV"], criterion=survey.year.leaves["2.1"])
    assert score.history.count() == 2  # created, then the survey result


def test_points_are_computed_by_the_council_in_finalization_only():
    survey = build_survey_year(phase=Phase.EXPLANATION)
    answer_hand_example(survey)

    with pytest.raises(PermissionDenied):
        survey_points_compute(user=survey.council, period=survey.period)
    score = Score.objects.get(assessment=survey.year.assessments["SNV"], criterion=survey.year.leaves["2.1"])
    assert score.final_score == D(9)


def test_deleting_a_period_takes_its_survey_with_it(survey):
    answer_hand_example(survey)
    issue(survey, count=1)

    survey.period.delete()

    assert (
        SurveyResponse.objects.count(),
        SurveyAnswer.objects.count(),
        SurveyInvitation.objects.count(),
    ) == (0, 0, 0)


def test_a_question_or_scale_with_answers_cannot_be_deleted_alone(survey):
    answer_hand_example(survey)

    with pytest.raises(RestrictedError):
        survey.questions["Q2"].delete()
    with pytest.raises(RestrictedError):
        survey.questions["Q1"].scale.delete()
    assert SurveyAnswer.objects.count() == 6


def test_a_leaf_for_one_group_is_computed_for_the_agencies_in_that_group_this_period(survey):
    """Leaf 2.1 applies to the departments' group only; Sở Nội vụ is ranked with the districts
    this period (its usual group stays the departments'): its answers give it no survey points."""
    departments = survey.year.assessments["STC"].group
    districts = survey.year.assessments["QHC"].group
    survey.year.leaves["2.1"].groups.set([departments])
    answer_hand_example(survey)
    Assessment.objects.filter(pk=survey.year.assessments["SNV"].pk).update(group=districts)

    summary = survey_points_compute(user=survey.council, period=survey.period)

    assert summary.written == []
    assert summary.without_answers == [("Sở Tài chính", "2.1"), ("Sở Tư pháp", "2.1"), ("Sở Y tế", "2.1")]
    score = Score.objects.get(assessment=survey.year.assessments["SNV"], criterion=survey.year.leaves["2.1"])
    assert score.final_score == D("9")
