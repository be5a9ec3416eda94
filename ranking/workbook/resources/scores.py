"""The sheet Diem: the scores of every agency."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db.models import signals
from django.db.models.base import ModelState
from django.utils.translation import gettext as _
from import_export import fields
from import_export.results import RowResult
from simple_history.utils import bulk_create_with_history, bulk_update_with_history

from accounts.models import Agency, AgencyGroup
from ranking.bulk import bulk_insert_with_history
from ranking.enums import Method
from ranking.models import Assessment, Criterion, Period, Score
from ranking.periods.criteria import applies, score_problem
from ranking.workbook.resources.base import (
    FlagWidget,
    NumberWidget,
    SheetResource,
    YesNoWidget,
    period_and_agency,
)

REVIEWER_NOT_ARISING = "Không phát sinh (thẩm định)"
ASSESSMENT = Score._meta.get_field("assessment")
CRITERION = Score._meta.get_field("criterion")


class ScoreResource(SheetResource):
    sheet = "Diem"
    key_columns = ("Mã kỳ", "Mã đơn vị", "Mã tiêu chí")
    required_columns = ("Mã kỳ", "Mã đơn vị", "Mã tiêu chí")
    direct_import = True

    period = fields.Field(attribute="assessment__period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="assessment__agency__code", column_name="Mã đơn vị")
    criterion = fields.Field(attribute="criterion__code", column_name="Mã tiêu chí")
    self_score = fields.Field(attribute="self_score", column_name="Điểm tự đánh giá", widget=NumberWidget())
    reviewed_score = fields.Field(
        attribute="reviewed_score", column_name="Điểm thẩm định", widget=NumberWidget()
    )
    not_arising = fields.Field(attribute="not_arising", column_name="Không phát sinh", widget=FlagWidget())
    note = fields.Field(attribute="note", column_name="Ghi chú")
    # Added after the contract's columns, optional: the reviewer's word on "does not arise",
    # which decides the final figures (x: does not arise; không: it arises; empty: as the agency).
    reviewer_not_arising = fields.Field(
        attribute="reviewer_not_arising", column_name=REVIEWER_NOT_ARISING, widget=YesNoWidget()
    )

    class Meta(SheetResource.Meta):
        model = Score
        fields = (
            "period",
            "agency",
            "criterion",
            "self_score",
            "reviewed_score",
            "not_arising",
            "note",
            "reviewer_not_arising",
        )
        import_id_fields = ("period", "agency", "criterion")
        use_bulk = True
        batch_size = 2000
        skip_diff = True

    UPDATED_FIELDS = (
        "self_score",
        "reviewed_score",
        "final_score",
        "not_arising",
        "reviewer_not_arising",
        "note",
    )

    def dehydrate_reviewed_score(self, score: Score):
        # "An imported Điểm thẩm định counts as the final score": export the final one.
        return score.final_score if score.decision else score.reviewed_score

    def get_queryset(self):
        return Score.objects.select_related("assessment__period", "assessment__agency", "criterion")

    def load_existing(self, rows):
        period_codes = self.column_values("Mã kỳ")
        self.periods = {p.code: p for p in Period.objects.filter(code__in=period_codes)}
        self.agencies = {a.code: a for a in Agency.objects.all()}
        self.groups = {g.id: g for g in AgencyGroup.objects.all()}
        criteria = list(Criterion.objects.filter(period__in=self.periods.values()).prefetch_related("groups"))
        parent_ids = {c.parent_id for c in criteria if c.parent_id}
        self.criteria = {(c.period_id, c.code): c for c in criteria}
        self.leaf_ids = {c.id for c in criteria} - parent_ids
        self.criterion_groups = {c.id: {g.id for g in c.groups.all()} for c in criteria}
        self.problems: dict[tuple[int, Decimal], str | None] = {}
        self.defaults = [field.get_default() for field in Score._meta.concrete_fields]
        concrete = Score._meta.concrete_fields
        self.default_values = {f.attname: value for f, value in zip(concrete, self.defaults, strict=True)}
        # What `Score(*defaults)` does besides storing the values: signals, if anything listens.
        self.plain_new = not (signals.pre_init.has_listeners(Score) or signals.post_init.has_listeners(Score))
        self.assessments = {
            (a.period_id, a.agency_id): a for a in Assessment.objects.filter(period__in=self.periods.values())
        }
        existing = {}
        scores = Score.objects.filter(assessment__period__in=self.periods.values()).select_related(
            "assessment", "criterion"
        )
        codes = {a.id: a.code for a in self.agencies.values()}
        period_codes_by_id = {p.id: code for code, p in self.periods.items()}
        for score in scores:
            key = (
                period_codes_by_id[score.assessment.period_id],
                codes[score.assessment.agency_id],
                score.criterion.code,
            )
            existing[key] = score
        return existing

    def fill(self, instance, cells, *, row_number):
        period, agency = period_and_agency(self, cells)
        self.refuse_if_published(period, cells)
        code = cells.text("Mã tiêu chí", required=True)
        criterion = self.criteria.get((period.id, code)) if period else None
        if period and code and criterion is None:
            cells.errors["Mã tiêu chí"] = _("Period %(period)s has no criterion “%(code)s”.") % {
                "period": period.code,
                "code": code,
            }
        elif criterion is not None and criterion.id not in self.leaf_ids:
            cells.errors["Mã tiêu chí"] = _("Criterion %(code)s has sub-criteria: score its leaves.") % {
                "code": code
            }
            criterion = None
        elif (
            criterion is not None
            and agency is not None
            and not applies(self.criterion_groups[criterion.id], self.group_of(period, agency))
        ):
            cells.errors["Mã tiêu chí"] = _("Criterion %(code)s does not apply to %(group)s.") % {
                "code": code,
                "group": self.groups[self.group_of(period, agency)].name,
            }
        self_score = cells.decimal("Điểm tự đánh giá")
        reviewed = cells.decimal("Điểm thẩm định")
        not_arising = cells.flag("Không phát sinh")
        # A file without the column means what it always did: the agency's flag decides.
        overruled = cells.yes_no(REVIEWER_NOT_ARISING)
        if criterion is not None:
            # Most rows have no flag and one or two scores: nothing built for the columns left empty.
            if self_score is not None:
                problem = self.score_problem(criterion, self_score)
                if problem:
                    cells.errors.setdefault("Điểm tự đánh giá", problem)
            if reviewed is not None:
                problem = self.score_problem(criterion, reviewed)
                if problem:
                    cells.errors.setdefault("Điểm thẩm định", problem)
            if (not_arising or overruled) and not criterion.allow_not_arising:
                for column, flag in (("Không phát sinh", not_arising), (REVIEWER_NOT_ARISING, overruled)):
                    if flag:
                        cells.errors[column] = _("Criterion %(code)s does not allow “does not arise”.") % {
                            "code": code
                        }
        if cells.errors:
            return
        if instance.pk is None:
            # As `instance.assessment = …` does, without its checks of every object, 150,000 times
            # over: both come from this import's own lookups.
            assessment = self.assessment_for(period, agency)
            # Stored as their descriptors store them on a new score, which caches no object yet.
            values = instance.__dict__
            values["assessment_id"], values["criterion_id"] = assessment.pk, criterion.id
            ASSESSMENT.set_cached_value(instance, assessment)
            CRITERION.set_cached_value(instance, criterion)
        final = reviewed
        if criterion.method == Method.SURVEY and final is None:
            # A survey result is the agency's score as measured: either column carries it.
            final = self_score
        if instance.decision and reviewed is not None and reviewed == instance.final_score:
            # The column carries the final score; where an explanation changed it, the
            # reviewed score before the explanation stays as it was.
            reviewed = instance.reviewed_score
        self.assign(
            instance,
            self_score=self_score,
            reviewed_score=reviewed,
            final_score=final,
            not_arising=not_arising,
            reviewer_not_arising=overruled,
            note=cells.text("Ghi chú"),
        )

    def init_instance(self, row=None):
        # Values given in field order skip Model()'s look-up of each field's default, once per
        # new row; Score's defaults are constants, read once.
        if not self.plain_new:
            return Score(*self.defaults)
        # As `Score(*defaults)` builds it, without its loop over the fields: nothing listens to
        # the construction, and every field's descriptor stores a new object's value as it is.
        score = Score.__new__(Score)
        score._state = ModelState()
        score.__dict__.update(self.default_values)
        return score

    def outdated_key(self, instance):
        return instance.assessment.period_id

    def import_row(self, row, instance_loader, **kwargs):
        """import-export's `import_row` without the steps this sheet does not use.

        A national year's scores sheet has hundreds of thousands of rows: this keeps what
        the rows need — find or create the score, read the cells (`import_instance`), skip
        unchanged rows, queue the rest for the bulk writes — and leaves out the per-row
        hooks, deletion, diffs and many-to-many fields, none of which this sheet has
        (`skip_diff`), and the instance's text unless the admin keeps it for its log.
        Results and counts are those of `import_row`.
        """
        row_result = self.get_row_result_class()()
        try:
            instance = self.get_instance(instance_loader, row)
            new = instance is None
            if new:
                instance = self.init_instance(row)
            row_result.import_type = RowResult.IMPORT_TYPE_NEW if new else RowResult.IMPORT_TYPE_UPDATE
            self.import_instance(instance, row, **kwargs)
            if self.skip_row(instance, None, row):
                row_result.import_type = RowResult.IMPORT_TYPE_SKIP
            else:
                self.save_instance(instance, new, row, **kwargs)
            if self._meta.store_instance or kwargs.get("retain_instance_in_row_result"):
                # The admin's confirmation logs every row with the instance and its text.
                row_result.add_instance_info(instance)
                row_result.instance = instance
            else:
                row_result.object_id = instance.pk
        except ValidationError as error:
            row_result.import_type = RowResult.IMPORT_TYPE_INVALID
            row_result.validation_error = error
        except Exception as error:  # as import_row: reported with its row, the import rolls back
            row_result.import_type = RowResult.IMPORT_TYPE_ERROR
            row_result.errors.append(
                self.get_error_result_class()(error, row=row, number=kwargs["row_number"])
            )
        return row_result

    def score_problem(self, criterion: Criterion, value: Decimal) -> str | None:
        """`score_problem`, once per leaf and value (a sheet repeats the same few values)."""
        key = (criterion.id, value)
        problems = self.problems
        if key in problems:
            return problems[key]
        problem = problems[key] = score_problem(criterion, value)
        return problem

    def group_of(self, period: Period, agency: Agency) -> int:
        """The group the agency is assessed in for the period (a new assessment: its usual one)."""
        assessment = self.assessments.get((period.id, agency.id))
        return assessment.group_id if assessment is not None else agency.group_id

    def assessment_for(self, period: Period, agency: Agency) -> Assessment:
        """An agency takes part in a period once it has an assessment: a score row creates it
        (with the scores, in one statement for all new assessments — see `bulk_create`)."""
        key = (period.id, agency.id)
        if key not in self.assessments:
            self.assessments[key] = Assessment(period=period, agency=agency, group_id=agency.group_id)
        return self.assessments[key]

    def bulk_create(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.create_instances:
            try:
                new = [a for a in {id(s.assessment): s.assessment for s in self.create_instances}.values()]
                new = [a for a in new if a.pk is None]
                if new:
                    bulk_create_with_history(new, Assessment)
                for score in self.create_instances:
                    score.assessment_id = score.assessment.pk
                bulk_insert_with_history(self.create_instances, Score)
            except Exception as error:  # reported per sheet; the whole import rolls back
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.create_instances.clear()

    def bulk_update(self, using_transactions, dry_run, raise_errors, batch_size=None, result=None):
        if self.update_instances:
            try:
                bulk_update_with_history(
                    self.update_instances, Score, list(self.UPDATED_FIELDS), batch_size=batch_size
                )
            except Exception as error:  # reported per sheet; the whole import rolls back
                self.handle_import_error(result, error, raise_errors)
            finally:
                self.update_instances.clear()
