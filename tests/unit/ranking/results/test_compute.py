"""The fingerprint of a period's inputs, pinned: a digest stored before a release must still
match the same inputs after it, or every computed period would look outdated."""

import dataclasses
from decimal import Decimal as D

from ranking import scoring
from ranking.enums import Standing
from ranking.models import Tier
from ranking.results.compute import AgencyNames, AssessmentRow, PeriodInputs

# The digests of `inputs()` as the code of 2026-12-04 computed them (without an agency left
# out), and as it is computed since the group of an agency left out is part of it.
WITHOUT_LEFT_OUT = "ec825bcb187e8c01ec47e0f434535859eeec041b9a9caf1bc804bd8fd6a35adb"
WITH_LEFT_OUT = "698372be7a50308affca80c28bec844d3c551659af70366f5766d7b8d88b50c5"


def inputs(*, left_out: bool) -> PeriodInputs:
    """Two agencies of one group, with fixed ids; with `left_out`, a third one not assessed."""
    tiers = [
        Tier(id=11, order=1, label="Xuất sắc", min_index=D(90)),
        Tier(id=12, order=2, label="Tốt", min_index=D(0)),
    ]
    rules = scoring.PeriodRules(
        tiers=[scoring.TierDef("Xuất sắc", D(90)), scoring.TierDef("Tốt", D(0))], field_codes=["1", "2"]
    )
    totals = scoring.Totals(
        total=D("80.50"),
        total_without_survey=D("75.5"),
        maximum=D(100),
        field_scores={"1": D("75.5"), "2": D(5)},
    )
    agencies = [
        scoring.AgencyInput(key=101, group=7, totals=totals, previous_rank=2),
        scoring.AgencyInput(key=102, group=7, totals=totals, ranked=False),
    ]
    rows = {
        101: AssessmentRow(101, 201, 7, Standing.RANKED, "", False, AgencyNames("Sở Nội vụ", "SNV")),
        102: AssessmentRow(102, 202, 7, Standing.NOT_RANKED, "Sáp nhập", True, AgencyNames("Sở Y tế", "SYT")),
    }
    if left_out:
        rows[103] = AssessmentRow(
            103, 203, 8, Standing.EXCLUDED, "Không nộp", False, AgencyNames("Sở Tư pháp", "STP")
        )
    return PeriodInputs(tiers=tiers, rules=rules, inputs=agencies, assessments=rows)


def test_a_period_without_agencies_left_out_keeps_the_digest_it_had():
    assert inputs(left_out=False).fingerprint == WITHOUT_LEFT_OUT


def test_the_group_of_an_agency_left_out_is_part_of_the_digest():
    period = inputs(left_out=True)
    moved = dataclasses.replace(
        period, assessments={**period.assessments, 103: period.assessments[103]._replace(group_id=7)}
    )

    assert period.fingerprint == WITH_LEFT_OUT
    assert moved.fingerprint not in (WITH_LEFT_OUT, WITHOUT_LEFT_OUT)
    # The group of a ranked agency is in its inputs, as it always was.
    regrouped = dataclasses.replace(
        period, inputs=[dataclasses.replace(period.inputs[0], group=8), period.inputs[1]]
    )
    assert regrouped.fingerprint != WITH_LEFT_OUT
