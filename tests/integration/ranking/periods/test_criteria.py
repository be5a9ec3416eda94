"""The applicability rule in Python and in SQL select the same leaves.

A leaf that names no group applies to every group, otherwise only to the groups it names; a
scored leaf counts unless its final word is "does not arise" (the reviewer's flag overrules the
agency's). `criteria.applies` and `scoring.final_not_arising` say it in Python,
`criteria.leaf_applies` and `criteria.final_not_arising_q` in SQL. Hypothesis draws criteria
trees, groups, the groups each criterion names and the not-arising flags of every score, and
each form must keep exactly the leaves the other keeps.
"""

from dataclasses import dataclass

import pytest
from django.db import transaction
from django.db.models import Count, IntegerField, OuterRef, Subquery, Value
from django.db.models.functions import Coalesce
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ranking import scoring
from ranking.models import Assessment, Criterion, Score
from ranking.periods.criteria import applicable_criteria, applies, final_not_arising_q, leaf_applies
from ranking.results.compute import period_leaves
from tests.factories import AgencyFactory, AgencyGroupFactory, PeriodFactory

pytestmark = pytest.mark.django_db

GROUPS = 3


@dataclass(frozen=True)
class Node:
    parent: int | None  # index of an earlier node
    groups: frozenset[int]  # indexes of the groups the criterion names


@dataclass(frozen=True)
class Plan:
    nodes: list[Node]
    # (group index, node index) → (not_arising, reviewer_not_arising); a pair absent has no score.
    flags: dict[tuple[int, int], tuple[bool, bool | None]]

    def leaves(self) -> set[int]:
        return set(range(len(self.nodes))) - {n.parent for n in self.nodes if n.parent is not None}


@st.composite
def plans(draw) -> Plan:
    size = draw(st.integers(min_value=1, max_value=12))
    nodes = []
    for i in range(size):
        parent = draw(st.one_of(st.none(), st.integers(min_value=0, max_value=i - 1))) if i else None
        groups = draw(st.frozensets(st.integers(min_value=0, max_value=GROUPS - 1)))
        nodes.append(Node(parent=parent, groups=groups))
    leaves = sorted(set(range(size)) - {n.parent for n in nodes if n.parent is not None})
    flag = st.tuples(st.booleans(), st.one_of(st.none(), st.booleans()))
    pairs = [(g, leaf) for g in range(GROUPS) for leaf in leaves]
    scored = draw(st.lists(st.sampled_from(pairs), unique=True)) if pairs else []
    return Plan(nodes=nodes, flags={pair: draw(flag) for pair in scored})


class Built:
    """The plan in the database: one period, a group and an agency's assessment per index."""

    def __init__(self, plan: Plan):
        period = PeriodFactory()
        self.groups = [AgencyGroupFactory(code=f"AP{g}") for g in range(GROUPS)]
        self.assessments = [
            Assessment.objects.create(period=period, agency=AgencyFactory(code=f"AP{g}", group=group))
            for g, group in enumerate(self.groups)
        ]
        self.criteria: list[Criterion] = []
        for i, node in enumerate(plan.nodes):
            parent = self.criteria[node.parent] if node.parent is not None else None
            code = f"{parent.code}.{i + 1}" if parent else str(i + 1)
            criterion = Criterion.objects.create(
                period=period, parent=parent, code=code, title=code, max_points=10
            )
            criterion.groups.set([self.groups[g] for g in node.groups])
            self.criteria.append(criterion)
        for (g, i), (not_arising, overruled) in plan.flags.items():
            Score.objects.create(
                assessment=self.assessments[g],
                criterion=self.criteria[i],
                not_arising=not_arising,
                reviewer_not_arising=overruled,
            )
        self.period = period

    def ids(self, indexes) -> set[int]:
        return {self.criteria[i].pk for i in indexes}


def check(plan: Plan) -> None:
    built = Built(plan)
    leaves = plan.leaves()
    # The data model itself, read back as the Python forms are given it.
    group_ids = {c.pk: {g.pk for g in c.groups.all()} for c in Criterion.objects.filter(period=built.period)}
    shape = period_leaves(list(Criterion.objects.filter(period=built.period).prefetch_related("groups")))
    for g, group in enumerate(built.groups):
        in_python = {
            c.pk for i, c in enumerate(built.criteria) if i in leaves and applies(group_ids[c.pk], group.pk)
        }
        # What the plan says, without either form: the groups drawn for each leaf.
        assert in_python == built.ids(
            i for i in leaves if not plan.nodes[i].groups or g in plan.nodes[i].groups
        )
        in_sql = set(
            Criterion.objects.filter(period=built.period)
            .filter(leaf_applies(group.pk))
            .values_list("pk", flat=True)
        )
        assert in_sql == in_python
        assert applicable_criteria(period=built.period, group_id=group.pk)[1] == in_python
        assert set(shape.applying(group.pk)) == in_python

        scores = list(Score.objects.filter(assessment=built.assessments[g]))
        counted_python = {
            s.criterion_id
            for s in scores
            if s.criterion_id in in_python
            and not scoring.final_not_arising(s.not_arising, s.reviewer_not_arising)
        }
        counted_sql = set(
            Score.objects.filter(assessment=built.assessments[g])
            .filter(leaf_applies(group.pk, "criterion_id"), final_not_arising_q(value=False))
            .values_list("criterion_id", flat=True)
        )
        assert counted_sql == counted_python
        not_arisen_sql = set(
            Score.objects.filter(assessment=built.assessments[g])
            .filter(final_not_arising_q())
            .values_list("criterion_id", flat=True)
        )
        assert not_arisen_sql == {s.criterion_id for s in scores if s.final_not_arising}

    # The SQL form correlated with the assessment's group, as a queue counts an agency's leaves.
    applying = (
        Criterion.objects.filter(period=OuterRef("period"))
        .filter(leaf_applies(OuterRef(OuterRef("agency__group_id"))))
        .order_by()
        .values("period")
        .annotate(n=Count("pk"))
        .values("n")
    )
    counts = dict(
        Assessment.objects.filter(period=built.period)
        .annotate(n=Coalesce(Subquery(applying, output_field=IntegerField()), Value(0)))
        .values_list("agency__group_id", "n")
    )
    assert counts == {
        group.pk: len(applicable_criteria(period=built.period, group_id=group.pk)[1])
        for group in built.groups
    }


@settings(
    max_examples=60,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(plan=plans())
def test_python_and_sql_forms_keep_the_same_leaves(plan):
    # Each example in a savepoint rolled back at its end, so every example starts empty.
    with transaction.atomic():
        check(plan)
        transaction.set_rollback(True)


def test_a_leaf_naming_no_group_applies_to_every_group():
    """One drawn case written out, with its exact answer."""
    plan = Plan(
        nodes=[
            Node(None, frozenset()),
            Node(0, frozenset()),
            Node(0, frozenset({1})),
            Node(None, frozenset({0, 2})),
        ],
        flags={(0, 1): (True, None), (0, 3): (True, False), (1, 2): (False, True)},
    )
    built = Built(plan)
    leaves = {
        g: set(Criterion.objects.filter(leaf_applies(group.pk)).values_list("code", flat=True))
        for g, group in enumerate(built.groups)
    }
    assert leaves == {0: {"1.2", "4"}, 1: {"1.2", "1.3"}, 2: {"1.2", "4"}}
    counted = {
        g: set(
            Score.objects.filter(assessment=a)
            .filter(leaf_applies(a.agency.group_id, "criterion_id"), final_not_arising_q(value=False))
            .values_list("criterion__code", flat=True)
        )
        for g, a in enumerate(built.assessments)
    }
    assert counted == {0: {"4"}, 1: set(), 2: set()}
