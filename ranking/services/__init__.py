"""Every write of the evaluation: one function per action, atomic and audited."""

from django.core.exceptions import PermissionDenied
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


def require(user, permission: str, obj=None) -> None:
    """Refuse with a clear message unless `user` holds `permission` on `obj` right now."""
    if not user.has_perm(permission, obj):
        raise PermissionDenied(PERMISSION_MESSAGES.get(permission, _("You may not do this now.")))


PERMISSION_MESSAGES = {
    "ranking.fill_assessment": _(
        "This assessment cannot be edited now: it has been submitted, or the self-assessment "
        "deadline has passed."
    ),
    "ranking.submit_assessment": _("Only the agency head may submit, while the self-assessment is open."),
    "ranking.withdraw_assessment": _(
        "The submission can no longer be withdrawn: a reviewer has opened it or the deadline has passed."
    ),
    "ranking.reopen_assessment": _("Only the appraisal council may reopen an assessment."),
    "ranking.review_assessment": _("This assessment is not open for your appraisal."),
    "ranking.approve_appraisal": _("Only the appraisal council may approve an appraisal."),
    "ranking.explain_assessment": _("Explanations are not open for this assessment."),
    "ranking.submit_explanation": _("Only the agency head may submit the explanation, while it is open."),
    "ranking.decide_explanation": _("This explanation is not awaiting your decision."),
    "ranking.finalize_period": _("Only the appraisal council may do this, during finalization."),
    "ranking.publish_period": _(
        "Results can be published by the council once computed and with an approved award list."
    ),
    "ranking.reopen_period": _("Only the appraisal council may reopen published results."),
    "ranking.set_phase": _(
        "Only the council or an administrator may change the phase of an unpublished period."
    ),
}
