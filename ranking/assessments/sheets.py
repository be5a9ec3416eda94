"""An assessment as a sheet: the criteria tree that applies to the agency with its scores,
evidence, subtotals and totals (`assessment_sheet`), or its figures alone for a save's answer
(`sheet_figures`). Every count (scored, missing evidence, unreviewed…) is defined here once."""

from collections import defaultdict
from dataclasses import dataclass, field
from decimal import Decimal
from functools import lru_cache, partial

from django.db import connection
from django.db.models import BooleanField, IntegerField

from ranking import scoring
from ranking.models import Assessment, Criterion, Evidence, Score
from ranking.periods.criteria import applicable_criteria, applicable_tree, group_applies_sql
from ranking.rows import Columns, Statement


def leaf_required(method: str) -> bool:
    """A leaf the agency must score before submitting (bonus, deduction and survey need not)."""
    return method not in scoring.OUTSIDE_BASE + (scoring.SURVEY,)


def leaf_scored(self_score: Decimal | None, not_arising: bool) -> bool:
    return self_score is not None or not_arising


def leaf_missing_evidence(
    evidence_required: bool, self_score: Decimal | None, not_arising: bool, has_files: bool, reason: str
) -> bool:
    """Scored, evidence required, no file attached and no written reason why."""
    return (
        evidence_required
        and self_score is not None
        and not not_arising
        and not has_files
        and not reason.strip()
    )


def leaf_differs(
    self_score: Decimal | None,
    reviewed_score: Decimal | None,
    not_arising: bool = False,
    reviewer_not_arising: bool | None = None,
) -> bool:
    """The reviewer's word differs from the agency's: on whether the leaf arises, or on its score."""
    overruled = reviewer_not_arising is not None and reviewer_not_arising != not_arising
    return overruled or (reviewed_score is not None and reviewed_score != self_score)


def leaf_reviewable(method: str) -> bool:
    """A leaf the reviewer scores (survey leaves are imported; bonus and deduction may stay empty)."""
    return method != scoring.SURVEY and method not in scoring.OUTSIDE_BASE


def leaf_unreviewed(method: str, reviewed_score: Decimal | None, final_not_arising: bool) -> bool:
    """A leaf the reviewer still has to score: it arises, as far as the reviewer's word goes,
    and has no reviewed score."""
    return leaf_reviewable(method) and not (reviewed_score is not None or final_not_arising)


def leaf_uncommented(
    self_score: Decimal | None,
    reviewed_score: Decimal | None,
    comment: str,
    not_arising: bool = False,
    reviewer_not_arising: bool | None = None,
) -> bool:
    return leaf_differs(self_score, reviewed_score, not_arising, reviewer_not_arising) and not comment.strip()


@dataclass
class SheetRow:
    """One node of the criteria tree as an agency sees it, with its score and subtotals."""

    criterion: Criterion
    is_leaf: bool
    max_points: Decimal
    score: Score | None = None
    evidence: list[Evidence] = field(default_factory=list)
    explanation_evidence: list[Evidence] = field(default_factory=list)
    self_subtotal: Decimal = Decimal(0)
    reviewed_subtotal: Decimal = Decimal(0)
    final_subtotal: Decimal = Decimal(0)

    @property
    def depth(self) -> int:
        return self.criterion.depth

    @property
    def is_field(self) -> bool:
        return self.criterion.parent_id is None

    @property
    def required(self) -> bool:
        """A leaf the agency must score before submitting."""
        return self.is_leaf and leaf_required(self.criterion.method)

    @property
    def scored(self) -> bool:
        s = self.score
        return s is not None and leaf_scored(s.self_score, s.not_arising)

    @property
    def missing_evidence(self) -> bool:
        s = self.score
        return (
            self.is_leaf
            and s is not None
            and leaf_missing_evidence(
                self.criterion.evidence_required,
                s.self_score,
                s.not_arising,
                bool(self.evidence),
                s.no_evidence_reason,
            )
        )

    @property
    def differs(self) -> bool:
        s = self.score
        return s is not None and leaf_differs(
            s.self_score, s.reviewed_score, s.not_arising, s.reviewer_not_arising
        )

    @property
    def unreviewed(self) -> bool:
        s = self.score
        return self.is_leaf and leaf_unreviewed(
            self.criterion.method, s.reviewed_score if s else None, bool(s and s.final_not_arising)
        )

    @property
    def uncommented(self) -> bool:
        s = self.score
        return s is not None and leaf_uncommented(
            s.self_score, s.reviewed_score, s.review_comment, s.not_arising, s.reviewer_not_arising
        )


@dataclass
class AssessmentSheet:
    assessment: Assessment
    rows: list[SheetRow]
    self_totals: scoring.Totals
    reviewed_totals: scoring.Totals
    final_totals: scoring.Totals

    @property
    def leaves(self) -> list[SheetRow]:
        return [row for row in self.rows if row.is_leaf]

    @property
    def required_count(self) -> int:
        return sum(1 for row in self.leaves if row.required)

    @property
    def scored_count(self) -> int:
        return sum(1 for row in self.leaves if row.required and row.scored)

    @property
    def unscored(self) -> list[SheetRow]:
        return [row for row in self.leaves if row.required and not row.scored]

    @property
    def missing_evidence(self) -> list[SheetRow]:
        return [row for row in self.leaves if row.missing_evidence]

    @property
    def missing_evidence_count(self) -> int:
        return len(self.missing_evidence)

    @property
    def unreviewed(self) -> list[SheetRow]:
        """Leaves still without a reviewed score (survey leaves are imported, not reviewed)."""
        return [row for row in self.leaves if row.unreviewed]

    @property
    def uncommented(self) -> list[SheetRow]:
        return [row for row in self.leaves if row.uncommented]

    @property
    def review_count(self) -> int:
        """Leaves the reviewer scores."""
        return sum(1 for row in self.leaves if leaf_reviewable(row.criterion.method))

    @property
    def unreviewed_count(self) -> int:
        return len(self.unreviewed)

    @property
    def uncommented_count(self) -> int:
        return len(self.uncommented)

    @property
    def differences(self) -> int:
        return sum(1 for row in self.leaves if row.differs)

    def row(self, criterion_id: int) -> SheetRow | None:
        return next((r for r in self.rows if r.criterion.id == criterion_id), None)


def leaf_points(leaf: scoring.Leaf, value: Decimal | None, not_arising: bool) -> Decimal:
    """What a leaf's score adds to its parents' subtotals."""
    return scoring.contribution(leaf, value) if value is not None and not not_arising else Decimal(0)


def add_to_parents(
    by_id: dict[int, SheetRow],
    leaf: scoring.Leaf,
    parent_id: int | None,
    points: list[Decimal],
    *,
    appraisal: bool = True,
) -> None:
    """Add a leaf's maximum (base leaves only) and its self, reviewed and final points to
    every parent above it (without `appraisal`, its reviewed and final subtotals stay 0)."""
    base = leaf.method not in scoring.OUTSIDE_BASE
    while parent_id:
        parent = by_id[parent_id]
        if base:
            parent.max_points += leaf.max_points
        parent.self_subtotal += points[0]
        if appraisal:
            parent.reviewed_subtotal += points[1]
            parent.final_subtotal += points[2]
        parent_id = parent.criterion.parent_id


def assessment_sheet(*, assessment: Assessment) -> AssessmentSheet:
    """The whole assessment as a tree with scores, evidence, subtotals and totals.

    Four queries, however many leaves the criteria set has.
    """
    criteria, leaf_ids = applicable_criteria(period=assessment.period, group_id=assessment.group_id)
    scores = {s.criterion_id: s for s in Score.objects.filter(assessment=assessment)}
    evidence: dict[int, list[Evidence]] = defaultdict(list)
    for item in Evidence.objects.filter(score__assessment=assessment).order_by("uploaded_at", "pk"):
        evidence[item.score_id].append(item)
    rows = []
    by_id: dict[int, SheetRow] = {}
    for criterion in criteria:
        is_leaf = criterion.id in leaf_ids
        score = scores.get(criterion.id)
        files = evidence.get(score.id, []) if score else []
        row = SheetRow(
            criterion=criterion,
            is_leaf=is_leaf,
            max_points=Decimal(0),
            score=score,
            evidence=[f for f in files if f.purpose == Evidence.Purpose.SELF_ASSESSMENT],
            explanation_evidence=[f for f in files if f.purpose == Evidence.Purpose.EXPLANATION],
        )
        rows.append(row)
        by_id[criterion.id] = row
    self_scores, reviewed_scores, final_scores = [], [], []
    for row in rows:
        if not row.is_leaf:
            continue
        c = row.criterion
        leaf = scoring.Leaf(
            code=c.code, method=c.method, max_points=c.max_points or Decimal(0), field=c.field_code
        )
        s = row.score
        # The self-assessment counts as the agency says; the appraisal and the final figures
        # as the reviewer says, once they have.
        final_na = bool(s and s.final_not_arising)
        flags = (bool(s and s.not_arising), final_na, final_na)
        row.max_points = leaf.max_points
        values = (
            (s.self_score if s else None),
            (s.reviewed_score if s else None),
            (s.final_score if s else None),
        )
        self_scores.append(scoring.LeafScore(leaf, values[0], flags[0]))
        reviewed_scores.append(scoring.LeafScore(leaf, values[1], flags[1]))
        final_scores.append(scoring.LeafScore(leaf, values[2], flags[2]))
        add_to_parents(
            by_id, leaf, c.parent_id, [leaf_points(leaf, v, na) for v, na in zip(values, flags, strict=True)]
        )
    return AssessmentSheet(
        assessment=assessment,
        rows=rows,
        self_totals=scoring.agency_totals(self_scores),
        reviewed_totals=scoring.agency_totals(reviewed_scores),
        final_totals=scoring.agency_totals(final_scores),
    )


@dataclass
class SheetFigures:
    """The subtotals, totals and counts of `assessment_sheet`, without the objects of its leaves.

    `headings` are the parent rows in tree order, with their maxima and self-assessed
    subtotals; their criterion holds its id, period, parent, code, maximum, method and evidence
    flag only. `filed`: the leaves with a file of any purpose. The appraisal's figures
    (reviewed and final subtotals and totals, the reviewer's counts) are there when asked for,
    None otherwise.
    """

    assessment: Assessment
    headings: list[SheetRow]
    leaf_ids: set[int]
    self_totals: scoring.Totals
    required_count: int
    scored_count: int
    missing_evidence_count: int
    reviewed_totals: scoring.Totals | None = None
    final_totals: scoring.Totals | None = None
    review_count: int | None = None
    unreviewed_count: int | None = None
    uncommented_count: int | None = None
    differences: int | None = None
    # The leaves with a file attached, of any purpose (the others need not read their files).
    filed: set[int] = field(default_factory=set)

    def ancestors(self, parent_id: int | None) -> list[SheetRow]:
        """The rows of a parent and of every parent above it, nearest first."""
        by_id = {row.criterion.id: row for row in self.headings}
        found = []
        while parent_id in by_id:
            found.append(by_id[parent_id])
            parent_id = by_id[parent_id].criterion.parent_id
        return found


# The criterion's columns a heading carries, in the model's field order (`Model.from_db`).
HEADING_FIELDS = ("id", "period_id", "parent_id", "code", "max_points", "method", "evidence_required")


SELF_COLUMNS = ("self_score", "not_arising", "no_evidence_reason")


APPRAISAL_COLUMNS = ("reviewed_score", "final_score", "review_comment", "reviewer_not_arising")


def figures_columns(appraisal: bool) -> Columns:
    """The columns of `figures_sql`, each read as its field (the booleans of SQLite, …)."""
    criterion, score = Criterion._meta, Score._meta
    return Columns(
        [criterion.get_field(name.removesuffix("_id")) for name in HEADING_FIELDS]
        + [BooleanField()]
        + [score.get_field(name) for name in SELF_COLUMNS]
        + [IntegerField()]
        + [score.get_field(name) for name in (APPRAISAL_COLUMNS if appraisal else ())]
    )


FIGURES_COLUMNS = {appraisal: figures_columns(appraisal) for appraisal in (False, True)}


def figures_sql(appraisal: bool) -> str:
    """The query of `sheet_figures`: the period's criteria in tree order, each with whether it
    applies to the agency's group, the assessment's score values and whether a file is attached
    (None: none; 0: one of the self-assessment; 1: only others).

    Written out once (a `Statement`): built with the ORM (FilteredRelation, the annotations)
    it cost each save more Python than the database takes to run it. Parameters: group,
    purpose, assessment, period.
    """
    criterion = Criterion._meta.db_table
    columns = ", ".join(f'c."{name}"' for name in HEADING_FIELDS)
    mine = ", ".join(f'mine."{name}"' for name in SELF_COLUMNS)
    appraisal_columns = "".join(f', mine."{name}"' for name in APPRAISAL_COLUMNS) if appraisal else ""
    applies = group_applies_sql('c."id"', None).sql
    return (
        f"SELECT {columns}, {applies} AS applies, {mine}, "
        f'(SELECT MIN(CASE WHEN e.purpose = %s THEN 0 ELSE 1 END) FROM "{Evidence._meta.db_table}" e '
        f'WHERE e.score_id = mine."id") AS files{appraisal_columns} '
        f'FROM "{criterion}" c LEFT OUTER JOIN "{Score._meta.db_table}" mine '
        f'ON mine."criterion_id" = c."id" AND mine."assessment_id" = %s '
        f'WHERE c."period_id" = %s ORDER BY c."sort_key"'
    )


FIGURES = {
    appraisal: Statement(f"ranking_sheet_figures_{int(appraisal)}", partial(figures_sql, appraisal))
    for appraisal in (False, True)
}


def sheet_figures(*, assessment: Assessment, appraisal: bool = False) -> SheetFigures:
    """The figures of the assessment's sheet: what `assessment_sheet` adds up, counted the same way.

    One query (`figures_sql`): the period's criteria as plain values, each with whether it
    applies to the agency's group, the assessment's score values and whether a file is attached
    (one of the self-assessment or another). With `appraisal`, the reviewed and final figures too.
    """
    columns = FIGURES_COLUMNS[appraisal]
    with connection.cursor() as cursor:
        FIGURES[appraisal].execute(
            cursor,
            (assessment.group_id, Evidence.Purpose.SELF_ASSESSMENT, assessment.pk, assessment.period_id),
        )
        nodes = columns.rows(cursor.fetchall())
    return figures_of(assessment, nodes, appraisal=appraisal)


@lru_cache(maxsize=4096)
def scoring_leaf(code: str, method: str, max_points: Decimal) -> scoring.Leaf:
    """A leaf as the arithmetic knows it; the same for every assessment of a period, so made
    once per criterion (it is immutable)."""
    return scoring.Leaf(code=code, method=method, max_points=max_points, field=code.split(".")[0])


def figures_of(assessment: Assessment, nodes: list, *, appraisal: bool) -> SheetFigures:
    """`sheet_figures` of the rows of `figures_sql`."""
    width = len(HEADING_FIELDS)
    applying = {node[0] for node in nodes if node[width]}
    kept, leaf_ids = applicable_tree([(node[0], node[2]) for node in nodes], applying.__contains__)
    headings: list[SheetRow] = []
    by_id: dict[int, SheetRow] = {}
    for node in nodes:
        if node[0] in kept and node[0] not in leaf_ids:
            criterion = Criterion.from_db(connection.alias, HEADING_FIELDS, node[:width])
            row = by_id[node[0]] = SheetRow(criterion=criterion, is_leaf=False, max_points=Decimal(0))
            headings.append(row)
    required = scored = missing = 0
    review = unreviewed = uncommented = differs = 0
    filed: set[int] = set()
    self_scores, reviewed_scores, final_scores = [], [], []
    none = Decimal(0)
    for node in nodes:
        if node[0] not in leaf_ids:
            continue
        _id, _period, parent_id, code, max_points, method, evidence_required = node[:width]
        self_score, not_arising, reason, files = node[width + 1 : width + 5]
        has_files = files == 0
        if files is not None:
            filed.add(node[0])
        not_arising = bool(not_arising)
        leaf = scoring_leaf(code, method, max_points or none)
        self_scores.append(scoring.LeafScore(leaf, self_score, not_arising))
        points = [leaf_points(leaf, self_score, not_arising), none, none]
        if leaf_required(method):
            required += 1
            scored += leaf_scored(self_score, not_arising)
        missing += leaf_missing_evidence(evidence_required, self_score, not_arising, has_files, reason or "")
        if appraisal:
            reviewed_score, final_score, comment, overruled = node[width + 5 :]
            final_na = scoring.final_not_arising(not_arising, overruled)
            reviewed_scores.append(scoring.LeafScore(leaf, reviewed_score, final_na))
            final_scores.append(scoring.LeafScore(leaf, final_score, final_na))
            points[1] = leaf_points(leaf, reviewed_score, final_na)
            points[2] = leaf_points(leaf, final_score, final_na)
            review += leaf_reviewable(method)
            unreviewed += leaf_unreviewed(method, reviewed_score, final_na)
            uncommented += leaf_uncommented(self_score, reviewed_score, comment or "", not_arising, overruled)
            differs += leaf_differs(self_score, reviewed_score, not_arising, overruled)
        add_to_parents(by_id, leaf, parent_id, points, appraisal=appraisal)
    figures = SheetFigures(
        assessment=assessment,
        headings=headings,
        leaf_ids=leaf_ids,
        self_totals=scoring.agency_totals(self_scores),
        required_count=required,
        scored_count=scored,
        missing_evidence_count=missing,
        filed=filed,
    )
    if appraisal:
        figures.reviewed_totals = scoring.agency_totals(reviewed_scores)
        figures.final_totals = scoring.agency_totals(final_scores)
        figures.review_count, figures.unreviewed_count = review, unreviewed
        figures.uncommented_count, figures.differences = uncommented, differs
    return figures


def sheet_leaf(
    *, assessment: Assessment, criterion_id: int, score: Score | None = None, evidence: bool = True
) -> SheetRow:
    """One leaf row as `assessment_sheet` makes it: criterion, score and evidence (no subtotals).

    `score` is the leaf's score already in hand, with its criterion loaded; without it the score
    is read with its criterion (and the criterion alone when the leaf has no score yet). Without
    `evidence`, the files are not read. The caller checks that the leaf applies
    (`SheetFigures.leaf_ids`). Zero to three queries.
    """
    if score is None:
        score = (
            Score.objects.select_related("criterion")
            .filter(assessment=assessment, criterion_id=criterion_id)
            .order_by("pk")  # not the model's ordering, which joins four tables
            .first()
        )
    criterion = score.criterion if score is not None else Criterion.objects.get(pk=criterion_id)
    files = []
    if score is not None and evidence:
        files = list(Evidence.objects.filter(score=score).order_by("uploaded_at", "pk"))
    return SheetRow(
        criterion=criterion,
        is_leaf=True,
        max_points=criterion.max_points or Decimal(0),
        score=score,
        evidence=[f for f in files if f.purpose == Evidence.Purpose.SELF_ASSESSMENT],
        explanation_evidence=[f for f in files if f.purpose == Evidence.Purpose.EXPLANATION],
    )
