"""Random sequences of the year's actions never publish a figure the scores do not give (issue 9).

Hypothesis draws sequences of what the agencies, the reviewers and the council do — self and
reviewed scores, submissions, explanations and their decisions, survey results, demotions,
imports of `Diem` and `HaBac` rows, phase changes forward and back, reopening an assessment or
the published results, computing, approving and publishing — each through its service, on one
period. Refused actions are part of the game. After every action:

- results marked as computed are those of the inputs as they stand (every write that changed
  an input withdrew them at once);
- after a successful publication, every published figure (total, maximum, index, tier, rank,
  previous rank, and the certificate list) equals a recomputation of the scores, demotions and
  settings in the database at that moment with the pure functions of `ranking/scoring.py` —
  leaf by leaf, not through the sums the database makes for `results_compute`.

Each sequence approves, acts on, then publishes, twice (reopening the published results in
between): the actions after an approval are what could make its results stale. A person's
action goes back to the phase where it is done, as the council would; publishing moves on to
finalization first. The world is built once per test; every example runs in a savepoint rolled
back at its end. The examples are derandomized: the same sequences run every time, on SQLite
and PostgreSQL.
"""

import datetime
import io
from collections import Counter
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.utils import timezone
from hypothesis import given, seed, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from accounts.models import Role
from ranking import scoring
from ranking.assessments.appraisal import (
    appraisal_approve,
    assessment_mark_reviewed,
    explanation_decide,
    explanation_set,
    explanation_submit,
    score_review_set,
)
from ranking.assessments.services import assessment_reopen, assessment_submit, score_self_set
from ranking.enums import AssessmentStatus, Decision, Method, Phase
from ranking.errors import ServiceError
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Publication,
    Result,
    Score,
    Tier,
)
from ranking.results.compute import period_inputs
from ranking.results.finalization import (
    award_change,
    demotion_remove,
    demotion_set,
    period_phase_set,
    period_publish,
    period_reopen,
    results_approve,
    results_compute_by,
    survey_score_set,
)
from ranking.workbook.importer import workbook_import
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

D = Decimal
CODE = "CCHC-2025"
SBN_AGENCIES = ("SNV", "STC", "SXD")
QH_AGENCIES = ("HCH", "LCH")
AGENCIES = SBN_AGENCIES + QH_AGENCIES
# Where each agency stands when a sequence begins (the period is in the explanation phase).
# STC's explanation of 1.1 awaits its decision (nothing is published before it is decided);
# LCH was returned for correction; HCH is under appraisal.
STATUSES = {
    "SNV": AssessmentStatus.FINALIZED,
    "STC": AssessmentStatus.EXPLAINED,
    "SXD": AssessmentStatus.APPROVED,
    "HCH": AssessmentStatus.IN_REVIEW,
    "LCH": AssessmentStatus.RETURNED,
}
# Final scores at the start, per leaf (2.2 applies to districts only; 3 and 4 left empty).
START = {
    "SNV": {"1.1": "9", "1.2": "8.5", "1.3": "5", "2.1": "9.5"},
    "STC": {"1.1": "9", "1.2": "9", "1.3": "5", "2.1": "9"},
    "SXD": {"1.1": "6", "1.2": "7", "1.3": "2", "2.1": "8"},
    "HCH": {"1.1": "10", "1.2": "6", "1.3": "5", "2.1": "7", "2.2": "5"},
    "LCH": {"1.1": "4.5", "1.2": "10", "1.3": "0", "2.1": "10", "2.2": "0"},
}
PREVIOUS_RANKS = {"SNV": 1, "STC": 2, "HCH": 1}
INDEX_PLACES = D("1E-10")

# Values offered per leaf: allowed ones and a few a leaf refuses (above the maximum, off the
# step, not an option, a positive deduction).
VALUES = {
    "1.1": ["0", "4.5", "7", "10", "10.5", "6.25"],
    "1.2": ["0", "5.5", "9", "10", "12"],
    "1.3": ["0", "2", "5", "3"],
    "2.1": ["0", "6.5", "9.25", "10", "12"],
    "2.2": ["0", "5", "3"],
    "3": ["0", "-0.5", "-2", "-3", "1"],
    "4": ["0", "1", "2", "3"],
}
SCORED_LEAVES = ["1.1", "1.2", "1.3", "2.2", "3", "4"]


def build_world() -> dict:
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    qh = AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    agencies = {code: AgencyFactory(code=code, name=f"Đơn vị {code}", group=sbn) for code in SBN_AGENCIES}
    agencies |= {code: AgencyFactory(code=code, name=f"Đơn vị {code}", group=qh) for code in QH_AGENCIES}
    previous = PeriodFactory(code="CCHC-2024", year=2024, phase=Phase.PUBLISHED)
    for code, rank in PREVIOUS_RANKS.items():
        HistoricalResult.objects.create(period=previous, agency=agencies[code], rank=rank)
    period = PeriodFactory(
        code=CODE,
        year=2025,
        phase=Phase.EXPLANATION,
        previous=previous,
        award_from_tier="Tốt",
        award_max_per_group=2,
        explanation_deadline=timezone.localdate() + datetime.timedelta(days=30),
    )
    make_tiers(period)
    one = CriterionFactory(period=period, code="1", max_points=D("25"))
    two = CriterionFactory(period=period, code="2", max_points=D("15"))
    leaves = {
        "1.1": CriterionFactory(period=period, parent=one, code="1.1", max_points=D("10"), step=D("0.5")),
        "1.2": CriterionFactory(
            period=period, parent=one, code="1.2", max_points=D("10"), step=D("0.5"), allow_not_arising=True
        ),
        "1.3": CriterionFactory(
            period=period,
            parent=one,
            code="1.3",
            max_points=D("5"),
            method=Method.CHOICE,
            options=[["Đủ", "5"], ["Thiếu", "2"], ["Không", "0"]],
        ),
        "2.1": CriterionFactory(
            period=period, parent=two, code="2.1", max_points=D("10"), method=Method.SURVEY
        ),
        "2.2": CriterionFactory(
            period=period, parent=two, code="2.2", max_points=D("5"), method=Method.YESNO
        ),
        "3": CriterionFactory(period=period, code="3", max_points=D("2"), method=Method.DEDUCTION),
        "4": CriterionFactory(period=period, code="4", max_points=D("2"), method=Method.BONUS),
    }
    leaves["2.2"].groups.set([qh])
    council = UserFactory(username="hoidong", role=Role.COUNCIL)
    reviewer = UserFactory(username="thamdinh", role=Role.REVIEWER)
    officers, heads = {}, {}
    for code, agency in agencies.items():
        officers[code] = UserFactory(username=f"canbo.{code}", role=Role.OFFICER, agency=agency)
        heads[code] = UserFactory(username=f"lanhdao.{code}", role=Role.HEAD, agency=agency)
        assessment = AssessmentFactory(
            period=period,
            agency=agency,
            reviewer=reviewer,
            status=STATUSES[code],
            submitted_at=timezone.now(),
        )
        for leaf, value in START[code].items():
            Score.objects.create(
                assessment=assessment,
                criterion=leaves[leaf],
                self_score=D(value),
                reviewed_score=D(value),
                final_score=D(value),
                explanation="Đã ban hành đủ kế hoạch" if (code, leaf) == ("STC", "1.1") else "",
                proposed_score=D("10") if (code, leaf) == ("STC", "1.1") else None,
            )
    return {
        "period": period,
        "leaves": {code: leaf.pk for code, leaf in leaves.items()},
        "agencies": {code: agency.pk for code, agency in agencies.items()},
        "council": council,
        "reviewer": reviewer,
        "officers": officers,
        "heads": heads,
    }


# --- the recomputation, leaf by leaf with scoring.py -------------------------------------------------


def recomputed(period: Period) -> tuple[dict[str, tuple], set[str]]:
    """Agency code → (group, total, maximum, index, tier, rank, previous rank), and the codes on
    the certificate list, from the database as it stands, with the pure functions only."""
    tiers = list(Tier.objects.filter(period=period).order_by("order"))
    criteria = list(Criterion.objects.filter(period=period).order_by("sort_key").prefetch_related("groups"))
    parents = {c.parent_id for c in criteria if c.parent_id}
    leaves = [c for c in criteria if c.id not in parents]
    scores = {(s.assessment_id, s.criterion_id): s for s in Score.objects.filter(assessment__period=period)}
    demotions = {d.agency_id: d for d in Demotion.objects.filter(period=period)}
    tier_position = {t.id: i for i, t in enumerate(tiers)}
    before = dict(
        Result.objects.filter(period_id=period.previous_id).values_list("agency_id", "rank")
    ) or dict(HistoricalResult.objects.filter(period_id=period.previous_id).values_list("agency_id", "rank"))
    inputs, agencies = [], {}
    for assessment in Assessment.objects.filter(period=period).select_related("agency__group"):
        agency = assessment.agency
        agencies[agency.code] = agency
        leaf_scores = []
        for leaf in leaves:
            groups = {g.id for g in leaf.groups.all()}
            if groups and agency.group_id not in groups:
                continue
            score = scores.get((assessment.id, leaf.id))
            leaf_scores.append(
                scoring.LeafScore(
                    scoring.Leaf(
                        leaf.code, leaf.method, leaf.max_points or D(0), scoring.Leaf.field_of(leaf.code)
                    ),
                    score.final_score if score else None,
                    score.not_arising if score else False,
                )
            )
        assert scoring.unscored(leaf_scores) == [], f"published with unscored leaves of {agency.code}"
        demotion = demotions.get(agency.id)
        inputs.append(
            scoring.AgencyInput(
                key=agency.code,
                group=agency.group_id,
                scores=leaf_scores,
                demotion_steps=(demotion.steps or 0) if demotion else 0,
                cap_position=tier_position.get(demotion.cap_tier_id) if demotion else None,
                previous_rank=before.get(agency.id),
            )
        )
    labels = [t.label for t in tiers]
    rules = scoring.PeriodRules(
        tiers=[scoring.TierDef(t.label, t.min_index) for t in tiers],
        field_codes=[c.code for c in criteria if c.parent_id is None],
        tie_breakers=tuple(period.tie_breakers),
        award=scoring.AwardRule(
            from_position=labels.index(period.award_from_tier),
            max_per_group=period.award_max_per_group,
            exclude_demoted=period.award_exclude_demoted,
        ),
    )
    results = scoring.compute_period(inputs, rules)
    figures = {
        r.key: (
            agencies[r.key].group.name,
            r.totals.total,
            r.totals.maximum,
            r.totals.index.quantize(INDEX_PLACES),
            labels[r.tier],
            r.rank,
            r.previous_rank,
        )
        for r in results
    }
    proposed = {r.key for r in results if r.award_proposed}
    decided = {e.agency.code: e.included for e in AwardEntry.objects.filter(period=period).exclude(reason="")}
    awarded = {code for code in proposed if decided.get(code, True)} | {c for c, on in decided.items() if on}
    return figures, awarded


def published_figures(publication: Publication) -> tuple[dict[str, tuple], set[str]]:
    figures = {
        row["agency"]: (
            row["group"],
            D(row["total"]),
            D(row["maximum"]),
            D(row["index"]),
            row["tier"],
            row["rank"],
            row["previous_rank"],
        )
        for row in publication.results
    }
    return figures, {row["agency"] for row in publication.awards}


# --- the actions ---------------------------------------------------------------------------------------


def workbook(name: str, rows: list[list]) -> io.BytesIO:
    book = Workbook()
    sheet = book.active
    sheet.title = name
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


class NothingToDo(Exception):
    """Nobody is waiting for this action now (no assessment in that state, no demotion to lift)."""


class Run:
    """One sequence: the world's people acting on the period through the services."""

    def __init__(self, world: dict):
        self.world = world
        self.publications = 0

    def period(self) -> Period:
        return Period.objects.get(pk=self.world["period"].pk)

    def assessment(self, code: str) -> Assessment:
        return Assessment.objects.select_related("period", "agency").get(
            period=self.world["period"], agency_id=self.world["agencies"][code]
        )

    def leaf(self, code: str) -> int:
        return self.world["leaves"][code]

    def one_of(self, statuses, n: int) -> str:
        """The n-th (cyclically) agency whose assessment is in one of `statuses`: the one a
        person picks from the list of those waiting for them. Refused if there is none."""
        codes = sorted(
            Assessment.objects.filter(period=self.world["period"], status__in=statuses).values_list(
                "agency__code", flat=True
            )
        )
        if not codes:
            raise NothingToDo
        return codes[n % len(codes)]

    def pending_explanation(self, n: int) -> tuple[str, str]:
        """The n-th (cyclically) explanation awaiting its decision: (agency, leaf)."""
        pending = list(
            Score.objects.filter(assessment__period=self.world["period"], decision="")
            .exclude(explanation="")
            .order_by("assessment__agency__code", "criterion__sort_key")
            .values_list("assessment__agency__code", "criterion__code")
        )
        if not pending:
            raise NothingToDo
        return pending[n % len(pending)]

    def into(self, *phases: str) -> None:
        """Where the period is in none of `phases`, the council first moves it to the first
        (going back, if need be, with a reason): the way back to a step done before."""
        if self.period().phase not in phases:
            self.phase(phases[0])

    # Each returns whatever the service returned; refusals raise.
    def self_score(self, n, leaf, value, not_arising):
        self.into(Phase.APPRAISAL, Phase.SELF_ASSESSMENT)
        agency = self.one_of((AssessmentStatus.DRAFT, AssessmentStatus.RETURNED), n)
        return score_self_set(
            user=self.world["officers"][agency],
            assessment=self.assessment(agency),
            criterion_id=self.leaf(leaf),
            value=None if not_arising else D(value),
            not_arising=not_arising,
        )

    def submit(self, n):
        agency = self.one_of((AssessmentStatus.DRAFT, AssessmentStatus.RETURNED), n)
        return assessment_submit(user=self.world["heads"][agency], assessment=self.assessment(agency))

    def review(self, n, leaf, value):
        self.into(Phase.APPRAISAL, Phase.SELF_ASSESSMENT)
        agency = self.one_of((AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW), n)
        return score_review_set(
            user=self.world["council"],
            assessment=self.assessment(agency),
            criterion_id=self.leaf(leaf),
            value=D(value),
            comment="Điều chỉnh theo minh chứng",
        )

    def close_appraisal(self, n):
        self.into(Phase.APPRAISAL, Phase.SELF_ASSESSMENT)
        agency = self.one_of((AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW), n)
        assessment_mark_reviewed(user=self.world["reviewer"], assessment=self.assessment(agency))
        return appraisal_approve(user=self.world["council"], assessment=self.assessment(agency))

    def explain(self, n, leaf, value):
        self.into(Phase.EXPLANATION)
        agency = self.one_of((AssessmentStatus.APPROVED,), n)
        explanation_set(
            user=self.world["officers"][agency],
            assessment=self.assessment(agency),
            criterion_id=self.leaf(leaf),
            explanation="Đơn vị đã có văn bản",
            proposed_score=D(value),
        )
        return explanation_submit(user=self.world["heads"][agency], assessment=self.assessment(agency))

    def decide(self, n, decision, value):
        agency, leaf = self.pending_explanation(n)
        self.into(Phase.EXPLANATION)
        return explanation_decide(
            user=self.world["reviewer"],
            assessment=self.assessment(agency),
            criterion_id=self.leaf(leaf),
            decision=decision,
            reason="Xem xét giải trình",
            score_value=D(value),
        )

    def phase(self, phase):
        return period_phase_set(
            user=self.world["council"], period=self.period(), phase=phase, reason="Điều chỉnh"
        )

    def survey(self, agency, value):
        return survey_score_set(
            user=self.world["council"],
            assessment=self.assessment(agency),
            criterion_id=self.leaf("2.1"),
            value=D(value),
        )

    def demote(self, agency, steps, cap):
        tier = Tier.objects.get(period=self.world["period"], label=cap) if cap else None
        return demotion_set(
            user=self.world["council"],
            period=self.period(),
            agency=self.assessment(agency).agency,
            reason="Vi phạm kỷ luật",
            steps=steps,
            cap_tier=tier,
        )

    def lift(self, agency):
        demotion = Demotion.objects.filter(
            period=self.world["period"], agency_id=self.world["agencies"][agency]
        ).first()
        if demotion is None:
            raise NothingToDo
        return demotion_remove(user=self.world["council"], demotion=demotion, reason="Xem xét lại")

    def import_scores(self, rows):
        header = [
            "Mã kỳ",
            "Mã đơn vị",
            "Mã tiêu chí",
            "Điểm tự đánh giá",
            "Điểm thẩm định",
            "Không phát sinh",
        ]
        cells = [
            [CODE, agency, leaf, value, value, "x" if flag else None] for agency, leaf, value, flag in rows
        ]
        report = workbook_import(file=workbook("Diem", [header, *cells]), user=self.world["council"])
        if not report.ok:
            raise ServiceError(*report.problems)
        return report

    def import_demotion(self, agency, steps):
        header = ["Mã kỳ", "Mã đơn vị", "Số bậc hạ", "Lý do"]
        report = workbook_import(
            file=workbook("HaBac", [header, [CODE, agency, steps, "Hạ bậc theo kết luận"]])
        )
        if not report.ok:
            raise ServiceError(*report.problems)
        return report

    def reopen_assessment(self, n):
        self.into(Phase.APPRAISAL, Phase.SELF_ASSESSMENT)
        agency = self.one_of(
            (AssessmentStatus.SUBMITTED, AssessmentStatus.IN_REVIEW, AssessmentStatus.REVIEWED), n
        )
        return assessment_reopen(
            user=self.world["council"], assessment=self.assessment(agency), reason="Bổ sung"
        )

    def reopen_period(self):
        return period_reopen(user=self.world["council"], period=self.period(), reason="Đính chính kết quả")

    def award(self, agency, included):
        return award_change(
            user=self.world["council"],
            period=self.period(),
            agency=self.assessment(agency).agency,
            included=included,
            reason="Hội đồng quyết định",
        )

    def compute(self):
        return results_compute_by(user=self.world["council"], period=self.period())

    def approve(self):
        return results_approve(user=self.world["council"], period=self.period())

    def publish(self):
        """The council moves on to finalization, if need be, and publishes what it approved."""
        self.into(Phase.FINALIZATION)
        publication = period_publish(user=self.world["council"], period=self.period())
        self.check_publication(publication)
        return publication

    def to_approval(self):
        """The council's way to the conference: finalize, compute and approve (publishing follows)."""
        self.into(Phase.FINALIZATION)
        self.compute()
        return self.approve()

    def to_publication(self):
        self.to_approval()
        return self.publish()

    # --- what must hold ---------------------------------------------------------------------------------

    def check_publication(self, publication: Publication) -> None:
        self.publications += 1
        assert published_figures(publication) == recomputed(self.period())

    def check_results_current(self) -> None:
        period = self.period()
        if period.results_computed_at is not None and period.phase != Phase.PUBLISHED:
            assert period.results_fingerprint == period_inputs(period=period).fingerprint, (
                "results are marked as computed, yet their inputs changed without withdrawing them"
            )


agency = st.sampled_from(AGENCIES)
leaf_value = st.sampled_from(SCORED_LEAVES).flatmap(
    lambda leaf: st.tuples(st.just(leaf), st.sampled_from(VALUES[leaf]))
)
nth = st.integers(min_value=0, max_value=4)
# Each kind of action, with what it is done on.
KINDS = {
    "self_score": st.tuples(nth, leaf_value, st.booleans()).map(
        lambda a: (a[0], a[1][0], a[1][1], a[2] and a[1][0] == "1.2")
    ),
    "submit": st.tuples(nth),
    "review": st.tuples(nth, leaf_value).map(lambda a: (a[0], *a[1])),
    "close_appraisal": st.tuples(nth),
    "explain": st.tuples(nth, st.sampled_from(("1.1", "1.2")), st.sampled_from(("10", "9.5"))),
    "decide": st.tuples(nth, st.sampled_from(Decision.values), st.sampled_from(("8", "9", "11"))),
    "phase": st.tuples(st.sampled_from([p for p in Phase.values if p != Phase.PUBLISHED])),
    "survey": st.tuples(agency, st.sampled_from(VALUES["2.1"])),
    "demote": st.tuples(agency, st.sampled_from((1, 2, None)), st.sampled_from((None, "Khá", "Yếu"))),
    "lift": st.tuples(agency),
    "import_scores": st.tuples(
        st.lists(
            st.tuples(
                agency,
                st.sampled_from(("1.1", "1.2", "2.1", "2.2")),
                st.sampled_from(("3", "7.5", "10", None)),
                st.booleans(),
            ).map(lambda row: (*row[:3], row[3] and row[1] == "1.2")),
            min_size=1,
            max_size=3,
        )
    ),
    "import_demotion": st.tuples(agency, st.sampled_from((1, 2))),
    "reopen_assessment": st.tuples(nth),
    "reopen_period": st.tuples(),
    "award": st.tuples(agency, st.booleans()),
    "compute": st.tuples(),
    "approve": st.tuples(),
    "to_approval": st.tuples(),
    "to_publication": st.tuples(),
    "publish": st.tuples(),
}
# How often each is drawn against the others' once: deciding explanations is what every
# publication waits for, and phases gate everything else.
WEIGHTS = {"decide": 3, "phase": 2, "publish": 2}
ACTIONS = st.sampled_from([kind for kind in KINDS for _ in range(WEIGHTS.get(kind, 1))]).flatmap(
    lambda kind: KINDS[kind].map(lambda args: (kind, *args))
)

# Each sequence runs two rounds: some actions, the council's approval, more actions, and an
# attempt to publish what was approved; then a reopening of the published results for a
# correction, and the same again. Examples and their length: ten to twenty seconds.
EXAMPLES = 30
# A fixed seed, not one derived from the test's code: the same sequences run every time, and
# editing this file does not change them.
SEED = 20180601
PART = 6
ROUND = st.tuples(st.lists(ACTIONS, max_size=PART), st.lists(ACTIONS, min_size=1, max_size=PART)).map(
    lambda parts: [*parts[0], ("to_approval",), *parts[1], ("publish",)]
)
SEQUENCES = st.tuples(ROUND, ROUND).map(lambda rounds: [*rounds[0], ("reopen_period",), *rounds[1]])


@pytest.mark.django_db
def test_every_published_figure_is_the_scores_figure():
    world = build_world()
    seen: Counter = Counter()

    @settings(max_examples=EXAMPLES, deadline=None, database=None, report_multiple_bugs=False)
    @seed(SEED)
    @given(actions=SEQUENCES)
    def sequence(actions):
        run = Run(world)
        with transaction.atomic():
            for name, *args in actions:
                try:
                    getattr(run, name)(*args)
                except (ServiceError, PermissionDenied, NothingToDo):
                    seen["refused"] += 1
                else:
                    seen[name] += 1
                run.check_results_current()
            seen["publications"] += run.publications
            transaction.set_rollback(True)

    sequence()

    # The sequences went where it matters: they published often, deciding explanations,
    # importing and reopening on the way, and most kinds of action were accepted somewhere
    # (the others refused: refusals are part of the game).
    accepted = {kind for kind in KINDS if seen[kind]}
    assert seen["publications"] >= 10, seen
    assert {"self_score", "decide", "import_scores", "reopen_period", "to_approval"} <= accepted, seen
    assert len(accepted) >= 15, seen
    assert seen["refused"] > 0, seen
