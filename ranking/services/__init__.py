"""Every write of the evaluation: one function per action, atomic and audited."""

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.utils import translation
from django.utils.functional import Promise
from django.utils.translation import gettext, gettext_lazy
from django.utils.translation import gettext as _


class ServiceError(Exception):
    """A refusal the user can act on; its message is already in the user's language."""

    def __init__(self, *messages: str):
        super().__init__("\n".join(str(m) for m in messages))
        self.messages = [str(m) for m in messages]


class ScoreConflict(ServiceError):
    """Someone saved the same score since this page was loaded: nothing was overwritten."""

    def __init__(self, score):
        self.score = score
        super().__init__(
            _(
                "Someone else saved this score since you opened the page; your change was not saved. "
                "The newer value is shown: check it and save again."
            )
        )


def recorded(message: str, params: dict | None = None) -> str:
    """A history reason, written in the site's language whoever made the change.

    `message` is an English msgid marked with gettext_noop at the call, so makemessages
    finds it; the audit trail then reads the same for everyone.
    """
    with translation.override(settings.LANGUAGE_CODE):
        text = gettext(message)
        if not params:
            return text
        # Lazy labels (a phase's name) are rendered here, in the site's language too.
        return text % {key: str(v) if isinstance(v, Promise) else v for key, v in params.items()}


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
    "ranking.publish_period": gettext_lazy(
        "Results can be published by the council once computed and with an approved award list."
    ),
    "ranking.reopen_period": gettext_lazy("Only the appraisal council may reopen published results."),
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
}
