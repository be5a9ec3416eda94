"""The demonstration city year behind `manage.py seed_demo`.

Builds four groups, 42 agencies, their people, the 2024 history, the published 2025 year of
both subjects and the 2026 year in progress. The targets (index per agency, 2026 states)
are fixed in `ranking.demo.data`; one seeded generator varies the detail, so every run on
an empty database produces the same data.

Scores are written straight to the models (the demo plays a year that already happened);
the 2025 results go through `results_compute` like any real period.
"""

from __future__ import annotations

import random
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import ROUND_DOWN, Decimal
from zoneinfo import ZoneInfo

from django.contrib.auth.hashers import make_password
from django.db import transaction

from accounts.models import Agency, AgencyGroup, Role, User
from ranking import scoring
from ranking.demo import data
from ranking.enums import AssessmentStatus, Decision, Method, Phase, SurveyScaleKind, SurveySource
from ranking.models import (
    DEFAULT_SCALE_OPTIONS,
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Publication,
    RespondentGroup,
    Result,
    Score,
    SurveyAnswer,
    SurveyInvitation,
    SurveyQuestion,
    SurveyResponse,
    SurveyScale,
    Tier,
)
from ranking.periods.criteria import applies
from ranking.periods.services import period_copy
from ranking.results.compute import ComputeSummary, results_compute
from ranking.results.finalization import snapshot

TZ = ZoneInfo("Asia/Ho_Chi_Minh")
CENT = Decimal("0.01")
HUNDRED = Decimal(100)
PERIOD_CODES = [p.code for p in data.PERIODS]
OUTSIDE_BASE = (Method.BONUS, Method.DEDUCTION)

# When the steps of the 2025 assessments happened: (month, first day, last day).
CALENDAR_2025 = {
    "CCHC": {
        "submitted": ("2025-12", 5, 14),
        "opened": ("2025-12", 15, 20),
        "reviewed": ("2026-01", 5, 14),
        "explained": ("2026-01", 20, 30),
    },
    "VTLT": {
        "submitted": ("2025-11", 5, 14),
        "opened": ("2025-11", 15, 20),
        "reviewed": ("2025-12", 1, 12),
        "explained": ("2025-12", 20, 28),
    },
}

ABSENT = "absent"
PRESENT = "present"
INCOMPLETE = "incomplete"


def at(day: str, hour: int = 9, minute: int = 0) -> datetime:
    """An aware datetime in the city's time zone, from an ISO date."""
    d = date.fromisoformat(day)
    return datetime(d.year, d.month, d.day, hour, minute, tzinfo=TZ)


# --- what the demo consists of ------------------------------------------------------------


def agency_usernames(code: str) -> tuple[str, str]:
    """The officer's and the head's login of an agency: canbo.<code>, lanhdao.<code>."""
    slug = code.lower()
    return f"canbo.{slug}", f"lanhdao.{slug}"


def demo_usernames() -> list[str]:
    names = [p.username for p in data.STAFF]
    for plan in data.AGENCIES:
        names.extend(agency_usernames(plan.code))
    return names


def demo_state() -> str:
    """ABSENT, PRESENT (every demo period exists) or INCOMPLETE (some do)."""
    found = Period.objects.filter(code__in=PERIOD_CODES).count()
    if found == 0:
        return ABSENT
    return PRESENT if found == len(PERIOD_CODES) else INCOMPLETE


@transaction.atomic
def demo_reset() -> None:
    """Delete the demo's periods (with everything in them), users, agencies and groups.

    Agencies and groups that other data still uses are kept.
    """
    periods = Period.objects.filter(code__in=PERIOD_CODES)
    # Results and demotions protect the tiers they point at: delete them first.
    for model in (Result, AwardEntry, Demotion, HistoricalResult):
        model.objects.filter(period__in=periods).delete()
    Score.objects.filter(assessment__period__in=periods).delete()
    # Answers keep their questions (and those their leaves) from being deleted alone.
    SurveyResponse.objects.filter(period__in=periods).delete()
    Assessment.objects.filter(period__in=periods).delete()
    Criterion.objects.filter(period__in=periods).delete()
    Tier.objects.filter(period__in=periods).delete()
    periods.delete()
    User.objects.filter(username__in=demo_usernames()).delete()
    Agency.objects.filter(
        code__in=[a.code for a in data.AGENCIES],
        assessments__isnull=True,
        results__isnull=True,
        historical_results__isnull=True,
        demotions__isnull=True,
        awards__isnull=True,
        members__isnull=True,
    ).delete()
    AgencyGroup.objects.filter(code__in=[code for code, _ in data.GROUPS], agencies__isnull=True).delete()


@dataclass(frozen=True)
class Login:
    username: str
    role: str
    agency: str


def demo_logins() -> list[Login]:
    """The logins the banner lists, as they are in the database."""
    users = {
        u.username: u
        for u in User.objects.filter(username__in=data.BANNER_USERNAMES).select_related("agency")
    }
    return [
        Login(
            username=name,
            role=data.ROLE_NAMES.get(users[name].role, users[name].role),
            agency=users[name].agency.name if users[name].agency else "",
        )
        for name in data.BANNER_USERNAMES
        if name in users
    ]


# --- one leaf and the arithmetic of planned scores -----------------------------------------


@dataclass(frozen=True)
class LeafSpec:
    criterion_id: int
    code: str
    title: str
    method: str
    max_points: Decimal
    step: Decimal | None
    points: tuple[Decimal, ...]  # allowed values, ascending, for choice and yes/no leaves
    groups: frozenset[int]
    may_not_arise: bool
    evidence: bool

    @classmethod
    def of(cls, criterion: Criterion) -> LeafSpec:
        if criterion.method == Method.CHOICE:
            points = tuple(sorted({p for _, p in criterion.option_values}))
        elif criterion.method == Method.YESNO:
            points = (Decimal(0), criterion.max_points)
        else:
            points = ()
        return cls(
            criterion_id=criterion.id,
            code=criterion.code,
            title=criterion.title,
            method=criterion.method,
            max_points=criterion.max_points,
            step=criterion.step,
            points=points,
            groups=frozenset(g.id for g in criterion.groups.all()),
            may_not_arise=criterion.allow_not_arising,
            evidence=criterion.evidence_required,
        )

    @property
    def in_base(self) -> bool:
        return self.method not in OUTSIDE_BASE

    @property
    def self_scored(self) -> bool:
        """Survey leaves are imported; agencies score every other leaf."""
        return self.method != Method.SURVEY

    def applies_to(self, group_id: int) -> bool:
        return applies(self.groups, group_id)

    def lower(self, value: Decimal) -> Decimal | None:
        """The next allowed value below `value`, or None."""
        if self.points:
            below = [p for p in self.points if p < value]
            return below[-1] if below else None
        if self.method == Method.NUMBER and self.step and value - self.step >= 0:
            return value - self.step
        return None

    def higher(self, value: Decimal) -> Decimal | None:
        """The next allowed value above `value`, or None."""
        if self.points:
            above = [p for p in self.points if p > value]
            return above[0] if above else None
        if self.method == Method.NUMBER and self.step and value + self.step <= self.max_points:
            return value + self.step
        return None

    def problem(self, value: Decimal) -> str | None:
        return scoring.value_problem(
            method=self.method, max_points=self.max_points, value=value, step=self.step, choices=self.points
        )


def plan_scores(
    rng: random.Random,
    leaves: list[LeafSpec],
    *,
    target: Decimal,
    extras: dict[str, Decimal],
    absent: set[str],
) -> dict[str, Decimal]:
    """Scores of the arising leaves whose index comes out at `target` (or up to a step above).

    Starts from full marks and takes points away: from the survey leaves in proportion to
    the shortfall, then one allowed step at a time from random leaves; a remainder below
    any step comes off a survey leaf (survey values have two decimals).
    """
    base = [leaf for leaf in leaves if leaf.in_base and leaf.code not in absent]
    maximum = sum((leaf.max_points for leaf in base), Decimal(0))
    wanted = (target * maximum / HUNDRED).quantize(CENT)
    deficit = maximum - (wanted - sum(extras.values(), Decimal(0)))
    if deficit < 0:
        raise ValueError(f"target {target} with extras {extras} exceeds the maximum")
    values = {leaf.code: leaf.max_points for leaf in base}

    surveys = [leaf for leaf in base if leaf.method == Method.SURVEY]
    if surveys:
        shortfall = 1 - target / HUNDRED
        losses = {
            leaf.code: (leaf.max_points * shortfall * Decimal(str(round(rng.uniform(0.6, 1.4), 3)))).quantize(
                CENT
            )
            for leaf in surveys
        }
        budget = deficit * Decimal("0.6")
        spent = sum(losses.values(), Decimal(0))
        if spent > budget:
            losses = {
                code: (loss * budget / spent).quantize(CENT, ROUND_DOWN) for code, loss in losses.items()
            }
        for code, loss in losses.items():
            values[code] -= loss
            deficit -= loss

    others = [leaf for leaf in base if leaf.method != Method.SURVEY]
    while True:
        moves = []
        for leaf in others:
            lower = leaf.lower(values[leaf.code])
            if lower is not None and values[leaf.code] - lower <= deficit:
                moves.append((leaf, lower))
        if not moves:
            break
        # All-or-nothing leaves are lost less often than a step of a graded one.
        weights = [0.35 if leaf.method == Method.YESNO else 1.0 for leaf, _ in moves]
        leaf, lower = rng.choices(moves, weights)[0]
        deficit -= values[leaf.code] - lower
        values[leaf.code] = lower
    if deficit > 0:
        for leaf in surveys:
            if values[leaf.code] >= deficit:
                values[leaf.code] -= deficit
                break
    for leaf in leaves:
        if not leaf.in_base:
            values[leaf.code] = extras.get(leaf.code, Decimal(0))
    return values


def overclaim(rng: random.Random, leaves: list[LeafSpec], final: dict[str, Decimal], count: int) -> dict:
    """Self-scores above the reviewed ones on `count` leaves (agencies tend to overrate)."""
    candidates = [
        leaf
        for leaf in leaves
        if leaf.in_base
        and leaf.self_scored
        and leaf.code in final
        and leaf.higher(final[leaf.code]) is not None
    ]
    raised = {}
    for leaf in rng.sample(candidates, min(count, len(candidates))):
        value = leaf.higher(final[leaf.code])
        if leaf.method == Method.NUMBER and rng.random() < 0.4:
            value = leaf.higher(value) or value
        raised[leaf.code] = value
    return raised


# --- the builder ---------------------------------------------------------------------------


@dataclass
class DemoSummary:
    groups: int = 0
    agencies: int = 0
    users: int = 0
    periods: int = 0
    assessments: int = 0
    scores: int = 0
    computed: list[ComputeSummary] = field(default_factory=list)
    statuses: dict[str, Counter] = field(default_factory=dict)


class DemoBuilder:
    def __init__(self) -> None:
        self.rng = random.Random(data.SEED)
        self.summary = DemoSummary()
        self.groups: dict[str, AgencyGroup] = {}
        self.agencies: dict[str, Agency] = {}
        self.users: dict[str, User] = {}
        self.periods: dict[str, Period] = {}
        self.leaves: dict[str, list[LeafSpec]] = {}
        # Leaves that did not arise for an agency, per subject: the same in 2025 and 2026.
        self.absent: dict[tuple[str, str], set[str]] = {}
        self.problems: list[str] = []

    # master data

    def build_groups_and_agencies(self) -> None:
        for order, (code, name) in enumerate(data.GROUPS, start=1):
            self.groups[code], _ = AgencyGroup.objects.get_or_create(
                code=code, defaults={"name": name, "order": order}
            )
        for plan in data.AGENCIES:
            self.agencies[plan.code], _ = Agency.objects.get_or_create(
                code=plan.code, defaults={"name": plan.name, "group": self.groups[plan.group]}
            )
        self.summary.groups = len(self.groups)
        self.summary.agencies = len(self.agencies)

    def person_name(self) -> tuple[str, str]:
        names = self.rng.choice((data.MALE_NAMES, data.FEMALE_NAMES))
        middle, given = self.rng.choice(names)
        return self.rng.choice(data.FAMILY_NAMES), f"{middle} {given}"

    def build_users(self) -> None:
        # One hash for every demo account: hashing ninety passwords would take most of a minute.
        password = make_password(data.DEMO_PASSWORD)
        people = list(data.STAFF)
        for plan in data.AGENCIES:
            for username, role in zip(agency_usernames(plan.code), (Role.OFFICER, Role.HEAD), strict=True):
                if username in data.NAMED_AGENCY_PEOPLE:
                    last, first, position = data.NAMED_AGENCY_PEOPLE[username]
                else:
                    last, first = self.person_name()
                    if role == Role.HEAD:
                        position = plan.head_title
                    else:
                        position = self.rng.choice(data.OFFICER_POSITIONS)
                people.append(data.PersonPlan(username, role, last, first, position, agency=plan.code))
        existing = set(
            User.objects.filter(username__in=[p.username for p in people]).values_list("username", flat=True)
        )
        User.objects.bulk_create(
            User(
                username=p.username,
                password=password,
                role=p.role,
                last_name=p.last_name,
                first_name=p.first_name,
                position=p.position,
                email=f"{p.username}@{data.EMAIL_DOMAIN}",
                agency=self.agencies[p.agency] if p.agency else None,
                is_staff=p.is_staff,
                is_superuser=p.is_superuser,
            )
            for p in people
            if p.username not in existing
        )
        self.users = {u.username: u for u in User.objects.filter(username__in=[p.username for p in people])}
        self.summary.users = len(self.users)

    # periods, tiers, criteria

    def build_periods(self) -> None:
        previous: dict[str, Period] = {}
        for plan in data.PERIODS:
            deadlines = [date.fromisoformat(d) for d in plan.deadlines] if plan.deadlines else [None] * 3
            if plan.copy_of:
                period = period_copy(
                    source=self.periods[plan.copy_of], year=plan.year, code=plan.code, name=plan.name
                )
                period.self_assessment_deadline, period.appraisal_deadline, period.explanation_deadline = (
                    deadlines
                )
                period.save(
                    update_fields=["self_assessment_deadline", "appraisal_deadline", "explanation_deadline"]
                )
            else:
                period = Period.objects.create(
                    code=plan.code,
                    year=plan.year,
                    subject=plan.subject,
                    name=plan.name,
                    previous=previous.get(plan.subject),
                    phase=Phase.SETUP,
                    self_assessment_deadline=deadlines[0],
                    appraisal_deadline=deadlines[1],
                    explanation_deadline=deadlines[2],
                    award_from_tier=plan.award_from_tier,
                    award_max_per_group=plan.award_max_per_group,
                    award_exclude_demoted=True,
                )
                Tier.objects.bulk_create(
                    Tier(period=period, order=order, label=label, min_index=Decimal(bound))
                    for order, (label, bound) in enumerate(plan.tiers, start=1)
                )
                if not plan.history_only:
                    self.build_criteria(period)
            previous[plan.subject] = period
            self.periods[plan.code] = period
        self.summary.periods = len(self.periods)

    def build_criteria(self, period: Period) -> None:
        nodes = data.CRITERIA[period.subject]
        leaf_max = {n.code: Decimal(n.max_points) for n in nodes if n.max_points is not None}
        sums = scoring.parent_maxima(
            (n.code, n.method, Decimal(n.max_points)) for n in nodes if n.max_points is not None
        )

        def maximum(code: str) -> Decimal:
            return leaf_max[code] if code in leaf_max else sums.get(code, Decimal(0))

        created: dict[str, Criterion] = {}
        for node in nodes:
            criterion = Criterion.objects.create(
                period=period,
                parent=created.get(node.code.rpartition(".")[0]),
                code=node.code,
                title=node.title,
                max_points=maximum(node.code),
                method=node.method if node.max_points is not None else Method.NUMBER,
                step=Decimal(node.step) if node.step else None,
                options=data.parse_options(node.options) if node.options else [],
                allow_not_arising=node.not_arising,
                evidence_required=node.evidence,
                guidance=node.guidance,
            )
            if node.groups:
                criterion.groups.set([self.groups[g] for g in node.groups])
            created[node.code] = criterion

    def load_leaves(self, period: Period) -> None:
        criteria = list(
            Criterion.objects.filter(period=period).prefetch_related("groups").order_by("sort_key")
        )
        parents = {c.parent_id for c in criteria}
        self.leaves[period.code] = [LeafSpec.of(c) for c in criteria if c.id not in parents]

    def group_in(self, subject: str, agency: Agency) -> AgencyGroup:
        """The agency's group in a period of `subject`: its usual one, except in `VTLT_GROUPS`."""
        if subject == "VTLT" and agency.code in data.VTLT_GROUPS:
            return self.groups[data.VTLT_GROUPS[agency.code]]
        return agency.group

    def applying(self, period: Period, agency: Agency) -> list[LeafSpec]:
        group_id = self.group_in(period.subject, agency).pk
        return [leaf for leaf in self.leaves[period.code] if leaf.applies_to(group_id)]

    def absent_leaves(self, subject: str, agency: Agency, leaves: list[LeafSpec]) -> set[str]:
        key = (subject, agency.code)
        if key not in self.absent:
            self.absent[key] = {
                leaf.code for leaf in leaves if leaf.may_not_arise and self.rng.random() < 0.1
            }
        return self.absent[key]

    # scores

    def document(self, agency: Agency, year: int, title: str) -> str:
        """A plausible reference to the agency's own document for a leaf."""
        words = title.lower()
        issuer = "UBND" if agency.group.code == "QH" else agency.code.replace("-", "")
        if "kế hoạch" in words:
            kind, kind_name = data.PLAN_DOCUMENT
            day = date(year, 1, self.rng.randint(3, 14))
        else:
            if any(word in words for word in data.DECISION_WORDS):
                kind, kind_name = data.DECISION_DOCUMENT
            else:
                kind, kind_name = self.rng.choice(data.REPORT_DOCUMENTS)
            day = date(year, self.rng.randint(2, 11), self.rng.randint(1, 28))
        return f"{kind_name} số {self.rng.randint(5, 240)}/{kind}-{issuer} ngày {day:%d/%m/%Y}"

    def agency_note(self, leaf: LeafSpec, agency: Agency, year: int, value: Decimal | None) -> str:
        if value is None or value <= 0:
            return ""
        if leaf.evidence or self.rng.random() < 0.12:
            return self.rng.choice(data.AGENCY_NOTES).format(doc=self.document(agency, year, leaf.title))
        return ""

    @staticmethod
    def evidence_reason(leaf: LeafSpec, value: Decimal) -> str:
        # The demo stores no files: where evidence is required, the agency says why.
        if not leaf.evidence:
            return ""
        return data.NO_EVIDENCE_REASON if value > 0 else data.NOTHING_DONE_REASON

    def comment(self, leaf: LeafSpec) -> str:
        return self.rng.choice(data.REVIEW_COMMENTS.get(leaf.method, data.REVIEW_COMMENTS[Method.NUMBER]))

    def check(self, period: Period, agency: Agency, leaf: LeafSpec, *values: Decimal | None) -> None:
        for value in values:
            if value is not None and (problem := leaf.problem(value)):
                self.problems.append(f"{period.code} {agency.code} {leaf.code} {value}: {problem}")

    def score(
        self, period: Period, agency: Agency, leaf: LeafSpec, assessment: Assessment, **values
    ) -> Score:
        self.check(
            period,
            agency,
            leaf,
            *(values.get(k) for k in ("self_score", "reviewed_score", "proposed_score", "final_score")),
        )
        return Score(assessment=assessment, criterion_id=leaf.criterion_id, **values)

    def target(self, value: str, drift: bool) -> Decimal:
        target = Decimal(value)
        if drift:
            target += Decimal(str(round(self.rng.uniform(-3.0, 2.5), 1)))
        return min(target, Decimal("98.5"))

    def moment(self, month: str, first: int, last: int) -> datetime:
        """A working-hours moment between two days of `month` ("YYYY-MM")."""
        day = f"{month}-{self.rng.randint(first, last):02d}"
        return at(day, self.rng.randint(8, 16), self.rng.choice((0, 30)))

    def head(self, agency: Agency) -> User:
        return self.users[agency_usernames(agency.code)[1]]

    def reviewer(self, agency: Agency) -> User:
        return self.users[data.REVIEWER_OF_GROUP[agency.group.code]]

    def create_assessments(self, period: Period, fields: dict[str, dict]) -> dict[str, Assessment]:
        Assessment.objects.bulk_create(
            Assessment(
                period=period,
                agency=self.agencies[code],
                group=self.group_in(period.subject, self.agencies[code]),
                reviewer=self.reviewer(self.agencies[code]),
                **f,
            )
            for code, f in fields.items()
        )
        found = Assessment.objects.filter(period=period).select_related("agency__group")
        self.summary.assessments += len(fields)
        return {a.agency.code: a for a in found}

    def save_scores(self, scores: list[Score]) -> None:
        Score.objects.bulk_create(scores, batch_size=500)
        self.summary.scores += len(scores)

    def build_year_2025(self, period: Period) -> None:
        extras_of = data.EXTRAS.get(period.code, {})
        explained = data.EXPLANATIONS_2025.get(period.code, {})
        subject_targets = {p.code: getattr(p, period.subject.lower() + "_2025") for p in data.AGENCIES}
        calendar = CALENDAR_2025[period.subject]
        fields = {}
        for plan in data.AGENCIES:
            fields[plan.code] = {
                "status": AssessmentStatus.FINALIZED,
                "submitted_at": self.moment(*calendar["submitted"]),
                "submitted_by": self.head(self.agencies[plan.code]),
                "review_opened_at": self.moment(*calendar["opened"]),
                "reviewed_at": self.moment(*calendar["reviewed"]),
                "explanation_submitted_at": (
                    self.moment(*calendar["explained"]) if plan.code in explained else None
                ),
            }
        assessments = self.create_assessments(period, fields)

        scores = []
        for plan in data.AGENCIES:
            agency = self.agencies[plan.code]
            leaves = self.applying(period, agency)
            absent = self.absent_leaves(period.subject, agency, leaves)
            extras = {code: Decimal(v) for code, v in extras_of.get(plan.code, {}).items()}
            target = Decimal(subject_targets[plan.code])
            final = plan_scores(self.rng, leaves, target=target, extras=extras, absent=absent)
            count = 2 + int((HUNDRED - target) / 6)
            claimed = overclaim(self.rng, leaves, final, count)
            explanation = self.explanation_plan(explained.get(plan.code), leaves, final, claimed)
            for leaf in leaves:
                values = self.final_score_values(leaf, agency, period.year, final, claimed, absent)
                values.update(explanation.get(leaf.code, {}))
                scores.append(self.score(period, agency, leaf, assessments[plan.code], **values))
        self.save_scores(scores)

    def final_score_values(
        self,
        leaf: LeafSpec,
        agency: Agency,
        year: int,
        final: dict[str, Decimal],
        claimed: dict[str, Decimal],
        absent: set[str],
    ) -> dict:
        if leaf.code in absent:
            return {"not_arising": True}
        value = final[leaf.code]
        if not leaf.self_scored:
            return {"reviewed_score": value, "final_score": value}
        own = claimed.get(leaf.code, value)
        return {
            "self_score": own,
            "note": self.agency_note(leaf, agency, year, own),
            "no_evidence_reason": self.evidence_reason(leaf, own),
            "reviewed_score": value,
            "review_comment": self.comment(leaf) if own != value else "",
            "final_score": value,
        }

    def explanation_plan(
        self, decision: str | None, leaves: list[LeafSpec], final: dict[str, Decimal], claimed: dict
    ) -> dict[str, dict]:
        """The one explained leaf of an agency: its reviewed, self, proposed and final scores."""
        if decision is None:
            return {}
        reason_text, decision_text = data.EXPLANATION_TEXTS[decision]
        if decision == Decision.REJECTED:
            pool = [leaf for leaf in leaves if leaf.code in claimed]
        else:
            pool = [
                leaf
                for leaf in leaves
                if leaf.in_base
                and leaf.self_scored
                and leaf.code in final
                and leaf.code not in claimed
                and leaf.lower(final[leaf.code]) is not None
                and (decision == Decision.ACCEPTED or leaf.higher(final[leaf.code]) is not None)
            ]
        if not pool:
            self.problems.append(f"no leaf to explain ({decision})")
            return {}
        leaf = self.rng.choice(pool)
        value = final[leaf.code]
        if decision == Decision.REJECTED:
            own, reviewed = claimed[leaf.code], value
        elif decision == Decision.ACCEPTED:
            own, reviewed = value, leaf.lower(value)
        else:
            own, reviewed = leaf.higher(value), leaf.lower(value)
        return {
            leaf.code: {
                "self_score": own,
                "reviewed_score": reviewed,
                "review_comment": self.comment(leaf),
                "explanation": reason_text,
                "proposed_score": own,
                "decision": decision,
                "decision_reason": decision_text,
                "final_score": value,
            }
        }

    def finish_2025(self, cchc: Period, vtlt: Period) -> None:
        code, agency_code, steps, reason = data.DEMOTION
        Demotion.objects.create(
            period=self.periods[code],
            agency=self.agencies[agency_code],
            steps=steps,
            reason=reason,
            created_by=self.users["hoidong"],
        )
        # The timestamps are set by the database: move them back to when the year ended.
        Demotion.objects.filter(period=self.periods[code]).update(created_at=at("2026-03-18", 14))
        for period in (cchc, vtlt):
            period.phase = Phase.FINALIZATION
            period.save(update_fields=["phase"])
            self.summary.computed.append(results_compute(period=period))
            period.refresh_from_db()
            Result.objects.filter(period=period).update(computed_at=at("2026-03-20", 10))
            period.phase = Phase.PUBLISHED
            period.results_computed_at = at("2026-03-20", 10)
            period.awards_approved_at = at("2026-03-25", 15)
            period.published_at = at("2026-03-27", 9)
            period.save(update_fields=["phase", "results_computed_at", "awards_approved_at", "published_at"])
            Publication.objects.create(
                period=period,
                version=period.version,
                published_at=period.published_at,
                published_by=self.users["hoidong"],
                **snapshot(period),
            )

    def build_history_2024(self) -> None:
        for subject in ("CCHC", "VTLT"):
            period = self.periods[f"{subject}-2024"]
            tiers = [(t.label, t.min_index) for t in period.tiers.order_by("order")]
            by_group: dict[str, dict[str, Decimal]] = defaultdict(dict)
            for plan in data.AGENCIES:
                target = Decimal(getattr(plan, subject.lower() + "_2025"))
                shift = self.rng.uniform(-4.5, 3.0)
                if not plan.in_2024:
                    continue
                if subject == "CCHC" and plan.code in data.HISTORY_SHIFT:
                    shift = float(data.HISTORY_SHIFT[plan.code])
                index = min(max(target + Decimal(str(round(shift, 2))), Decimal(40)), Decimal("99.5"))
                by_group[self.group_in(subject, self.agencies[plan.code]).code][plan.code] = index
            rows = []
            for indexes in by_group.values():
                ranks = scoring.competition_ranks({code: (index,) for code, index in indexes.items()})
                for code, index in indexes.items():
                    label = next(label for label, bound in tiers if index >= bound)
                    rows.append(
                        HistoricalResult(
                            period=period,
                            agency=self.agencies[code],
                            total=index,
                            index=index,
                            tier_label=label,
                            rank=ranks[code],
                        )
                    )
            HistoricalResult.objects.bulk_create(rows)
            period.phase = Phase.PUBLISHED
            period.results_computed_at = at("2025-03-20", 10)
            period.awards_approved_at = at("2025-03-25", 15)
            period.published_at = at("2025-03-28", 9)
            period.save(update_fields=["phase", "results_computed_at", "awards_approved_at", "published_at"])

    def build_cchc_2026(self, period: Period) -> None:
        period.phase = Phase.SELF_ASSESSMENT
        period.save(update_fields=["phase"])
        fields = {}
        for plan in data.AGENCIES:
            f = {"status": AssessmentStatus.DRAFT}
            if plan.cchc_2026 == data.SUBMITTED:
                f = {
                    "status": AssessmentStatus.SUBMITTED,
                    "submitted_at": at(
                        f"2026-11-{self.rng.randint(16, 24)}",
                        self.rng.randint(8, 16),
                        self.rng.choice((0, 30)),
                    ),
                    "submitted_by": self.head(self.agencies[plan.code]),
                }
            fields[plan.code] = f
        assessments = self.create_assessments(period, fields)
        extras_of = data.EXTRAS.get(period.code, {})
        scores = []
        for plan in data.AGENCIES:
            agency = self.agencies[plan.code]
            leaves, absent, planned, claimed = self.plan_2026(period, agency, extras_of, plan.cchc_2025)
            own_leaves = [leaf for leaf in leaves if leaf.self_scored]
            if plan.cchc_2026 == data.PARTIAL:
                base = [leaf for leaf in own_leaves if leaf.in_base]
                own_leaves = base[: self.rng.randint(len(base) * 3 // 10, len(base) * 3 // 4)]
            for leaf in own_leaves:
                scores.append(
                    self.self_score(period, agency, leaf, assessments[plan.code], planned, claimed, absent)
                )
        self.save_scores(scores)

    def plan_2026(
        self, period: Period, agency: Agency, extras_of: dict, last_year: str
    ) -> tuple[list[LeafSpec], set[str], dict[str, Decimal], dict[str, Decimal]]:
        """The leaves of a 2026 period that apply to the agency, those that do not arise, the
        scores planned near last year's index and the higher ones the agency claims."""
        leaves = self.applying(period, agency)
        absent = self.absent_leaves(period.subject, agency, leaves)
        extras = {code: Decimal(v) for code, v in extras_of.get(agency.code, {}).items()}
        target = self.target(last_year, drift=True)
        planned = plan_scores(self.rng, leaves, target=target, extras=extras, absent=absent)
        claimed = overclaim(self.rng, leaves, planned, 1 + int((HUNDRED - target) / 8))
        return leaves, absent, planned, claimed

    def self_score(
        self,
        period: Period,
        agency: Agency,
        leaf: LeafSpec,
        assessment: Assessment,
        planned: dict[str, Decimal],
        claimed: dict[str, Decimal],
        absent: set[str],
        **reviewed,
    ) -> Score:
        if leaf.code in absent:
            return self.score(period, agency, leaf, assessment, not_arising=True, **reviewed)
        own = claimed.get(leaf.code, planned[leaf.code])
        return self.score(
            period,
            agency,
            leaf,
            assessment,
            self_score=own,
            note=self.agency_note(leaf, agency, period.year, own),
            no_evidence_reason=self.evidence_reason(leaf, own),
            **reviewed,
        )

    def build_vtlt_2026(self, period: Period) -> None:
        period.phase = Phase.APPRAISAL
        period.save(update_fields=["phase"])
        statuses = {
            data.SUBMITTED: AssessmentStatus.SUBMITTED,
            data.IN_REVIEW: AssessmentStatus.IN_REVIEW,
            data.REVIEWED: AssessmentStatus.REVIEWED,
        }
        fields = {}
        for plan in data.AGENCIES:
            fields[plan.code] = {
                "status": statuses[plan.vtlt_2026],
                "submitted_at": self.moment("2026-11", 3, 14),
                "submitted_by": self.head(self.agencies[plan.code]),
                "review_opened_at": (
                    None if plan.vtlt_2026 == data.SUBMITTED else self.moment("2026-11", 16, 20)
                ),
                "reviewed_at": (self.moment("2026-11", 21, 24) if plan.vtlt_2026 == data.REVIEWED else None),
            }
        assessments = self.create_assessments(period, fields)
        extras_of = data.EXTRAS.get(period.code, {})
        scores = []
        for plan in data.AGENCIES:
            agency = self.agencies[plan.code]
            leaves, absent, planned, claimed = self.plan_2026(period, agency, extras_of, plan.vtlt_2025)
            if plan.vtlt_2026 == data.REVIEWED:
                reviewed_count = len(leaves)
            elif plan.vtlt_2026 == data.IN_REVIEW:
                reviewed_count = self.rng.randint(len(leaves) * 4 // 10, len(leaves) * 7 // 10)
            else:
                reviewed_count = 0
            for position, leaf in enumerate(leaves):
                reviewed = {}
                if position < reviewed_count and leaf.code not in absent:
                    value = planned[leaf.code]
                    own = claimed.get(leaf.code, value)
                    reviewed = {
                        "reviewed_score": value,
                        "review_comment": self.comment(leaf) if own != value else "",
                        "final_score": value,
                    }
                scores.append(
                    self.self_score(
                        period, agency, leaf, assessments[plan.code], planned, claimed, absent, **reviewed
                    )
                )
        self.save_scores(scores)

    def build_survey_2026(self, period: Period) -> None:
        """CCHC 2026's survey under way: three respondent groups, a question for each of the four
        satisfaction leaves, every agency's links issued, and about half of them answered on the
        web (the points are computed by the council in finalization, not yet)."""
        scales = {
            "MUC5": SurveyScale.objects.create(
                period=period,
                code="MUC5",
                name="Mức độ hài lòng (5 mức)",
                kind=SurveyScaleKind.LIKERT5,
                options=[list(o) for o in DEFAULT_SCALE_OPTIONS[SurveyScaleKind.LIKERT5]],
            ),
            "ABCD": SurveyScale.objects.create(
                period=period,
                code="ABCD",
                name="Đánh giá A, B, C, D",
                kind=SurveyScaleKind.ABCD,
                options=[list(o) for o in DEFAULT_SCALE_OPTIONS[SurveyScaleKind.ABCD]],
            ),
        }
        groups = {
            code: RespondentGroup.objects.create(
                period=period, code=code, name=name, weight=Decimal(weight), quota=quota, order=order
            )
            for order, (code, name, weight, quota) in enumerate(data.SURVEY_GROUPS, start=1)
        }
        leaves = {c.code: c for c in Criterion.objects.filter(period=period, method=Method.SURVEY)}
        asked: dict[str, list[SurveyQuestion]] = defaultdict(list)
        for order, (code, text, leaf, scale, group_codes) in enumerate(data.SURVEY_QUESTIONS, start=1):
            question = SurveyQuestion.objects.create(
                period=period, code=code, text=text, order=order, criterion=leaves[leaf], scale=scales[scale]
            )
            question.groups.set([groups[g] for g in group_codes])
            for g in group_codes:
                asked[g].append(question)
        first, last = (date.fromisoformat(d) for d in data.SURVEY_DAYS)
        invitations, responses, answers = [], [], []
        for assessment in (
            Assessment.objects.filter(period=period).select_related("agency").order_by("agency__code")
        ):
            share = self.rng.uniform(*data.SURVEY_ANSWERED)
            for code, group in groups.items():
                for _n in range(group.quota):
                    day = None
                    if self.rng.random() < share:
                        day = date.fromordinal(self.rng.randint(first.toordinal(), last.toordinal()))
                        response = SurveyResponse(
                            period=period,
                            agency=assessment.agency,
                            group=group,
                            source=SurveySource.WEB,
                            submitted_on=day,
                        )
                        responses.append(response)
                        for question in asked[code]:
                            options = [option for option, _label, _percent in question.scale.options]
                            weights = data.SURVEY_ANSWER_WEIGHTS[question.scale.code]
                            option = self.rng.choices(options, weights)[0]
                            answers.append(SurveyAnswer(response=response, question=question, option=option))
                    invitations.append(
                        SurveyInvitation(period=period, agency=assessment.agency, group=group, used_on=day)
                    )
        SurveyInvitation.objects.bulk_create(invitations)
        SurveyResponse.objects.bulk_create(responses)
        SurveyAnswer.objects.bulk_create(answers)

    def build(self) -> DemoSummary:
        self.build_groups_and_agencies()
        self.build_users()
        self.build_periods()
        for code in ("CCHC-2025", "VTLT-2025", "CCHC-2026", "VTLT-2026"):
            self.load_leaves(self.periods[code])
        self.build_history_2024()
        self.build_year_2025(self.periods["CCHC-2025"])
        self.build_year_2025(self.periods["VTLT-2025"])
        if self.problems:
            raise ValueError("demo data breaks the scoring rules:\n" + "\n".join(self.problems))
        self.finish_2025(self.periods["CCHC-2025"], self.periods["VTLT-2025"])
        self.build_cchc_2026(self.periods["CCHC-2026"])
        self.build_vtlt_2026(self.periods["VTLT-2026"])
        self.build_survey_2026(self.periods["CCHC-2026"])
        if self.problems:
            raise ValueError("demo data breaks the scoring rules:\n" + "\n".join(self.problems))
        for code in ("CCHC-2026", "VTLT-2026"):
            self.summary.statuses[code] = Counter(
                Assessment.objects.filter(period=self.periods[code]).values_list("status", flat=True)
            )
        return self.summary


@transaction.atomic
def demo_build() -> DemoSummary:
    """Create the whole demo in an empty database (see `demo_state`)."""
    return DemoBuilder().build()


def award_counts() -> dict[str, int]:
    """Agencies on each published demo period's certificate list."""
    return {
        code: AwardEntry.objects.filter(period__code=code, included=True).count()
        for code in ("CCHC-2025", "VTLT-2025")
    }
