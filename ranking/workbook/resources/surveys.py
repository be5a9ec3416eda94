"""The sheet PhieuKhaoSat: the answers of the survey's paper forms, one row per answer.

A paper form is a response of one respondent group for one agency, numbered (`Số phiếu`) by
whoever collected it; the number is unique per agency and group within the period, so the
sheet imported again finds the same responses and adds nothing. Answers given on the web form
are not part of the sheet: they are anonymous and stay where they were given.
"""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _
from import_export import fields

from accounts.models import Agency
from ranking.enums import SurveySource
from ranking.models import Period, RespondentGroup, SurveyAnswer, SurveyQuestion, SurveyResponse
from ranking.workbook.resources.base import SheetResource, period_and_agency

GROUP_COLUMN = "Mã nhóm đối tượng"
NUMBER_COLUMN = "Số phiếu"
QUESTION_COLUMN = "Mã câu hỏi"
ANSWER_COLUMN = "Trả lời"


class PaperAnswerResource(SheetResource):
    sheet = "PhieuKhaoSat"
    key_columns = ("Mã kỳ", "Mã đơn vị", GROUP_COLUMN, NUMBER_COLUMN, QUESTION_COLUMN)
    required_columns = (*key_columns, ANSWER_COLUMN)

    period = fields.Field(attribute="response__period__code", column_name="Mã kỳ")
    agency = fields.Field(attribute="response__agency__code", column_name="Mã đơn vị")
    group = fields.Field(attribute="response__group__code", column_name=GROUP_COLUMN)
    reference = fields.Field(attribute="response__reference", column_name=NUMBER_COLUMN)
    question = fields.Field(attribute="question__code", column_name=QUESTION_COLUMN)
    option = fields.Field(attribute="option", column_name=ANSWER_COLUMN)

    class Meta(SheetResource.Meta):
        model = SurveyAnswer
        fields = ("period", "agency", "group", "reference", "question", "option")
        import_id_fields = ("period", "agency", "group", "reference", "question")

    def get_queryset(self):
        return (
            SurveyAnswer.objects.filter(response__source=SurveySource.PAPER)
            .select_related("response__period", "response__agency", "response__group", "question")
            .order_by(
                "response__period__code",
                "response__agency__code",
                "response__group__order",
                "response__group__code",
                "response__reference",
                "question__order",
                "question__code",
            )
        )

    def load_existing(self, rows):
        self.periods = {p.code: p for p in Period.objects.filter(code__in=self.column_values("Mã kỳ"))}
        self.agencies = {a.code: a for a in Agency.objects.filter(code__in=self.column_values("Mã đơn vị"))}
        periods = list(self.periods.values())
        self.groups = {(g.period_id, g.code): g for g in RespondentGroup.objects.filter(period__in=periods)}
        questions = SurveyQuestion.objects.filter(period__in=periods).select_related("scale")
        self.questions = {(q.period_id, q.code): q for q in questions.prefetch_related("groups")}
        self.asked = {q.id: {g.id for g in q.groups.all()} for q in self.questions.values()}
        responses = SurveyResponse.objects.filter(period__in=periods)
        # Responses of every source count against the quota; the paper ones are found by number.
        self.counts: dict[tuple[int, int, int], int] = {}
        self.responses: dict[tuple[int, int, int, str], SurveyResponse] = {}
        for response in responses:
            key = (response.period_id, response.agency_id, response.group_id)
            self.counts[key] = self.counts.get(key, 0) + 1
            if response.reference:
                self.responses[(*key, response.reference)] = response
        # The forms this import adds, by agency and group: the quota's count goes up once each.
        self.new_forms: dict[tuple[int, int, int], set[str]] = {}
        existing = {}
        answers = SurveyAnswer.objects.filter(
            response__in=[r for r in self.responses.values() if r.source == SurveySource.PAPER]
        ).select_related("response__period", "response__agency", "response__group", "question")
        for answer in answers:
            response = answer.response
            key = (response.period.code, response.agency.code, response.group.code, response.reference)
            existing[(*key, answer.question.code)] = answer
        return existing

    def fill(self, instance, cells, *, row_number):
        period, agency = period_and_agency(self, cells)
        self.refuse_if_published(period, cells)
        group_code = cells.text(GROUP_COLUMN, required=True)
        group = self.groups.get((period.id, group_code)) if period else None
        if period and group_code and group is None:
            cells.errors[GROUP_COLUMN] = _("Period %(period)s has no respondent group “%(code)s”.") % {
                "period": period.code,
                "code": group_code,
            }
        number = cells.text(NUMBER_COLUMN, required=True)
        if len(number) > SurveyResponse._meta.get_field("reference").max_length:
            cells.errors[NUMBER_COLUMN] = _("Write at most %(max)d characters.") % {
                "max": SurveyResponse._meta.get_field("reference").max_length
            }
        code = cells.text(QUESTION_COLUMN, required=True)
        question = self.questions.get((period.id, code)) if period else None
        if period and code and question is None:
            cells.errors[QUESTION_COLUMN] = _("Period %(period)s has no survey question “%(code)s”.") % {
                "period": period.code,
                "code": code,
            }
        elif question is not None and group is not None and group.id not in self.asked[question.id]:
            cells.errors[QUESTION_COLUMN] = _("Question %(code)s is not asked of the group %(group)s.") % {
                "code": code,
                "group": group.name,
            }
        written = cells.text(ANSWER_COLUMN, required=True)
        option = None
        if question is not None and written:
            options = {choice.casefold(): choice for choice in question.scale.conversion}
            option = options.get(written.casefold())
            if option is None:
                cells.errors[ANSWER_COLUMN] = _(
                    "“%(value)s” is not an option of question %(code)s: write one of %(options)s."
                ) % {"value": written, "code": code, "options": ", ".join(question.scale.conversion)}
        if cells.errors or None in (period, agency, group, question, option):
            return
        form_key = (period.id, agency.id, group.id)
        if (*form_key, number) not in self.responses:
            new_forms = self.new_forms.setdefault(form_key, set())
            if number not in new_forms:
                count = self.counts.get(form_key, 0) + len(new_forms)
                if count >= group.quota:
                    cells.errors[NUMBER_COLUMN] = _(
                        "The group %(group)s of %(agency)s already has %(count)d responses, its quota: "
                        "paper form %(number)s is one too many."
                    ) % {"group": group.name, "agency": agency.name, "count": count, "number": number}
                    return
                new_forms.add(number)
        instance._paper_form = (period, agency, group, number)
        if instance.pk is None:
            instance.question = question
        self.assign(instance, option=option)

    def before_save_instance(self, instance, row, **kwargs):
        """A new paper form's response is created with its first answer."""
        if instance.response_id is not None:
            return
        period, agency, group, number = instance._paper_form
        key = (period.id, agency.id, group.id, number)
        response = self.responses.get(key)
        if response is None:
            response = SurveyResponse.objects.create(
                period=period,
                agency=agency,
                group=group,
                source=SurveySource.PAPER,
                reference=number,
                submitted_on=timezone.localdate(),
            )
            self.responses[key] = response
        instance.response = response
