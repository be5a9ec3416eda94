"""A small computed year whose every free-text and name field holds the texts it is given, to
export it in every workbook the application writes.

CCHC-2025 (phase finalization, results computed) and the published CCHC-2024 before it.
Groups K1 (agencies "+1" and "-2+3") and K2 (agency "@SUM(A1)"); field 1 → 1.1 number /10,
1.2 choice (=Đạt 5, -Không đạt 0); field 2 → 2.1 deduction (floor 2). Every score carries a
note, a reason for missing evidence, a reviewer's comment, an explanation and a decision with
its reason; "+1" is demoted with a reason; the award list entry of "@SUM(A1)" is taken off
with a reason; CCHC-2024 has past results of "+1" and "-2+3" with their tier labels.
"""

from collections.abc import Iterator
from dataclasses import dataclass
from decimal import Decimal

from django.db import connection

from accounts.models import Agency, AgencyGroup, Role, User
from ranking.enums import Decision, Method, Phase, Subject
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    HistoricalResult,
    Period,
    Score,
    Tier,
)
from ranking.results.compute import results_compute

D = Decimal

# Text that a spreadsheet would take for a formula, an error value, or that looks like one.
PAYLOADS = [
    '=HYPERLINK("http://x")',
    "+1",
    "-2+3",
    "@SUM(A1)",
    "\t=1",
    "\r=1",
    "#N/A",
    "-5 điểm do chậm",
]
# Agency codes are in page addresses too: no slash.
AGENCY_CODES = ["+1", "-2+3", "@SUM(A1)"]
OPTIONS = [["=Đạt", "5"], ["-Không đạt", "0"]]


def payload_texts() -> Iterator[str]:
    """The payloads as they are, then each again with a number, so every field's text differs."""
    yield from PAYLOADS
    number = 0
    while True:
        for payload in PAYLOADS:
            number += 1
            yield f"{payload} {number}"


@dataclass
class TextYear:
    period: Period
    previous: Period
    agency: Agency  # "+1": demoted, with explanations decided on its scores
    reviewer: User


def build_text_year(texts: Iterator[str]) -> TextYear:
    previous = Period.objects.create(
        code="CCHC-2024", year=2024, subject=Subject.CCHC, name=next(texts), phase=Phase.PUBLISHED
    )
    period = Period.objects.create(
        code="CCHC-2025",
        year=2025,
        subject=Subject.CCHC,
        name=next(texts),
        previous=previous,
        phase=Phase.FINALIZATION,
    )
    for each in (previous, period):
        labels = [next(texts) for _ in range(3)]
        for order, (label, bound) in enumerate(zip(labels, ("80", "50", "0"), strict=True), start=1):
            Tier.objects.create(period=each, order=order, label=label, min_index=D(bound))
        each.award_from_tier = labels[2]
        each.save()

    groups = [AgencyGroup.objects.create(code=f"K{n}", name=next(texts), order=n) for n in (1, 2)]
    agencies = [
        Agency.objects.create(code=code, name=next(texts), group=group)
        for code, group in zip(AGENCY_CODES, (groups[0], groups[0], groups[1]), strict=True)
    ]
    reviewer = User.objects.create(
        username="thamdinh", last_name=next(texts), first_name=next(texts), role=Role.REVIEWER
    )

    def criterion(code: str, parent: Criterion | None = None, **kwargs) -> Criterion:
        return Criterion.objects.create(
            period=period, code=code, parent=parent, title=next(texts), guidance=next(texts), **kwargs
        )

    field_1 = criterion("1")
    field_2 = criterion("2")
    leaves = [
        criterion("1.1", field_1, max_points=D(10)),
        criterion("1.2", field_1, max_points=D(5), method=Method.CHOICE, options=OPTIONS),
        criterion("2.1", field_2, max_points=D(2), method=Method.DEDUCTION),
    ]
    # agency → (self, reviewed, final) of 1.1, 1.2, 2.1
    scores = {
        "+1": [("9", "7", "8"), ("5", "5", "5"), ("0", "-1", "-1")],
        "-2+3": [("8", "8", "8"), ("5", "0", "0"), ("0", "0", "0")],
        "@SUM(A1)": [("10", "6", "6"), ("0", "0", "0"), ("-1", "-2", "-2")],
    }
    for agency in agencies:
        assessment = Assessment.objects.create(period=period, agency=agency, reviewer=reviewer)
        for leaf, (own, reviewed, final) in zip(leaves, scores[agency.code], strict=True):
            changed = reviewed != final
            Score.objects.create(
                assessment=assessment,
                criterion=leaf,
                self_score=D(own),
                reviewed_score=D(reviewed),
                final_score=D(final),
                note=next(texts),
                no_evidence_reason=next(texts),
                review_comment=next(texts),
                explanation=next(texts),
                proposed_score=D(final) if changed else None,
                decision=Decision.PARTIAL if changed else Decision.REJECTED,
                decision_reason=next(texts),
            )
    Demotion.objects.create(period=period, agency=agencies[0], steps=1, reason=next(texts))
    for agency, rank in zip(agencies[:2], (1, 2), strict=True):
        HistoricalResult.objects.create(
            period=previous, agency=agency, rank=rank, total=D(90), index=D(90), tier_label=next(texts)
        )
    results_compute(period=period)
    award = AwardEntry.objects.get(period=period, agency=agencies[2])
    award.included, award.reason = False, next(texts)
    award.save()
    return TextYear(period=period, previous=previous, agency=agencies[0], reviewer=reviewer)


# Word's line break, other C0 control characters, a page break and a browser's line break.
DIRT = " \x0bhai\x01ba\x1f bốn\x0cnăm\r\nsáu"


# Every text of the fixture but codes (they are looked up, never shown alone).
TEXT_FIELDS = {
    AgencyGroup: ["name"],
    Agency: ["name"],
    User: ["first_name", "last_name"],
    Period: ["name", "award_from_tier"],
    Tier: ["label"],
    Criterion: ["title", "guidance"],
    Score: ["note", "no_evidence_reason", "review_comment", "explanation", "decision_reason"],
    Demotion: ["reason"],
    AwardEntry: ["reason"],
    HistoricalResult: ["tier_label"],
}


def store_control_characters() -> None:
    """Append DIRT to every non-empty text of TEXT_FIELDS in SQL, past any cleaning of the
    application: text stored before control characters were refused."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for model, names in TEXT_FIELDS.items():
            table = quote(model._meta.db_table)
            for name in names:
                column = quote(model._meta.get_field(name).column)
                cursor.execute(f"UPDATE {table} SET {column} = {column} || %s WHERE {column} <> ''", [DIRT])
