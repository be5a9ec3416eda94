"""The sheet KyDanhGia: the evaluation periods."""

from __future__ import annotations

from django.utils.translation import gettext as _
from import_export import fields, widgets

from ranking.enums import LateRule, Subject
from ranking.models import Period
from ranking.numbers import parse_decimal
from ranking.workbook.resources.base import Cells, NumberWidget, SheetResource

# The words of the column `Quy tắc nộp muộn`, as the users write them (any case); blank: nothing.
LATE_RULE_WORDS = {
    "": LateRule.NONE,
    "trừ điểm": LateRule.DEDUCT,
    "hạ một bậc": LateRule.DEMOTE,
    "không xếp hạng": LateRule.NOT_RANKED,
}
LATE_RULE_COLUMN = "Quy tắc nộp muộn"
LATE_POINTS_COLUMN = "Điểm trừ nộp muộn"


class LateRuleWidget(widgets.Widget):
    def render(self, value, obj=None, **kwargs):
        return next((word for word, rule in LATE_RULE_WORDS.items() if rule == value), "")


class PeriodResource(SheetResource):
    sheet = "KyDanhGia"
    key_columns = ("Mã kỳ",)
    required_columns = ("Mã kỳ", "Năm", "Lĩnh vực")

    code = fields.Field(attribute="code", column_name="Mã kỳ")
    year = fields.Field(
        attribute="year", column_name="Năm", widget=widgets.IntegerWidget(coerce_to_string=False)
    )
    subject = fields.Field(attribute="subject", column_name="Lĩnh vực")
    name = fields.Field(attribute="name", column_name="Tên kỳ")
    previous = fields.Field(attribute="previous__code", column_name="Kỳ trước")
    award_from_tier = fields.Field(attribute="award_from_tier", column_name="Khen thưởng từ xếp loại")
    award_max_per_group = fields.Field(
        attribute="award_max_per_group",
        column_name="Khen thưởng tối đa mỗi khối",
        widget=widgets.IntegerWidget(coerce_to_string=False),
    )
    late_rule = fields.Field(attribute="late_rule", column_name=LATE_RULE_COLUMN, widget=LateRuleWidget())
    late_deduction = fields.Field(
        attribute="late_deduction", column_name=LATE_POINTS_COLUMN, widget=NumberWidget()
    )

    class Meta(SheetResource.Meta):
        model = Period
        fields = (
            "code",
            "year",
            "subject",
            "name",
            "previous",
            "award_from_tier",
            "award_max_per_group",
            "late_rule",
            "late_deduction",
        )
        import_id_fields = ("code",)

    def get_queryset(self):
        return Period.objects.select_related("previous")

    def load_existing(self, rows):
        periods = {p.code: p for p in Period.objects.select_related("previous")}
        self.known = {code: (p.year, p.subject) for code, p in periods.items()}
        for row in rows:
            cells = Cells(row, {})
            year = parse_decimal(row.get("Năm")) if row.get("Năm") is not None else None
            self.known[cells.text("Mã kỳ")] = (year, cells.text("Lĩnh vực").upper())
        self.known_codes = set(self.known) - {""}
        self.year_subject = {(p.year, p.subject): p.code for p in periods.values()}
        self.pending_previous: list[tuple[Period, str]] = []
        return {(code,): p for code, p in periods.items()}

    def fill(self, instance, cells, *, row_number):
        self.refuse_if_published(instance if instance.pk else None, cells)
        code = cells.text("Mã kỳ", required=True)
        year = cells.integer("Năm", required=True, minimum=1990)
        subject = cells.text("Lĩnh vực", required=True).upper()
        if subject and subject not in Subject.values:
            cells.errors["Lĩnh vực"] = _("Write CCHC or VTLT, not “%(value)s”.") % {"value": subject}
        if year is not None and subject in Subject.values:
            other = self.year_subject.get((year, subject))
            if other not in (None, code):
                cells.errors["Năm"] = _("Period %(other)s already covers %(subject)s %(year)s.") % {
                    "other": other,
                    "subject": subject,
                    "year": year,
                }
            self.year_subject[(year, subject)] = code
        previous = cells.text("Kỳ trước")
        if previous and previous not in self.known_codes:
            cells.errors["Kỳ trước"] = _("Unknown period code “%(code)s”.") % {"code": previous}
        elif previous == code:
            cells.errors["Kỳ trước"] = _("A period cannot follow itself.")
        elif previous:
            before_year, before_subject = self.known[previous]
            if before_subject != subject:
                cells.errors["Kỳ trước"] = _("%(code)s is a period of another subject.") % {"code": previous}
            elif year is not None and before_year is not None and before_year >= year:
                cells.errors["Kỳ trước"] = _("The previous period must be of an earlier year.")
        award_max = cells.integer("Khen thưởng tối đa mỗi khối", minimum=0)
        # A workbook made before these columns existed leaves the period's late rule as it is.
        if LATE_RULE_COLUMN in cells.row:
            self.fill_late_rule(instance, cells)
        self.assign(
            instance,
            code=code,
            year=year,
            subject=subject,
            name=cells.text("Tên kỳ") or instance.name or code,
            award_from_tier=cells.text("Khen thưởng từ xếp loại"),
            award_max_per_group=award_max,
        )
        current = instance.previous.code if instance.previous_id else ""
        if previous != current:
            self.changed(instance, "previous")
            self.pending_previous.append((instance, previous))

    def fill_late_rule(self, instance, cells) -> None:
        rule = LATE_RULE_WORDS.get(cells.text(LATE_RULE_COLUMN).lower())
        if rule is None:
            cells.errors[LATE_RULE_COLUMN] = _(
                "“%(value)s”: write trừ điểm, hạ một bậc or không xếp hạng, or leave it blank."
            ) % {"value": cells.raw(LATE_RULE_COLUMN)}
            return
        points = cells.decimal(LATE_POINTS_COLUMN) if LATE_POINTS_COLUMN in cells.row else None
        if points is not None and points <= 0:
            cells.errors[LATE_POINTS_COLUMN] = _("Write a number of points above 0.")
            return
        if rule == LateRule.DEDUCT and points is None and LATE_POINTS_COLUMN not in cells.errors:
            cells.errors[LATE_POINTS_COLUMN] = _("Write the points a late agency loses.")
            return
        self.assign(instance, late_rule=rule, late_deduction=points)

    def outdated_key(self, instance):
        return instance.pk

    def after_import(self, dataset, result, **kwargs):
        # Periods may name a previous period listed further down the sheet: link them last.
        if result.has_validation_errors() or result.has_errors():
            return
        codes = {p.code: p.id for p in Period.objects.all()}
        for period, previous in self.pending_previous:
            Period.objects.filter(pk=period.pk).update(previous_id=codes.get(previous))
        super().after_import(dataset, result, **kwargs)
