"""How the agency's assessment page shows its rows: numbers formatted, labels and badges chosen.

The rows come from `ranking.assessments.sheets`; these classes only decide what each row's
template reads (what the user may do on it, its figures as text), without a query of their own.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.formats import get_format
from django.utils.translation import gettext as _

from ranking.assessments.services import progress
from ranking.assessments.sheets import AssessmentSheet, SheetFigures, SheetRow
from ranking.enums import AssessmentStatus, Decision, Method
from ranking.models import Assessment, Score
from ranking.numbers import plain, points, typed

STATUS_BADGES = {
    AssessmentStatus.DRAFT: "text-bg-secondary",
    AssessmentStatus.SUBMITTED: "text-bg-primary",
    AssessmentStatus.RETURNED: "text-bg-warning",
    AssessmentStatus.IN_REVIEW: "text-bg-info",
    AssessmentStatus.REVIEWED: "text-bg-info",
    AssessmentStatus.APPROVED: "text-bg-success",
    AssessmentStatus.EXPLAINED: "text-bg-primary",
    AssessmentStatus.FINALIZED: "text-bg-dark",
}
DECISION_BADGES = {
    Decision.ACCEPTED: "text-bg-success",
    Decision.PARTIAL: "text-bg-warning",
    Decision.REJECTED: "text-bg-danger",
}


def page_version(score) -> int:
    """The version a page shows for a leaf's score.

    A leaf without a score row yet: the service creates it with version 1 before comparing,
    so 1 is what the page saw; anyone else's save since then makes it 2 or more.
    """
    return score.version if score else 1


@dataclass
class Access:
    """What the user may do on this assessment now (all from objects already loaded)."""

    fill: bool
    appraisal: bool
    explain: bool
    history: bool

    @classmethod
    def of(cls, user, assessment: Assessment) -> Access:
        return cls(
            fill=user.has_perm("ranking.fill_assessment", assessment),
            appraisal=user.has_perm("ranking.view_appraisal", assessment),
            explain=user.has_perm("ranking.explain_assessment", assessment),
            history=user.has_perm("ranking.view_history", assessment),
        )


@dataclass
class Leaf:
    """A leaf row with everything its template needs, numbers already formatted."""

    row: SheetRow
    access: Access
    saved: bool = False
    explanation_saved: bool = False
    errors: list[str] = field(default_factory=list)
    explanation_errors: list[str] = field(default_factory=list)
    upload_errors: list[str] = field(default_factory=list)
    conflict: bool = False
    typed_value: str | None = None

    @property
    def criterion(self):
        return self.row.criterion

    @property
    def score(self) -> Score | None:
        return self.row.score

    @property
    def id(self) -> int:
        return self.row.criterion.id

    @property
    def version(self) -> int:
        return page_version(self.score)

    @property
    def method(self) -> str:
        return self.criterion.method

    @property
    def is_survey(self) -> bool:
        return self.method == Method.SURVEY

    @property
    def editable(self) -> bool:
        return self.access.fill and not self.is_survey

    @property
    def explainable(self) -> bool:
        return self.access.explain and not self.is_survey

    @property
    def not_arising(self) -> bool:
        return bool(self.score and self.score.not_arising)

    @property
    def final_not_arising(self) -> bool:
        """The appraisal's word on "does not arise", which may overrule the agency's."""
        return bool(self.score and self.score.final_not_arising)

    @property
    def max_text(self) -> str:
        return points(self.row.max_points or self.criterion.max_points)

    @property
    def self_text(self) -> str:
        if self.is_survey:
            return points(self.score.final_score) if self.score else ""
        return points(self.score.self_score) if self.score else ""

    @property
    def value(self) -> str:
        if self.typed_value is not None:
            return self.typed_value
        return typed(self.score.self_score) if self.score else ""

    @property
    def reviewed_text(self) -> str:
        return points(self.score.reviewed_score) if self.score else ""

    @property
    def final_text(self) -> str:
        return points(self.score.final_score) if self.score else ""

    @property
    def proposed_value(self) -> str:
        return typed(self.score.proposed_score) if self.score else ""

    @property
    def proposed_text(self) -> str:
        return points(self.score.proposed_score) if self.score else ""

    @property
    def differs(self) -> bool:
        return self.row.differs

    @property
    def final_differs(self) -> bool:
        s = self.score
        return bool(s and s.final_score is not None and s.final_score != s.reviewed_score)

    @property
    def decision_badge(self) -> str:
        return DECISION_BADGES.get(self.score.decision, "text-bg-secondary") if self.score else ""

    @property
    def range_hint(self) -> str:
        maximum = self.criterion.max_points or Decimal(0)
        if self.method == Method.DEDUCTION:
            return _("from −%(max)s to 0") % {"max": points(maximum)}
        if self.method == Method.BONUS:
            return _("from 0 to %(max)s (bonus)") % {"max": points(maximum)}
        if self.method == Method.YESNO:
            return _("0 or %(max)s") % {"max": points(maximum)}
        if self.method == Method.NUMBER and self.criterion.step:
            return _("from 0 to %(max)s, in steps of %(step)s") % {
                "max": points(maximum),
                "step": points(self.criterion.step),
            }
        return _("from 0 to %(max)s") % {"max": points(maximum)}

    @property
    def choices(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, points, selected) of a choice leaf."""
        current = self.score.self_score if self.score else None
        return [
            (plain(value), label, points(value), current is not None and current == value)
            for label, value in self.criterion.option_values
        ]

    @property
    def proposal_choices(self) -> list[tuple[str, str, str, bool]]:
        """(value, label, points, selected) a proposed score of a choice or yes/no leaf takes."""
        current = self.score.proposed_score if self.score else None
        if self.method == Method.CHOICE:
            options = self.criterion.option_values
        elif self.method == Method.YESNO:
            options = [(_("Done"), self.criterion.max_points or Decimal(0)), (_("Not done"), Decimal(0))]
        else:
            return []
        return [
            (plain(value), label, points(value), current is not None and current == value)
            for label, value in options
        ]

    @property
    def yes_value(self) -> str:
        return plain(self.criterion.max_points or Decimal(0))

    @property
    def answered_yes(self) -> bool:
        s = self.score
        return bool(s and s.self_score is not None and s.self_score == self.criterion.max_points)

    @property
    def answered_no(self) -> bool:
        s = self.score
        return bool(s and s.self_score is not None and s.self_score == 0)

    @property
    def needs_reason(self) -> bool:
        """Evidence is required and none is attached: a written reason takes its place."""
        return self.criterion.evidence_required and not self.row.evidence

    @property
    def unscored(self) -> bool:
        """A leaf the agency must score and has not yet (the grid's "not scored" filter)."""
        return self.row.required and not self.row.scored

    @property
    def decision_label(self) -> str:
        return Decision(self.score.decision).label if self.score and self.score.decision else ""


@dataclass
class Heading:
    """A field or criterion above the leaves, with its subtotal and maximum."""

    row: SheetRow
    appraisal: bool

    @property
    def id(self) -> int:
        return self.row.criterion.id

    @property
    def subtotal(self) -> str:
        return points(self.row.self_subtotal) or "0"

    @property
    def reviewed_subtotal(self) -> str:
        return points(self.row.reviewed_subtotal) or "0"

    @property
    def final_subtotal(self) -> str:
        return points(self.row.final_subtotal) or "0"

    @property
    def maximum(self) -> str:
        return points(self.row.max_points) or "0"

    @property
    def percent(self) -> str:
        """The self-assessed subtotal as a share of the maximum (2 decimals), empty without one."""
        return percent_of(self.row.self_subtotal, self.row.max_points)


def percent_of(part: Decimal | None, whole: Decimal | None) -> str:
    """`part` as a percentage of `whole`, 2 decimals with the language's mark: 75,5 → "75,50"."""
    if not whole:
        return ""
    share = (Decimal(part or 0) * 100 / Decimal(whole)).quantize(Decimal("0.01"))
    return f"{share:.2f}".replace(".", get_format("DECIMAL_SEPARATOR")).replace("-", "−")


@dataclass
class Section:
    """A field of the criteria tree: its heading, then its criteria and leaves in order."""

    heading: Heading | None
    items: list = field(default_factory=list)


def sections_of(sheet: AssessmentSheet, access: Access) -> list[Section]:
    sections: list[Section] = []
    for row in sheet.rows:
        if row.is_field:
            sections.append(Section(heading=Heading(row, access.appraisal)))
            if not row.is_leaf:
                continue
        if not sections:
            sections.append(Section(heading=None))
        sections[-1].items.append(Leaf(row, access) if row.is_leaf else Heading(row, access.appraisal))
    return sections


def progress_of(sheet: AssessmentSheet | SheetFigures) -> dict:
    figures = progress(sheet)
    figures["total_text"] = points(figures["total"]) or "0"
    figures["maximum_text"] = points(figures["maximum"]) or "0"
    figures["percent"] = int(figures["scored"] * 100 / figures["required"]) if figures["required"] else 100
    return figures


@dataclass(frozen=True)
class Difference:
    """A leaf whose reviewed score differs from the agency's self-score, as the agency reads it
    when it decides what to explain."""

    row: SheetRow

    @property
    def criterion(self):
        return self.row.criterion

    @property
    def self_text(self) -> str:
        s = self.row.score
        return _("does not arise") if s.not_arising else points(s.self_score)

    @property
    def reviewed_text(self) -> str:
        s = self.row.score
        return _("does not arise") if s.final_not_arising else points(s.reviewed_score)

    @property
    def difference_text(self) -> str:
        """Reviewed minus self, signed (+1 / −0,5); empty where either side has no number."""
        s = self.row.score
        if s.not_arising or s.final_not_arising or s.self_score is None or s.reviewed_score is None:
            return ""
        difference = s.reviewed_score - s.self_score
        return ("+" if difference > 0 else "") + points(difference)

    @property
    def comment(self) -> str:
        return self.row.score.review_comment


def differences_of(sheet: AssessmentSheet) -> list[Difference]:
    """The leaves whose appraisal differs from the self-assessment, in the criteria's order."""
    return [Difference(row) for row in sheet.leaves if row.differs]
