"""Writes of the survey: invitations, responses from the public form and from paper, points.

A response is never linked to a person: no user, no address, no invitation, the day only.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal

from django.db import transaction
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from accounts.models import Agency, User
from ranking.enums import Phase, SurveySource
from ranking.errors import ServiceError, recorded
from ranking.models import (
    Assessment,
    Period,
    RespondentGroup,
    Score,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
)
from ranking.results.finalization import period_locked, survey_score_set
from ranking.rules import require
from ranking.surveys.aggregation import rounded
from ranking.surveys.selectors import questions_of, survey_leaves, survey_outcomes


class SurveyTokenUnknown(ServiceError):
    """No invitation has this token."""


class SurveyTokenUsed(ServiceError):
    """The invitation's response has already been received."""


def group_of(period: Period, group: RespondentGroup) -> RespondentGroup:
    if group.period_id != period.pk:
        raise ServiceError(_("This respondent group belongs to another period."))
    return group


@transaction.atomic
def invitations_issue(
    *,
    user: User,
    period: Period,
    group: RespondentGroup,
    agencies: Iterable[Agency],
    count: int | None = None,
) -> dict[int, int]:
    """Issue `count` more invitations of `group` to each agency (None: up to the quota), never
    more than the group's quota per agency. Returns agency id → invitations issued now."""
    period = period_locked(period)
    require(user, "ranking.manage_survey", period)
    group = group_of(period, group)
    if count is not None and count < 1:
        raise ServiceError(_("Issue at least one invitation."))
    agencies = list(agencies)
    issued = dict(
        SurveyInvitation.objects.filter(period=period, group=group, agency__in=agencies)
        .values("agency_id")
        .annotate(n=Count("pk"))
        .values_list("agency_id", "n")
    )
    new = []
    added = {}
    for agency in agencies:
        room = max(group.quota - issued.get(agency.pk, 0), 0)
        wanted = room if count is None else min(count, room)
        added[agency.pk] = wanted
        new.extend(SurveyInvitation(period=period, agency=agency, group=group) for _i in range(wanted))
    SurveyInvitation.objects.bulk_create(new)
    return added


def answers_checked(
    questions: list[SurveyQuestion], answers: dict[str, str], *, complete: bool
) -> list[tuple[SurveyQuestion, str]]:
    """The answers as (question, option), each option on its question's scale; with
    `complete`, every question answered."""
    by_code = {q.code: q for q in questions}
    unknown = sorted(set(answers) - set(by_code))
    if unknown:
        raise ServiceError(
            _("These questions are not on this questionnaire: %(codes)s.") % {"codes": ", ".join(unknown)}
        )
    checked = []
    missing = []
    for question in questions:
        option = (answers.get(question.code) or "").strip()
        if not option:
            missing.append(question.code)
            continue
        if option not in question.scale.conversion:
            raise ServiceError(
                _("“%(option)s” is not an answer to question %(code)s.")
                % {"option": option[:32], "code": question.code}
            )
        checked.append((question, option))
    if complete and missing:
        raise ServiceError(_("Answer every question: %(codes)s.") % {"codes": ", ".join(missing)})
    if not checked:
        raise ServiceError(_("The form has no answer."))
    return checked


def refuse_beyond_quota(*, period: Period, agency: Agency, group: RespondentGroup) -> None:
    received = SurveyResponse.objects.filter(period=period, agency=agency, group=group).count()
    if received >= group.quota:
        raise ServiceError(
            _("%(agency)s already has the %(quota)d responses of “%(group)s” the survey allows.")
            % {"agency": agency.name, "quota": group.quota, "group": group.name}
        )


def responses_open(period: Period) -> None:
    if period.phase == Phase.PUBLISHED:
        raise ServiceError(_("This survey is closed: the results have been published."))


def answers_save(response: SurveyResponse, checked: list[tuple[SurveyQuestion, str]]) -> None:
    SurveyAnswer.objects.bulk_create(
        SurveyAnswer(response=response, question=question, option=option) for question, option in checked
    )


@transaction.atomic
def response_submit(*, token: str, answers: dict[str, str]) -> SurveyResponse:
    """Receive the public form of an invitation: once per token, every question answered.

    The invitation is locked, so two submissions of one token let one response in; the group
    is locked, so the responses of an agency never pass the group's quota.
    """
    invitation = (
        SurveyInvitation.objects.select_for_update(of=("self",))
        .select_related("period", "agency")
        .filter(token=token)
        .first()
    )
    if invitation is None:
        raise SurveyTokenUnknown(_("This survey link does not exist."))
    if invitation.used_on is not None:
        raise SurveyTokenUsed(_("This form has already been sent."))
    responses_open(invitation.period)
    group = RespondentGroup.objects.select_for_update().get(pk=invitation.group_id)
    checked = answers_checked(questions_of(group=group), answers, complete=True)
    refuse_beyond_quota(period=invitation.period, agency=invitation.agency, group=group)
    today = timezone.localdate()
    response = SurveyResponse.objects.create(
        period=invitation.period,
        agency=invitation.agency,
        group=group,
        source=SurveySource.WEB,
        submitted_on=today,
    )
    answers_save(response, checked)
    invitation.used_on = today
    invitation.save(update_fields=["used_on"])
    return response


@transaction.atomic
def response_record(
    *,
    user: User,
    period: Period,
    agency: Agency,
    group: RespondentGroup,
    answers: dict[str, str],
    reference: str = "",
) -> SurveyResponse:
    """Record a paper form; questions left blank on paper are left out.

    A form numbered `reference` that was recorded before for the agency and group has its
    answers replaced: importing the paper-answers sheet again adds nothing.
    """
    period = period_locked(period)
    require(user, "ranking.manage_survey", period)
    group = RespondentGroup.objects.select_for_update().get(pk=group_of(period, group).pk)
    checked = answers_checked(questions_of(group=group), answers, complete=False)
    reference = reference.strip()
    response = (
        SurveyResponse.objects.filter(period=period, agency=agency, group=group, reference=reference).first()
        if reference
        else None
    )
    if response is None:
        refuse_beyond_quota(period=period, agency=agency, group=group)
        response = SurveyResponse.objects.create(
            period=period,
            agency=agency,
            group=group,
            source=SurveySource.PAPER,
            reference=reference,
            submitted_on=timezone.localdate(),
        )
    else:
        response.answers.all().delete()
    answers_save(response, checked)
    return response


@dataclass(frozen=True)
class LeafPoints:
    agency: Agency
    code: str
    points: Decimal
    percent: Decimal
    answers: int


@dataclass
class SurveyComputeSummary:
    written: list[LeafPoints] = field(default_factory=list)
    unchanged: int = 0
    without_answers: list[tuple[str, str]] = field(default_factory=list)  # (agency name, leaf code)


@transaction.atomic
def survey_points_compute(*, user: User, period: Period) -> SurveyComputeSummary:
    """Write every survey leaf's points from the answers, for every assessed agency, as the
    council's survey result (`survey_score_set`: self, reviewed and final score, history,
    results withdrawn when a value changes). A leaf without answers is left as it is."""
    period = period_locked(period)
    require(user, "ranking.finalize_period", period)
    outcomes = survey_outcomes(period=period)
    leaves = survey_leaves(period=period)
    finals = {
        (a, c): v
        for a, c, v in Score.objects.filter(
            assessment__period=period, criterion__in=[leaf.pk for leaf in leaves]
        ).values_list("assessment_id", "criterion_id", "final_score")
    }
    summary = SurveyComputeSummary()
    reason = recorded(gettext_noop("Survey result computed from the answers"))
    assessments = Assessment.objects.filter(period=period).select_related("agency").order_by("agency__code")
    for assessment in assessments:
        assessment.period = period
        for leaf in leaves:
            groups = {g.pk for g in leaf.groups.all()}
            if groups and assessment.group_id not in groups:
                continue
            outcome = outcomes.get((assessment.agency_id, leaf.pk))
            if outcome is None:
                summary.without_answers.append((assessment.agency.name, leaf.code))
                continue
            if finals.get((assessment.pk, leaf.pk)) == outcome.points:
                summary.unchanged += 1
                continue
            survey_score_set(
                user=user, assessment=assessment, criterion_id=leaf.pk, value=outcome.points, reason=reason
            )
            summary.written.append(
                LeafPoints(
                    agency=assessment.agency,
                    code=leaf.code,
                    points=outcome.points,
                    percent=rounded(outcome.percent),
                    answers=outcome.answers,
                )
            )
    return summary
