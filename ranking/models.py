"""The evaluation: periods, criteria trees, tier schemes, assessments, scores and results.

Models hold data and small derived facts only; every write with rules behind it goes
through the services of its concept (`ranking.periods`, `ranking.assessments`,
`ranking.results`), every non-trivial read through their selectors.
"""

import secrets
import uuid
from decimal import Decimal
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from accounts.models import Agency, AgencyGroup
from ranking import scoring
from ranking.enums import (
    AssessmentStatus,
    Decision,
    LateRule,
    Method,
    Phase,
    Standing,
    Subject,
    SurveyScaleKind,
    SurveySource,
)
from ranking.records import HistoricalRecords
from ranking.text import CleanCharField, CleanTextField

SCORE = {"max_digits": 10, "decimal_places": 4}


class TieBreaker(models.TextChoices):
    TOTAL_WITHOUT_SURVEY = "total_without_survey", _("Higher total without survey leaves")
    FIELDS = "fields", _("Higher score of field 1, then field 2, …")


def default_tie_breakers() -> list[str]:
    return [TieBreaker.TOTAL_WITHOUT_SURVEY.value, TieBreaker.FIELDS.value]


class Period(models.Model):
    """One year × one subject (kỳ đánh giá), e.g. CCHC-2017."""

    code = CleanCharField(_("code"), max_length=32, unique=True)
    year = models.PositiveSmallIntegerField(_("year"))
    subject = models.CharField(_("subject"), max_length=8, choices=Subject.choices)
    name = CleanCharField(_("name"), max_length=255)
    previous = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="next_periods",
        verbose_name=_("previous period"),
        help_text=_("The period whose ranks the change column compares with."),
    )
    phase = models.CharField(_("phase"), max_length=20, choices=Phase.choices, default=Phase.SETUP)
    self_assessment_deadline = models.DateField(_("self-assessment deadline"), null=True, blank=True)
    appraisal_deadline = models.DateField(_("appraisal deadline"), null=True, blank=True)
    explanation_deadline = models.DateField(_("explanation deadline"), null=True, blank=True)

    tie_breakers = models.JSONField(
        _("tie-breakers"),
        default=default_tie_breakers,
        help_text=_("Applied in this order to agencies whose index is equal."),
    )
    award_from_tier = CleanCharField(
        _("certificates from tier"),
        max_length=64,
        blank=True,
        help_text=_("The lowest tier label proposed for a certificate of merit."),
    )
    award_max_per_group = models.PositiveIntegerField(
        _("at most certificates per group"), null=True, blank=True
    )
    award_exclude_demoted = models.BooleanField(_("demoted agencies get no certificate"), default=True)
    late_rule = models.CharField(
        _("rule for late agencies"), max_length=16, choices=LateRule.choices, default=LateRule.NONE
    )
    late_deduction = models.DecimalField(
        _("points deducted when late"),
        **SCORE,
        null=True,
        blank=True,
        validators=[MinValueValidator(0)],
        help_text=_("With the rule “Deduct points from the total”."),
    )

    results_computed_at = models.DateTimeField(_("results computed at"), null=True, blank=True)
    # What the stored results were computed from (`ranking.results.compute.PeriodInputs`):
    # publishing and approving compare it with the inputs as they stand.
    results_fingerprint = models.CharField(
        _("fingerprint of the results' inputs"), max_length=64, blank=True, editable=False
    )
    results_outdated_reason = models.TextField(
        _("why the results must be computed again"), blank=True, editable=False
    )
    # The agencies left out of the computed results ("not assessed"), as `Publication.excluded`
    # keeps them: read with the results, computed with them.
    results_excluded = models.JSONField(
        _("agencies not assessed in the results"), default=list, blank=True, editable=False
    )
    awards_approved_at = models.DateTimeField(_("award list approved at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    version = models.PositiveIntegerField(_("results version"), default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["-year", "subject"]
        verbose_name = _("evaluation period")
        verbose_name_plural = _("evaluation periods")
        constraints = [
            models.UniqueConstraint(fields=["year", "subject"], name="one_period_per_year_subject")
        ]

    def __str__(self) -> str:
        return self.name or self.code

    def clean(self):
        super().clean()
        if self.late_rule == LateRule.DEDUCT and not self.late_deduction:
            raise ValidationError(
                {"late_deduction": _("Give the points deducted from a late agency's total.")}
            )


class Tier(models.Model):
    """One tier of a period's scheme; `order` 1 is the highest."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="tiers", verbose_name=_("period")
    )
    order = models.PositiveSmallIntegerField(_("order"), validators=[MinValueValidator(1)])
    label = CleanCharField(_("tier"), max_length=64)
    min_index = models.DecimalField(
        _("lowest index (%)"), max_digits=7, decimal_places=4, validators=[MinValueValidator(0)]
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "order"]
        verbose_name = _("tier")
        verbose_name_plural = _("tiers")
        constraints = [
            models.UniqueConstraint(fields=["period", "order"], name="tier_order_unique"),
            models.UniqueConstraint(fields=["period", "label"], name="tier_label_unique"),
        ]

    def __str__(self) -> str:
        return self.label


def criterion_sort_key(code: str) -> str:
    """`1.10.2` sorts after `1.9`: pad every part of the code."""
    return ".".join(part.zfill(4) for part in code.split("."))


class Criterion(models.Model):
    """A node of a period's criteria tree; leaves are scored, parents sum their children."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="criteria", verbose_name=_("period")
    )
    parent = models.ForeignKey(
        "self",
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )
    code = CleanCharField(_("code"), max_length=32)
    sort_key = models.CharField(_("sort key"), max_length=160, editable=False, db_index=True)
    title = CleanTextField(_("content"))
    max_points = models.DecimalField(
        _("maximum points"),
        **SCORE,
        null=True,
        blank=True,
        help_text=_("For a deduction leaf, the floor as a positive number."),
    )
    method = models.CharField(
        _("scoring method"), max_length=16, choices=Method.choices, default=Method.NUMBER
    )
    step = models.DecimalField(
        _("step"), **SCORE, null=True, blank=True, help_text=_("For number leaves: 0.25, 0.5, 1 …")
    )
    options = models.JSONField(
        _("options"),
        default=list,
        blank=True,
        help_text=_('For choice leaves: [["label", "points"], …]'),
    )
    groups = models.ManyToManyField(
        AgencyGroup,
        blank=True,
        related_name="+",
        verbose_name=_("applies to groups"),
        help_text=_("Empty: every group."),
    )
    allow_not_arising = models.BooleanField(_("may not arise"), default=False)
    evidence_required = models.BooleanField(_("evidence required"), default=False)
    guidance = CleanTextField(_("scoring guidance"), blank=True)

    history = HistoricalRecords(excluded_fields=["sort_key"])

    class Meta:
        ordering = ["period", "sort_key"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")
        constraints = [
            models.UniqueConstraint(fields=["period", "code"], name="criterion_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.title}"

    def save(self, *args, **kwargs):
        self.sort_key = criterion_sort_key(self.code)
        super().save(*args, **kwargs)

    @property
    def field_code(self) -> str:
        return self.code.split(".")[0]

    @property
    def depth(self) -> int:
        return self.code.count(".")

    @property
    def parent_code(self) -> str:
        return self.code.rpartition(".")[0]

    @property
    def option_values(self) -> list[tuple[str, Decimal]]:
        return [(label, Decimal(points)) for label, points in self.options]


class Assessment(models.Model):
    """One agency's assessment in one period: its scores, status and reviewer."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="assessments", verbose_name=_("period")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="assessments", verbose_name=_("agency")
    )
    # The group the agency is assessed and ranked in for this period: its usual group unless
    # the council chose another for this subject (`ranking.periods.groups`).
    group = models.ForeignKey(
        AgencyGroup,
        on_delete=models.PROTECT,
        related_name="assessments",
        verbose_name=_("group in this period"),
        blank=True,
        help_text=_("Empty: the agency's usual group."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=AssessmentStatus.choices, default=AssessmentStatus.DRAFT
    )
    reviewer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assigned_assessments",
        verbose_name=_("assigned reviewer"),
        limit_choices_to={"role__in": ["reviewer", "council"]},
    )
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    review_opened_at = models.DateTimeField(_("appraisal opened at"), null=True, blank=True)
    reviewed_at = models.DateTimeField(_("appraised at"), null=True, blank=True)
    explanation_submitted_at = models.DateTimeField(_("explanation submitted at"), null=True, blank=True)
    reopened = models.BooleanField(
        _("reopened by the council"),
        default=False,
        help_text=_("The agency may edit after the deadline until it submits again."),
    )
    # Written only by `ranking.results.standing`: the council's decision, with its reason.
    standing = models.CharField(
        _("standing"), max_length=16, choices=Standing.choices, default=Standing.RANKED
    )
    standing_reason = CleanTextField(_("reason for the standing"), blank=True)
    late = models.BooleanField(_("submitted late"), default=False)
    late_reason = CleanTextField(_("reason for the late record"), blank=True)

    history = HistoricalRecords()

    # What only the workflow's steps (submit, return, approve, reopen …) write: never edited
    # by hand, and never an input of the results.
    WORKFLOW_FIELDS = (
        "status",
        "submitted_at",
        "submitted_by",
        "review_opened_at",
        "reviewed_at",
        "explanation_submitted_at",
        "reopened",
    )

    class Meta:
        ordering = ["period", "group__order", "agency__code"]
        verbose_name = _("assessment")
        verbose_name_plural = _("assessments")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="one_assessment_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.period}"

    def save(self, *args, **kwargs):
        # A new assessment starts in the agency's usual group, whichever path creates it.
        if self.group_id is None:
            self.group_id = self.agency.group_id
        super().save(*args, **kwargs)


class Score(models.Model):
    """The score of one leaf for one agency, from self-assessment to final."""

    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="scores", verbose_name=_("assessment")
    )
    criterion = models.ForeignKey(
        Criterion, on_delete=models.CASCADE, related_name="scores", verbose_name=_("criterion")
    )
    self_score = models.DecimalField(_("self-score"), **SCORE, null=True, blank=True)
    not_arising = models.BooleanField(_("does not arise"), default=False)
    note = CleanTextField(_("note"), blank=True)
    no_evidence_reason = CleanTextField(_("reason for missing evidence"), blank=True)
    reviewed_score = models.DecimalField(_("reviewed score"), **SCORE, null=True, blank=True)
    review_comment = CleanTextField(_("reviewer's comment"), blank=True)
    reviewer_not_arising = models.BooleanField(
        _("does not arise (appraisal)"),
        null=True,
        blank=True,
        help_text=_("The reviewer's decision, which the final score follows; empty: as the agency says."),
    )
    explanation = CleanTextField(_("explanation"), blank=True)
    proposed_score = models.DecimalField(_("proposed score"), **SCORE, null=True, blank=True)
    decision = models.CharField(_("decision"), max_length=16, choices=Decision.choices, blank=True)
    decision_reason = CleanTextField(_("reason for the decision"), blank=True)
    final_score = models.DecimalField(_("final score"), **SCORE, null=True, blank=True)
    version = models.PositiveIntegerField(_("version"), default=1)

    history = HistoricalRecords()

    class Meta:
        ordering = ["assessment", "criterion__sort_key"]
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [
            models.UniqueConstraint(fields=["assessment", "criterion"], name="one_score_per_leaf"),
        ]

    def __str__(self) -> str:
        return f"{self.assessment} — {self.criterion.code}"

    @property
    def final_not_arising(self) -> bool:
        """Whether the leaf is left out of the final figures (the reviewer's word, once given)."""
        return scoring.final_not_arising(self.not_arising, self.reviewer_not_arising)


def evidence_upload_to(instance: "Evidence", filename: str) -> str:
    # The stored name never comes from the user: only the extension is kept.
    suffix = PurePath(filename).suffix.lower()[:10]
    return f"evidence/{instance.score.assessment.period_id}/{uuid.uuid4().hex}{suffix}"


class Evidence(models.Model):
    """A file supporting a score (tài liệu kiểm chứng)."""

    class Purpose(models.TextChoices):
        SELF_ASSESSMENT = "self", _("Self-assessment")
        EXPLANATION = "explanation", _("Explanation")

    score = models.ForeignKey(
        Score, on_delete=models.CASCADE, related_name="evidence", verbose_name=_("score")
    )
    purpose = models.CharField(
        _("for"), max_length=16, choices=Purpose.choices, default=Purpose.SELF_ASSESSMENT
    )
    file = models.FileField(_("file"), upload_to=evidence_upload_to)
    original_name = models.CharField(_("file name"), max_length=255)
    content_type = models.CharField(_("type"), max_length=100)
    size = models.PositiveBigIntegerField(_("size"))
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["uploaded_at"]
        verbose_name = _("evidence file")
        verbose_name_plural = _("evidence files")

    def __str__(self) -> str:
        return self.original_name


class Demotion(models.Model):
    """The council lowers an agency's tier (hạ bậc) by steps, or caps it at a tier."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="demotions", verbose_name=_("period")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="demotions", verbose_name=_("agency")
    )
    steps = models.PositiveSmallIntegerField(
        _("tiers down"), null=True, blank=True, validators=[MinValueValidator(1)]
    )
    cap_tier = models.ForeignKey(
        Tier,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("at most tier"),
    )
    reason = CleanTextField(_("reason"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "agency__code"]
        verbose_name = _("demotion")
        verbose_name_plural = _("demotions")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="one_demotion_per_agency"),
            models.CheckConstraint(
                condition=models.Q(steps__isnull=False) | models.Q(cap_tier__isnull=False),
                name="demotion_has_steps_or_cap",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.period}"


class Result(models.Model):
    """An agency's computed result in a period; rebuilt by `results_compute`."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="results", verbose_name=_("period")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="results", verbose_name=_("agency")
    )
    group = models.ForeignKey(
        AgencyGroup, on_delete=models.PROTECT, related_name="+", verbose_name=_("group")
    )
    total = models.DecimalField(_("total"), **SCORE)
    total_without_survey = models.DecimalField(_("total without survey"), **SCORE)
    maximum = models.DecimalField(_("maximum"), **SCORE)
    index = models.DecimalField(
        _("index (%)"), max_digits=16, decimal_places=10, help_text=_("Shown with 2 decimals.")
    )
    field_scores = models.JSONField(_("score per field"), default=dict)
    field_maxima = models.JSONField(
        _("maximum per field"),
        default=dict,
        help_text=_("Of the leaves that apply to the agency and arose."),
    )
    field_indices = models.JSONField(
        _("component index per field (%)"),
        default=dict,
        help_text=_("Score ÷ maximum × 100 per field; empty where the field has no maximum."),
    )
    tier_before_demotion = models.ForeignKey(
        Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier before demotion")
    )
    tier = models.ForeignKey(Tier, on_delete=models.PROTECT, related_name="+", verbose_name=_("tier"))
    demoted = models.BooleanField(_("demoted"), default=False)
    # Empty for an agency assessed but not ranked (`standing`).
    rank = models.PositiveIntegerField(_("rank"), null=True, blank=True)
    previous_rank = models.PositiveIntegerField(_("previous rank"), null=True, blank=True)
    standing = models.CharField(
        _("standing"), max_length=16, choices=Standing.choices, default=Standing.RANKED
    )
    standing_reason = models.TextField(_("reason for the standing"), blank=True)
    late = models.BooleanField(_("submitted late"), default=False)
    computed_at = models.DateTimeField(_("computed at"), auto_now=True)

    class Meta:
        ordering = ["period", "group__order", models.F("rank").asc(nulls_last=True), "agency__code"]
        verbose_name = _("result")
        verbose_name_plural = _("results")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="one_result_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.period}: {self.rank}"

    @property
    def change(self) -> int | None:
        """Places moved up since the previous period (negative: moved down)."""
        if self.previous_rank is None or self.rank is None:
            return None
        return self.previous_rank - self.rank


class HistoricalResult(models.Model):
    """A published result of a past year, imported for the change column (sheet KetQua)."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="historical_results", verbose_name=_("period")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="historical_results", verbose_name=_("agency")
    )
    total = models.DecimalField(_("total"), **SCORE, null=True, blank=True)
    index = models.DecimalField(_("index (%)"), max_digits=16, decimal_places=10, null=True, blank=True)
    tier_label = CleanCharField(_("tier"), max_length=64, blank=True)
    rank = models.PositiveIntegerField(_("rank"))

    class Meta:
        ordering = ["period", "rank", "agency__code"]
        verbose_name = _("past result")
        verbose_name_plural = _("past results")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="one_past_result_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.period}: {self.rank}"


class AwardEntry(models.Model):
    """An agency on a period's certificate-of-merit list (Bằng khen).

    `proposed` says the award rule put it there; `included` is the council's decision,
    with a reason wherever it differs from the proposal.
    """

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="awards", verbose_name=_("period")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="awards", verbose_name=_("agency")
    )
    proposed = models.BooleanField(_("proposed by the rule"), default=True)
    included = models.BooleanField(_("on the list"), default=True)
    reason = CleanTextField(_("reason"), blank=True)
    changed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("changed by"),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "agency__group__order", "agency__code"]
        verbose_name = _("certificate of merit")
        verbose_name_plural = _("certificates of merit")
        constraints = [
            models.UniqueConstraint(fields=["period", "agency"], name="one_award_per_agency"),
        ]

    def __str__(self) -> str:
        return f"{self.agency} — {self.period}"


class Publication(models.Model):
    """One published version of a period's results, frozen as it was announced.

    A correction after publication reopens the period with a reason; publishing again
    makes the next version, so every announced ranking stays traceable. Whatever shows
    published results reads them from here (`ranking.results.publications`), never from the live
    tables: renaming an agency or a group later changes nothing that was announced.

    `results`: one row per agency in group order, then rank, with the keys "group" (name),
    "group_code", "group_order", "rank", "agency" (code), "agency_id", "name", "total",
    "maximum", "index" (decimal strings), "field_scores", "field_maxima" (field code → decimal
    string), "field_indices" (field code → decimal string, or None without a maximum), "tier",
    "tier_before_demotion", "demoted", "previous_rank", "standing", "standing_reason" and "late"
    (rank None when not ranked). `excluded`: the agencies not assessed, with "group",
    "group_code", "group_order", "agency", "agency_id", "name", "standing_reason" and "late".
    `awards`: the approved certificate list in order, with "agency", "agency_id", "name",
    "group", "group_code" and "group_order". A version published before a key was kept may
    lack it: the migration `publication_snapshot_keys` filled in what was certain, and readers
    take the rest as missing.
    """

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="publications", verbose_name=_("period")
    )
    version = models.PositiveIntegerField(_("version"))
    published_at = models.DateTimeField(_("published at"))
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="+",
        verbose_name=_("published by"),
    )
    results = models.JSONField(_("results as published"), default=list)
    awards = models.JSONField(_("certificates as published"), default=list)
    excluded = models.JSONField(_("agencies not assessed as published"), default=list, blank=True)
    tier_labels = models.JSONField(_("tier scheme as published"), default=list, blank=True)
    field_codes = models.JSONField(_("fields as published"), default=list, blank=True)
    reopened_at = models.DateTimeField(_("reopened at"), null=True, blank=True)
    reopened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reopened by"),
    )
    reopen_reason = CleanTextField(_("reason for reopening"), blank=True)
    # The official decision announcing this version (quyết định công bố), as the council records
    # it once signed; the Word document of the decision is generated from it and the snapshot.
    decision_number = CleanCharField(_("decision number"), max_length=50, blank=True)
    decision_date = models.DateField(_("decision date"), null=True, blank=True)
    signer_name = CleanCharField(_("signed by"), max_length=100, blank=True)
    signer_title = CleanCharField(_("signer's title"), max_length=150, blank=True)

    # Who recorded the decision and what it said before: the snapshot is frozen, never in the history.
    history = HistoricalRecords(
        excluded_fields=["results", "awards", "excluded", "tier_labels", "field_codes"]
    )

    class Meta:
        ordering = ["period", "-version"]
        verbose_name = _("publication")
        verbose_name_plural = _("publications")
        constraints = [
            models.UniqueConstraint(fields=["period", "version"], name="one_publication_per_version"),
        ]

    def __str__(self) -> str:
        return f"{self.period} v{self.version}"


def job_upload_to(instance: "Job", filename: str) -> str:
    # Beside the evidence, in the private storage; the stored name never comes from the user.
    return f"jobs/{uuid.uuid4().hex}{PurePath(filename).suffix.lower()[:10]}"


class Job(models.Model):
    """Long work a user started in the browser and a background worker does: importing the
    year workbook, producing a period's conference workbook or the whole year workbook, with
    its progress and outcome."""

    class Kind(models.TextChoices):
        IMPORT = "import", _("Year workbook import")
        EXPORT = "export", _("Conference workbook export")
        YEAR_EXPORT = "year_export", _("Year workbook export")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Waiting")
        RUNNING = "running", _("Running")
        DONE = "done", _("Done")
        FAILED = "failed", _("Failed")
        CANCELLED = "cancelled", _("Cancelled")

    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        related_name="jobs",
        verbose_name=_("started by"),
    )
    period = models.ForeignKey(
        Period,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="jobs",
        verbose_name=_("period"),
    )
    dry_run = models.BooleanField(_("dry run"), default=False)
    # The language of the person who started it: messages are written in it.
    language = models.CharField(_("language"), max_length=8, default="vi")
    # The uploaded workbook (import) or the produced one (export).
    file = models.FileField(_("file"), upload_to=job_upload_to, blank=True)
    file_name = models.CharField(_("file name"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.QUEUED)
    done = models.PositiveIntegerField(_("done"), default=0)
    total = models.PositiveIntegerField(_("total"), default=0)
    # Import: [{"sheet", "new", "updated", "unchanged"}, …] in the order the sheets were read.
    summary = models.JSONField(_("result"), default=list, blank=True)
    problems = models.JSONField(_("problems"), default=list, blank=True)
    task_id = models.CharField(_("task"), max_length=64, blank=True)
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    started_at = models.DateTimeField(_("running since"), null=True, blank=True)
    # The worker's sign of life, written with the progress: a running job without one for
    # longer than JOBS_HEARTBEAT_TIMEOUT lost its worker.
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    # Asked by the person who started the job or an administrator; the worker stops at its
    # next batch of rows and writes nothing.
    cancel_requested_at = models.DateTimeField(_("cancellation asked at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("background job")
        verbose_name_plural = _("background jobs")
        indexes = [models.Index(fields=["user", "-created_at"], name="job_user_recent")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk}"

    @property
    def finished(self) -> bool:
        return self.status in (self.Status.DONE, self.Status.FAILED, self.Status.CANCELLED)

    @property
    def percent(self) -> int | None:
        """Whole percent done, or None while the amount of work is not known."""
        if not self.total:
            return 100 if self.status == self.Status.DONE else None
        return min(100, self.done * 100 // self.total)


def decision_template_upload_to(instance: "DecisionTemplate", filename: str) -> str:
    # In the private storage, beside the evidence; the stored name never comes from the user.
    return f"mau-quyet-dinh/{uuid.uuid4().hex}.docx"


class DecisionTemplate(models.Model):
    """A Word template of the publication decision, uploaded by an administrator.

    The newest active one is used; without any, the default built into the application
    (`ranking.documents.default_template`). Its tags are described in docs/decision.md.
    """

    file = models.FileField(_("Word template (.docx)"), upload_to=decision_template_upload_to)
    description = CleanCharField(_("description"), max_length=200, blank=True)
    active = models.BooleanField(_("in use"), default=True)
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )

    class Meta:
        ordering = ["-uploaded_at", "-pk"]
        verbose_name = _("decision template")
        verbose_name_plural = _("decision templates")

    def __str__(self) -> str:
        return self.description or str(_("Decision template of %(date)s")) % {
            "date": self.uploaded_at.date().strftime("%d/%m/%Y") if self.uploaded_at else ""
        }


class DigestItem(models.Model):
    """A notification kept for a person's daily digest e-mail instead of being sent at once.

    Written in the transaction of the change it reports, so a change rolled back leaves none;
    deleted once the digest that lists it has left.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+", verbose_name=_("recipient")
    )
    assessment = models.ForeignKey(
        Assessment, on_delete=models.CASCADE, related_name="+", verbose_name=_("assessment")
    )
    event = models.CharField(_("event"), max_length=16)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["user", "created_at", "id"]
        verbose_name = _("digest notification")
        verbose_name_plural = _("digest notifications")

    def __str__(self) -> str:
        return f"{self.user} · {self.event} · {self.assessment}"


# --- surveys (điều tra xã hội học) ------------------------------------------------------
# The survey leaves' points come from anonymous answers: groups of respondents answer
# questions that map to the leaves; each answer's option converts to a percent of the leaf's
# maximum (`ranking.surveys.aggregation` holds the arithmetic, docs/surveys.md the rules).
# A response is never linked to a person, an invitation, a user or an address.


# The conversion a new scale of each kind starts with: [option, label, percent of the maximum].
DEFAULT_SCALE_OPTIONS = {
    SurveyScaleKind.LIKERT5: [
        ["1", "Rất không hài lòng", "0"],
        ["2", "Không hài lòng", "25"],
        ["3", "Bình thường", "50"],
        ["4", "Hài lòng", "75"],
        ["5", "Rất hài lòng", "100"],
    ],
    SurveyScaleKind.ABCD: [
        ["A", "Tốt", "100"],
        ["B", "Khá", "60"],
        ["C", "Trung bình", "20"],
        ["D", "Kém", "0"],
    ],
    SurveyScaleKind.YESNO: [["Có", "Có", "100"], ["Không", "Không", "0"]],
}


def scale_options_problem(options) -> str | None:
    """Why a scale's options are not a list of [option, label, percent], or None."""
    if not isinstance(options, list) or len(options) < 2:
        return _("Give at least two options, each as [option, label, percent].")
    seen = set()
    for item in options:
        if not (isinstance(item, list) and len(item) == 3 and all(isinstance(part, str) for part in item)):
            return _("Each option is a list of three texts: [option, label, percent].")
        code, label, percent = (part.strip() for part in item)
        if not code or not label:
            return _("Each option needs a code and a label.")
        if code in seen:
            return _("The option “%(code)s” is given twice.") % {"code": code}
        seen.add(code)
        try:
            value = Decimal(percent)
        except ArithmeticError:
            return _("“%(percent)s” is not a percent.") % {"percent": percent}
        if not value.is_finite() or not 0 <= value <= 100 or value != value.quantize(Decimal("0.01")):
            return _(
                "The percent of option “%(code)s” must be between 0 and 100, with at most 2 decimals."
            ) % {"code": code}
    return None


class SurveyScale(models.Model):
    """How the options of an answer convert to a percent of the survey leaf's maximum."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="survey_scales", verbose_name=_("period")
    )
    code = CleanCharField(_("code"), max_length=32)
    name = CleanCharField(_("name"), max_length=255)
    kind = models.CharField(_("kind"), max_length=16, choices=SurveyScaleKind.choices)
    options = models.JSONField(
        _("options and conversion"),
        default=list,
        blank=True,
        help_text=_(
            '[["option", "label", "percent of the maximum"], …] in the order shown; '
            "empty: the default of the kind."
        ),
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "code"]
        verbose_name = _("answer scale")
        verbose_name_plural = _("answer scales")
        constraints = [
            models.UniqueConstraint(fields=["period", "code"], name="survey_scale_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        super().clean()
        if not self.options and self.kind in DEFAULT_SCALE_OPTIONS:
            self.options = [list(item) for item in DEFAULT_SCALE_OPTIONS[self.kind]]
        problem = scale_options_problem(self.options)
        if problem:
            raise ValidationError({"options": problem})

    @property
    def conversion(self) -> dict[str, Decimal]:
        """Option → percent of the leaf's maximum."""
        return {code.strip(): Decimal(percent) for code, _label, percent in self.options}

    @property
    def choices(self) -> list[tuple[str, str]]:
        return [(code.strip(), label.strip()) for code, label, _percent in self.options]


class RespondentGroup(models.Model):
    """A group of respondents of a period's survey, with its weight and its quota per agency."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="respondent_groups", verbose_name=_("period")
    )
    code = CleanCharField(_("code"), max_length=32)
    name = CleanCharField(_("name"), max_length=255)
    weight = models.DecimalField(
        _("weight"),
        max_digits=8,
        decimal_places=4,
        default=Decimal(1),
        validators=[MinValueValidator(Decimal("0.0001"))],
        help_text=_("The group's share in a leaf's result, against the other groups that answered."),
    )
    quota = models.PositiveIntegerField(
        _("responses per agency"),
        validators=[MinValueValidator(1)],
        help_text=_("At most this many responses of the group are accepted for each agency."),
    )
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    introduction = CleanTextField(_("introduction shown on the form"), blank=True)

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "order", "code"]
        verbose_name = _("respondent group")
        verbose_name_plural = _("respondent groups")
        constraints = [
            models.UniqueConstraint(fields=["period", "code"], name="respondent_group_code_unique"),
        ]

    def __str__(self) -> str:
        return self.name


class SurveyQuestion(models.Model):
    """A question of the period's questionnaire: who answers it, on which scale, for which leaf.

    The questionnaire of a respondent group is the period's questions it answers, in order.
    """

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="survey_questions", verbose_name=_("period")
    )
    code = CleanCharField(_("code"), max_length=32)
    text = CleanTextField(_("question"))
    order = models.PositiveSmallIntegerField(_("order"), default=1)
    criterion = models.ForeignKey(
        Criterion,
        on_delete=models.CASCADE,
        related_name="survey_questions",
        verbose_name=_("survey criterion"),
        limit_choices_to={"method": Method.SURVEY},
    )
    groups = models.ManyToManyField(
        RespondentGroup,
        through="SurveyQuestionGroup",
        related_name="questions",
        verbose_name=_("answered by"),
    )
    scale = models.ForeignKey(
        SurveyScale, on_delete=models.RESTRICT, related_name="questions", verbose_name=_("answer scale")
    )

    history = HistoricalRecords()

    class Meta:
        ordering = ["period", "order", "code"]
        verbose_name = _("survey question")
        verbose_name_plural = _("survey questions")
        constraints = [
            models.UniqueConstraint(fields=["period", "code"], name="survey_question_code_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.code}. {self.text}"

    def clean(self):
        super().clean()
        problems = {}
        if self.criterion_id:
            if self.criterion.period_id != self.period_id:
                problems["criterion"] = _("The criterion belongs to another period.")
            elif self.criterion.method != Method.SURVEY:
                problems["criterion"] = _("Choose a criterion scored by survey.")
        if self.scale_id and self.scale.period_id != self.period_id:
            problems["scale"] = _("The scale belongs to another period.")
        if problems:
            raise ValidationError(problems)


class SurveyQuestionGroup(models.Model):
    """A respondent group that answers a question."""

    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.CASCADE, related_name="+", verbose_name=_("survey question")
    )
    group = models.ForeignKey(
        RespondentGroup, on_delete=models.CASCADE, related_name="+", verbose_name=_("respondent group")
    )

    class Meta:
        ordering = ["question", "group"]
        verbose_name = _("group answering a question")
        verbose_name_plural = _("groups answering a question")
        constraints = [
            models.UniqueConstraint(fields=["question", "group"], name="survey_question_group_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code} · {self.group.name}"

    def clean(self):
        super().clean()
        if self.question_id and self.group_id and self.question.period_id != self.group.period_id:
            raise ValidationError({"group": _("The group belongs to another period.")})


def survey_token() -> str:
    return secrets.token_urlsafe(24)


class SurveyInvitation(models.Model):
    """One link to the public form: one response of a group for an agency, never a person.

    The response it lets in is not linked back to it; `used_on` keeps the day only.
    """

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="survey_invitations", verbose_name=_("period")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="survey_invitations", verbose_name=_("agency")
    )
    group = models.ForeignKey(
        RespondentGroup,
        on_delete=models.CASCADE,
        related_name="invitations",
        verbose_name=_("respondent group"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=survey_token, editable=False)
    issued_at = models.DateTimeField(_("issued at"), auto_now_add=True)
    used_on = models.DateField(_("answered on"), null=True, blank=True)

    class Meta:
        ordering = ["period", "agency", "group", "id"]
        verbose_name = _("survey invitation")
        verbose_name_plural = _("survey invitations")
        indexes = [models.Index(fields=["period", "agency", "group"], name="survey_invitation_idx")]

    def __str__(self) -> str:
        return f"{self.agency} · {self.group}"


class SurveyResponse(models.Model):
    """One anonymous response: for which agency, from which group, how, and on which day."""

    period = models.ForeignKey(
        Period, on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("period")
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.CASCADE, related_name="survey_responses", verbose_name=_("agency")
    )
    group = models.ForeignKey(
        RespondentGroup,
        on_delete=models.CASCADE,
        related_name="responses",
        verbose_name=_("respondent group"),
    )
    source = models.CharField(_("source"), max_length=8, choices=SurveySource.choices)
    # A paper form's number on the paper-answers sheet: importing the sheet again replaces
    # that form's answers instead of adding a response.
    reference = CleanCharField(_("paper form number"), max_length=32, blank=True)
    submitted_on = models.DateField(_("received on"))

    class Meta:
        ordering = ["period", "agency", "group", "id"]
        verbose_name = _("survey response")
        verbose_name_plural = _("survey responses")
        indexes = [models.Index(fields=["period", "agency", "group"], name="survey_response_idx")]
        constraints = [
            models.UniqueConstraint(
                fields=["period", "agency", "group", "reference"],
                condition=~models.Q(reference=""),
                name="survey_response_reference_unique",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.agency} · {self.group} · {self.get_source_display()}"


class SurveyAnswer(models.Model):
    """The option a response chose for one question."""

    response = models.ForeignKey(
        SurveyResponse, on_delete=models.CASCADE, related_name="answers", verbose_name=_("response")
    )
    question = models.ForeignKey(
        SurveyQuestion, on_delete=models.RESTRICT, related_name="answers", verbose_name=_("question")
    )
    option = models.CharField(_("option"), max_length=32)

    class Meta:
        ordering = ["response", "question"]
        verbose_name = _("survey answer")
        verbose_name_plural = _("survey answers")
        constraints = [
            models.UniqueConstraint(fields=["response", "question"], name="survey_answer_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.question.code}: {self.option}"
