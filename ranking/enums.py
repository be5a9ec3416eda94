"""Fixed vocabularies of the evaluation: subjects, phases, scoring methods, statuses."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Subject(models.TextChoices):
    CCHC = "CCHC", _("Administrative reform (CCHC)")
    VTLT = "VTLT", _("Records and archives (VTLT)")


class Phase(models.TextChoices):
    SETUP = "setup", _("Set-up")
    SELF_ASSESSMENT = "self_assessment", _("Self-assessment")
    APPRAISAL = "appraisal", _("Appraisal")
    EXPLANATION = "explanation", _("Explanation")
    FINALIZATION = "finalization", _("Finalization")
    PUBLISHED = "published", _("Published")


class Method(models.TextChoices):
    NUMBER = "number", _("Number")
    CHOICE = "choice", _("Choice")
    YESNO = "yesno", _("Yes/no")
    DEDUCTION = "deduction", _("Deduction")
    BONUS = "bonus", _("Bonus")
    SURVEY = "survey", _("Survey")


class AssessmentStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    RETURNED = "returned", _("Returned for correction")
    IN_REVIEW = "in_review", _("Under appraisal")
    REVIEWED = "reviewed", _("Appraised")
    APPROVED = "approved", _("Appraisal approved")
    EXPLAINED = "explained", _("Explanation submitted")
    FINALIZED = "finalized", _("Finalized")


class Decision(models.TextChoices):
    ACCEPTED = "accepted", _("Accepted")
    PARTIAL = "partial", _("Accepted in part")
    REJECTED = "rejected", _("Rejected")


# The order in which the council reads a period's progress, from the agency's desk to the end.
STATUS_ORDER = [
    AssessmentStatus.DRAFT,
    AssessmentStatus.SUBMITTED,
    AssessmentStatus.IN_REVIEW,
    AssessmentStatus.RETURNED,
    AssessmentStatus.REVIEWED,
    AssessmentStatus.APPROVED,
    AssessmentStatus.EXPLAINED,
    AssessmentStatus.FINALIZED,
]


class Standing(models.TextChoices):
    """Whether an assessed agency takes part in the ranking (the council decides, with a reason)."""

    RANKED = "ranked", _("Ranked")
    NOT_RANKED = "not_ranked", _("Not ranked")
    EXCLUDED = "excluded", _("Not assessed")


class LateRule(models.TextChoices):
    """What a period does to an agency recorded as late (nộp muộn)."""

    NONE = "none", _("Nothing")
    DEDUCT = "deduct", _("Deduct points from the total")
    DEMOTE = "demote", _("Demote by one tier")
    NOT_RANKED = "not_ranked", _("Not ranked")


class SurveyScaleKind(models.TextChoices):
    LIKERT5 = "likert5", _("Likert 1–5")
    ABCD = "abcd", _("A/B/C/D")
    YESNO = "yesno", _("Yes/no")


class SurveySource(models.TextChoices):
    WEB = "web", _("Web form")
    PAPER = "paper", _("Paper form")
