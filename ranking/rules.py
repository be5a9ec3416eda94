"""Who may do what, when: every permission of the evaluation as a django-rules predicate.

Views and services both ask `user.has_perm("ranking.<action>", obj)`; a button hidden in a
template is a courtesy, the check here is the rule.
"""

import datetime
from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.rules import (
    is_administrator,
    is_agency_member,
    is_council,
    is_head,
    is_reviewer,
    is_viewer,
)
from ranking.enums import AssessmentStatus as S
from ranking.enums import Phase


def today() -> datetime.date:
    return timezone.localdate()


def object_predicate(function):
    """A predicate about an assessment or a period: asked without one, the answer is no."""

    def predicate(user, obj) -> bool:
        return obj is not None and function(user, obj)

    predicate.__name__ = function.__name__
    predicate.__doc__ = function.__doc__
    return rules.predicate(predicate)


def deadline_passed(deadline: datetime.date | None) -> bool:
    """A deadline is the last day on which work is accepted."""
    return deadline is not None and today() > deadline


# --- who, relative to an assessment -----------------------------------------------------


@object_predicate
def is_own_agency(user, assessment) -> bool:
    return user.agency_id is not None and user.agency_id == assessment.agency_id


@object_predicate
def is_assigned_reviewer(user, assessment) -> bool:
    return assessment.reviewer_id == user.id


# --- when, for an assessment ------------------------------------------------------------


@object_predicate
def self_assessment_open(user, assessment) -> bool:
    """The agency may edit: a draft before the deadline, a returned or reopened one."""
    period = assessment.period
    if assessment.status == S.RETURNED or (assessment.status == S.DRAFT and assessment.reopened):
        return period.phase in (Phase.SELF_ASSESSMENT, Phase.APPRAISAL)
    return (
        assessment.status == S.DRAFT
        and period.phase == Phase.SELF_ASSESSMENT
        and not deadline_passed(period.self_assessment_deadline)
    )


@object_predicate
def withdrawable(user, assessment) -> bool:
    period = assessment.period
    return (
        assessment.status == S.SUBMITTED
        and assessment.review_opened_at is None
        and period.phase == Phase.SELF_ASSESSMENT
        and not deadline_passed(period.self_assessment_deadline)
    )


@object_predicate
def reopenable(user, assessment) -> bool:
    return assessment.period.phase in (Phase.SELF_ASSESSMENT, Phase.APPRAISAL) and assessment.status in (
        S.DRAFT,
        S.SUBMITTED,
        S.IN_REVIEW,
        S.REVIEWED,
    )


@object_predicate
def appraisal_open(user, assessment) -> bool:
    """Reviewers may appraise a submission as soon as it arrives, until the appraisal ends."""
    return assessment.status in (S.SUBMITTED, S.IN_REVIEW) and assessment.period.phase in (
        Phase.SELF_ASSESSMENT,
        Phase.APPRAISAL,
    )


@object_predicate
def awaiting_approval(user, assessment) -> bool:
    return assessment.status == S.REVIEWED and assessment.period.phase in (Phase.APPRAISAL, Phase.EXPLANATION)


@object_predicate
def explanation_open(user, assessment) -> bool:
    period = assessment.period
    return (
        assessment.status == S.APPROVED
        and period.phase == Phase.EXPLANATION
        and not deadline_passed(period.explanation_deadline)
    )


@object_predicate
def explanation_awaiting_decision(user, assessment) -> bool:
    return assessment.status == S.EXPLAINED and assessment.period.phase in (
        Phase.EXPLANATION,
        Phase.FINALIZATION,
    )


@object_predicate
def appraisal_visible_to_agency(user, assessment) -> bool:
    """Reviewed scores and comments reach the agency once the council approved them."""
    return assessment.status in (S.APPROVED, S.EXPLAINED, S.FINALIZED)


@object_predicate
def submitted_once(user, assessment) -> bool:
    """Reviewers see an assessment once the agency has handed it in, not its drafts.

    A submission returned for correction, or reopened by the council, stays in sight; a
    withdrawn one goes back to being a draft (withdrawing clears `submitted_at`).
    """
    return assessment.status != S.DRAFT or assessment.submitted_at is not None


def submitted_once_q() -> Q:
    """`submitted_once` as a filter on assessments, for the reviewer's queue and counts."""
    return ~Q(status=S.DRAFT) | Q(submitted_at__isnull=False)


# --- when, for a period -----------------------------------------------------------------


@object_predicate
def in_finalization(user, period) -> bool:
    return period.phase == Phase.FINALIZATION


@object_predicate
def approving_appraisals(user, period) -> bool:
    """The phases in which the council approves appraisals (as `awaiting_approval`)."""
    return period.phase in (Phase.APPRAISAL, Phase.EXPLANATION)


@object_predicate
def publishable(user, period) -> bool:
    return (
        period.phase == Phase.FINALIZATION
        and period.results_computed_at is not None
        and period.awards_approved_at is not None
    )


@object_predicate
def is_published(user, period) -> bool:
    return period.phase == Phase.PUBLISHED


@object_predicate
def has_public_page(user, period) -> bool:
    """A reopened period's public page keeps showing its last publication until the next one."""
    return period.phase == Phase.PUBLISHED or period.publications.exists()


@object_predicate
def not_published(user, period) -> bool:
    return period.phase != Phase.PUBLISHED


@object_predicate
def groups_open(user, period) -> bool:
    """Agencies may change group for the period until its award list is approved or published."""
    return period.phase != Phase.PUBLISHED and period.awards_approved_at is None


is_reviewer_of = is_reviewer & is_assigned_reviewer
appraiser = is_reviewer_of | is_council
own_member = is_agency_member & is_own_agency

# Assessments
rules.add_perm("ranking.view_assessment", own_member | is_reviewer_of | is_council | is_administrator)
rules.add_perm("ranking.fill_assessment", own_member & self_assessment_open)
rules.add_perm("ranking.submit_assessment", is_head & is_own_agency & self_assessment_open)
rules.add_perm("ranking.withdraw_assessment", is_head & is_own_agency & withdrawable)
rules.add_perm("ranking.reopen_assessment", is_council & reopenable)
rules.add_perm("ranking.review_assessment", appraiser & appraisal_open)
rules.add_perm("ranking.approve_appraisal", is_council & awaiting_approval)
rules.add_perm(
    "ranking.view_appraisal", (own_member & appraisal_visible_to_agency) | appraiser | is_administrator
)
rules.add_perm("ranking.explain_assessment", own_member & explanation_open)
rules.add_perm("ranking.submit_explanation", is_head & is_own_agency & explanation_open)
rules.add_perm("ranking.decide_explanation", appraiser & explanation_awaiting_decision)
rules.add_perm("ranking.view_history", own_member | is_reviewer_of | is_council | is_administrator)
# The appraisal page: agencies read their appraisal on their own assessment page.
rules.add_perm("ranking.open_appraisal", is_reviewer_of | is_council | is_administrator)

# Periods
rules.add_perm("ranking.view_progress", is_council | is_administrator)
rules.add_perm("ranking.review_queue", is_reviewer | is_council)
rules.add_perm("ranking.set_phase", (is_council | is_administrator) & not_published)
rules.add_perm("ranking.finalize_period", is_council & in_finalization)
rules.add_perm("ranking.set_standing", is_council & not_published)
# The survey: issuing invitations and recording paper forms, until publication; the survey's
# progress is read by the council and administrators at any time.
rules.add_perm("ranking.manage_survey", is_council & not_published)
rules.add_perm("ranking.view_survey", is_council | is_administrator)
rules.add_perm("ranking.set_period_group", (is_council | is_administrator) & groups_open)
# Several appraisals of a period at once; each one is checked again by `approve_appraisal`.
rules.add_perm("ranking.approve_appraisals", is_council & approving_appraisals)
rules.add_perm("ranking.publish_period", is_council & publishable)
rules.add_perm("ranking.reopen_period", is_council & is_published)
rules.add_perm("ranking.view_public_results", has_public_page)
# The decision announcing the published version: recorded and downloaded by the council.
rules.add_perm("ranking.record_decision", is_council & is_published)

# The conference pack: the council and administrators at any time; the city's leaders
# (viewers) and reviewers once published. An agency reads its own report once published.
rules.add_perm(
    "ranking.view_reports", is_council | is_administrator | ((is_viewer | is_reviewer) & is_published)
)
rules.add_perm("ranking.view_reviewer_consistency", is_council | is_administrator)


@dataclass(frozen=True)
class AgencyInPeriod:
    """The object of `view_agency_report`: one agency's report in one period."""

    period: object
    agency: object


@object_predicate
def reports_readable(user, target: AgencyInPeriod) -> bool:
    return user.has_perm("ranking.view_reports", target.period)


@object_predicate
def own_published_report(user, target: AgencyInPeriod) -> bool:
    return (
        user.agency_id is not None
        and user.agency_id == target.agency.id
        and target.period.phase == Phase.PUBLISHED
    )


rules.add_perm("ranking.view_agency_report", reports_readable | (is_agency_member & own_published_report))


# Background jobs: the whole-year import and the conference workbook are the council's and the
# administrators'; a job is seen and cancelled by whoever started it, and by administrators.


@object_predicate
def is_job_owner(user, job) -> bool:
    return job.user_id is not None and job.user_id == user.id


rules.add_perm("ranking.start_job", is_council | is_administrator)
rules.add_perm("ranking.view_job", is_job_owner | is_administrator)
rules.add_perm("ranking.cancel_job", is_job_owner | is_administrator)


def require(user, permission: str, obj=None) -> None:
    """Refuse with a clear message unless `user` holds `permission` on `obj` right now."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied(str(PERMISSION_MESSAGES.get(permission, _("You may not do this now."))))


PERMISSION_MESSAGES = {
    "ranking.fill_assessment": gettext_lazy(
        "This assessment cannot be edited now: it has been submitted, or the self-assessment "
        "deadline has passed."
    ),
    "ranking.submit_assessment": gettext_lazy(
        "Only the agency head may submit, while the self-assessment is open."
    ),
    "ranking.withdraw_assessment": gettext_lazy(
        "The submission can no longer be withdrawn: a reviewer has opened it or the deadline has passed."
    ),
    "ranking.reopen_assessment": gettext_lazy("Only the appraisal council may reopen an assessment."),
    "ranking.review_assessment": gettext_lazy("This assessment is not open for your appraisal."),
    "ranking.approve_appraisal": gettext_lazy("Only the appraisal council may approve an appraisal."),
    "ranking.explain_assessment": gettext_lazy("Explanations are not open for this assessment."),
    "ranking.submit_explanation": gettext_lazy(
        "Only the agency head may submit the explanation, while it is open."
    ),
    "ranking.decide_explanation": gettext_lazy("This explanation is not awaiting your decision."),
    "ranking.finalize_period": gettext_lazy("Only the appraisal council may do this, during finalization."),
    "ranking.manage_survey": gettext_lazy(
        "Only the appraisal council may issue survey invitations or record paper forms, before publication."
    ),
    "ranking.set_standing": gettext_lazy(
        "Only the appraisal council may decide whether an agency is ranked or late, before publication."
    ),
    "ranking.set_period_group": gettext_lazy(
        "Only the appraisal council or an administrator may change an agency's group for a period, "
        "until the award list is approved or the results are published."
    ),
    "ranking.approve_appraisals": gettext_lazy(
        "Only the appraisal council may approve appraisals, during the appraisal or the explanation."
    ),
    "ranking.publish_period": gettext_lazy(
        "Results can be published by the council once computed and with an approved award list."
    ),
    "ranking.reopen_period": gettext_lazy("Only the appraisal council may reopen published results."),
    "ranking.record_decision": gettext_lazy(
        "Only the appraisal council may record and download the decision, once the results are published."
    ),
    "ranking.view_reports": gettext_lazy(
        "Reports of a period are for the council and administrators, and for reviewers and viewers "
        "once the results are published."
    ),
    "ranking.view_reviewer_consistency": gettext_lazy(
        "The consistency of reviewers is for the council and administrators."
    ),
    "ranking.view_agency_report": gettext_lazy(
        "An agency's report is for the council and administrators, and for the agency itself, "
        "reviewers and viewers once the results are published."
    ),
    "ranking.set_phase": gettext_lazy(
        "Only the council or an administrator may change the phase of an unpublished period."
    ),
    "ranking.open_appraisal": gettext_lazy(
        "Only the assigned reviewer, the appraisal council and administrators may open this appraisal."
    ),
    "ranking.start_job": gettext_lazy("Only the council or an administrator may import or export workbooks."),
    "ranking.view_job": gettext_lazy(
        "Only the person who started this job, or an administrator, may see it."
    ),
    "ranking.cancel_job": gettext_lazy(
        "Only the person who started this job, or an administrator, may cancel it."
    ),
}
