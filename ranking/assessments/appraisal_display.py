"""How the appraisal page shows its rows: option labels, reviewed inputs, range hints, and the
fields of the criteria tree with their leaves. Read from the sheet, without a query of their own.
"""

from dataclasses import dataclass, field
from decimal import Decimal

from django.utils.translation import gettext as _

from ranking.assessments.display import page_version
from ranking.assessments.sheets import AssessmentSheet, SheetFigures, SheetRow
from ranking.enums import AssessmentStatus, Method
from ranking.models import Criterion, Score
from ranking.numbers import typed

S = AssessmentStatus


@dataclass
class Leaf:
    """A leaf of the sheet with what the appraisal page shows and asks for it."""

    row: SheetRow
    unreviewed: bool
    uncommented: bool
    options: list[tuple[str, str]] = field(default_factory=list)
    self_label: str = ""
    reviewed_label: str = ""
    proposed_label: str = ""
    decision_errors: list[str] = field(default_factory=list)
    decision_form: dict = field(default_factory=dict)
    # The version the page keeps after a refused save: the one it showed, not a newer one.
    kept_version: int | None = None

    @property
    def criterion(self) -> Criterion:
        return self.row.criterion

    @property
    def score(self) -> Score | None:
        return self.row.score

    @property
    def reviewed_input(self) -> str:
        return typed(self.score.reviewed_score) if self.score else ""

    @property
    def version(self) -> int:
        return self.kept_version if self.kept_version is not None else page_version(self.score)

    @property
    def is_survey(self) -> bool:
        return self.criterion.method == Method.SURVEY

    @property
    def not_arising(self) -> bool:
        """The agency's word: the leaf does not arise."""
        return bool(self.score and self.score.not_arising)

    @property
    def reviewed_not_arising(self) -> bool:
        """The appraisal's word, which the final figures follow: the reviewer's once given."""
        return bool(self.score and self.score.final_not_arising)

    @property
    def offers_not_arising(self) -> bool:
        """The reviewer may say "does not arise" where the leaf allows it, and undo the agency's."""
        return self.criterion.allow_not_arising or self.not_arising

    @property
    def explained(self) -> bool:
        return bool(self.score and self.score.explanation)

    @property
    def awaiting_decision(self) -> bool:
        return self.explained and not self.score.decision

    @property
    def range_hint(self) -> str:
        c = self.criterion
        top = typed(c.max_points or Decimal(0))
        if c.method == Method.DEDUCTION:
            return _("from −%(floor)s to 0") % {"floor": top}
        if c.method == Method.BONUS:
            return _("bonus, 0 to %(max)s") % {"max": top}
        if c.method == Method.NUMBER and c.step:
            return _("0 to %(max)s, in steps of %(step)s") % {"max": top, "step": typed(c.step)}
        return _("0 to %(max)s") % {"max": top}


def option_labels(criterion: Criterion) -> list[tuple[Decimal, str]]:
    """The values a choice or yes/no leaf offers, with their labels."""
    if criterion.method == Method.CHOICE:
        return [(points, label) for label, points in criterion.option_values]
    if criterion.method == Method.YESNO:
        return [(criterion.max_points or Decimal(0), _("Done")), (Decimal(0), _("Not done"))]
    return []


def label_of(choices: list[tuple[Decimal, str]], value: Decimal | None) -> str:
    if value is None:
        return ""
    return next((label for points, label in choices if points == value), "")


def leaf_of_row(row: SheetRow, unreviewed: set[int], uncommented: set[int]) -> Leaf:
    choices = option_labels(row.criterion)
    score = row.score
    leaf = Leaf(
        row=row, unreviewed=row.criterion.id in unreviewed, uncommented=row.criterion.id in uncommented
    )
    leaf.options = [(typed(points), f"{label} ({typed(points)})") for points, label in choices]
    if score:
        leaf.self_label = label_of(choices, score.self_score)
        leaf.reviewed_label = label_of(choices, score.reviewed_score)
        leaf.proposed_label = label_of(choices, score.proposed_score)
    return leaf


@dataclass
class Block:
    """A field of the criteria tree: its own row and the rows below it, leaves decorated."""

    row: SheetRow
    items: list = field(default_factory=list)

    @property
    def code(self) -> str:
        return self.row.criterion.code


def sheet_blocks(sheet: AssessmentSheet) -> tuple[list[Block], dict[int, Leaf]]:
    unreviewed = {r.criterion.id for r in sheet.unreviewed}
    uncommented = {r.criterion.id for r in sheet.uncommented}
    blocks: list[Block] = []
    leaves: dict[int, Leaf] = {}
    for row in sheet.rows:
        if row.is_leaf:
            item = leaves[row.criterion.id] = leaf_of_row(row, unreviewed, uncommented)
        else:
            item = row
        if row.is_field:
            blocks.append(Block(row=row))
            if not row.is_leaf:
                continue
        blocks[-1].items.append(item)
    return blocks, leaves


def totals_context(sheet: AssessmentSheet | SheetFigures) -> dict:
    return {
        "sheet": sheet,
        "reviewed_count": sheet.review_count - sheet.unreviewed_count,
        "review_count": sheet.review_count,
        "differences": sheet.differences,
        "uncommented_count": sheet.uncommented_count,
        "show_final": sheet.assessment.status in (S.APPROVED, S.EXPLAINED, S.FINALIZED),
    }
