"""An assessment's history as its pages show it: status changes, score changes, files.

Each trail is one query, however many records; differences are computed from consecutive
records of the same row.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass
from decimal import Decimal

from django.utils.translation import gettext as _

from ranking.enums import AssessmentStatus, Decision
from ranking.models import Assessment, Evidence, Score
from ranking.numbers import points

SCORE_FIELDS = (
    "self_score",
    "not_arising",
    "note",
    "no_evidence_reason",
    "explanation",
    "proposed_score",
    "reviewer_not_arising",
    "reviewed_score",
    "review_comment",
    "decision",
    "decision_reason",
    "final_score",
)
# What the reviewers wrote reaches the agency only once the council approved the appraisal.
APPRAISAL_FIELDS = frozenset(
    {"reviewer_not_arising", "reviewed_score", "review_comment", "decision", "decision_reason", "final_score"}
)


@dataclass
class Change:
    label: str
    old: str
    new: str


@dataclass
class TrailEntry:
    """One line of a trail: who changed what, when, from what to what, and why."""

    when: datetime.datetime
    who: str
    subject: str
    title: str
    changes: list[Change]
    reason: str


def shown_value(name: str, value) -> str:
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, Decimal):
        return points(value)
    if name == "decision":
        return Decision(value).label
    if name == "status":
        return AssessmentStatus(value).label
    return str(value)


def blank_as_none(value):
    return None if value is None or value == "" else value


def who(record) -> str:
    user = record.history_user
    return (user.get_full_name() or user.get_username()) if user else _("System")


def status_trail(assessment: Assessment) -> list[TrailEntry]:
    """Every status change of the assessment, oldest first. One query."""
    entries = []
    previous = None
    records = (
        Assessment.history.filter(id=assessment.pk)
        .select_related("history_user")
        .order_by("history_date", "history_id")
    )
    label = str(Assessment._meta.get_field("status").verbose_name).capitalize()
    for record in records:
        if previous is None or record.status != previous.status:
            old = shown_value("status", previous.status) if previous else ""
            entries.append(
                TrailEntry(
                    when=record.history_date,
                    who=who(record),
                    subject=label,
                    title="",
                    changes=[Change(label, old, shown_value("status", record.status))],
                    reason=record.history_change_reason or "",
                )
            )
        previous = record
    return entries


def score_trail(
    assessment: Assessment, *, appraisal: bool, criterion_id: int | None = None
) -> list[TrailEntry]:
    """Every change of the assessment's scores (or of one leaf), oldest first. One query.

    Differences are computed from consecutive records of the same score, never with a
    query per record.
    """
    records = Score.history.filter(assessment_id=assessment.pk)
    if criterion_id is not None:
        records = records.filter(criterion_id=criterion_id)
    records = records.select_related("history_user", "criterion").order_by("id", "history_date", "history_id")
    names = [n for n in SCORE_FIELDS if appraisal or n not in APPRAISAL_FIELDS]
    labels = {n: str(Score._meta.get_field(n).verbose_name).capitalize() for n in names}
    entries = []
    previous = None
    for record in records:
        if previous is not None and previous.id != record.id:
            previous = None
        changes = []
        for name in names:
            old = (
                getattr(previous, name) if previous is not None else Score._meta.get_field(name).get_default()
            )
            new = getattr(record, name)
            if blank_as_none(old) != blank_as_none(new):
                changes.append(Change(labels[name], shown_value(name, old), shown_value(name, new)))
        if changes and record.history_type != "-":
            entries.append(
                TrailEntry(
                    when=record.history_date,
                    who=who(record),
                    subject=record.criterion.code,
                    title=record.criterion.title,
                    changes=changes,
                    reason=record.history_change_reason or "",
                )
            )
        previous = record
    return entries


def evidence_trail(assessment: Assessment, *, criterion_id: int | None = None) -> list[TrailEntry]:
    """Files attached to and removed from the assessment's leaves. One query."""
    records = Evidence.history.filter(score__assessment_id=assessment.pk, history_type__in=("+", "-"))
    if criterion_id is not None:
        records = records.filter(score__criterion_id=criterion_id)
    records = records.select_related("history_user", "score__criterion").order_by(
        "history_date", "history_id"
    )
    entries = []
    for record in records:
        if record.purpose == Evidence.Purpose.EXPLANATION:
            label = _("Explanation evidence")
        else:
            label = str(Evidence._meta.verbose_name).capitalize()
        added = record.history_type == "+"
        entries.append(
            TrailEntry(
                when=record.history_date,
                who=who(record),
                subject=record.score.criterion.code,
                title=record.score.criterion.title,
                changes=[
                    Change(
                        label, "" if added else record.original_name, record.original_name if added else ""
                    )
                ],
                reason=_("File attached") if added else _("File removed"),
            )
        )
    return entries


def newest_first(*trails: list[TrailEntry]) -> list[TrailEntry]:
    return sorted((e for trail in trails for e in trail), key=lambda e: e.when, reverse=True)


def return_reason(assessment: Assessment) -> str:
    """Why the reviewer returned the assessment (the reason of its latest status change)."""
    if assessment.status != AssessmentStatus.RETURNED:
        return ""
    latest = Assessment.history.filter(id=assessment.pk).order_by("-history_date", "-history_id").first()
    return (latest.history_change_reason or "") if latest else ""
