"""The admin site cannot bypass the workflow (issue 9, item 4).

CCHC-2024 is published: everything under it is read-only here (change, delete, revert, and
new rows pointing to it). CCHC-2025 is in finalization with its results computed and approved
through the services; every admin write that changes one of its inputs withdraws them, with
who and why. A period's phase and an assessment's status are never edited here, and the
admin's actions ask the workflow's permissions, as the council's pages do.

The administrator is a superuser with the role "admin"; the council member a superuser too.
"""

import io
from decimal import Decimal

import pytest
from django.conf import settings
from django.contrib import admin
from django.contrib.admin.helpers import ACTION_CHECKBOX_NAME
from django.forms import MultiWidget
from django.urls import reverse
from django.utils.translation import gettext, override
from openpyxl import Workbook

from accounts.models import Agency, AgencyGroup, Role
from ranking.enums import AssessmentStatus, Phase
from ranking.models import (
    Assessment,
    AwardEntry,
    Criterion,
    Demotion,
    Evidence,
    HistoricalResult,
    Period,
    Result,
    Score,
    Tier,
)
from ranking.results.compute import period_inputs, results_compute
from ranking.results.finalization import period_publish, results_approve
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    DemotionFactory,
    PeriodFactory,
    ScoreFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

D = Decimal
LAST, THIS = "CCHC-2024", "CCHC-2025"


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def url(model, view: str, *args) -> str:
    return reverse(f"admin:{model._meta.app_label}_{model._meta.model_name}_{view}", args=args)


def recorded(msgid: str, **params) -> str:
    with override(settings.LANGUAGE_CODE):
        text = gettext(msgid)
        return text % params if params else text


def a_period(code: str, year: int, group, agencies, *, previous=None) -> Period:
    """A period of two leaves (1.1 of 60, 1.2 of 40) with every agency scored 50 and 35."""
    period = PeriodFactory(
        code=code, year=year, phase=Phase.FINALIZATION, previous=previous, award_from_tier="Tốt"
    )
    make_tiers(period)
    field = CriterionFactory(period=period, code="1", max_points=D("100"))
    first = CriterionFactory(period=period, code="1.1", parent=field, max_points=D("60"))
    second = CriterionFactory(period=period, code="1.2", parent=field, max_points=D("40"))
    for agency in agencies:
        assessment = AssessmentFactory(period=period, agency=agency, status=AssessmentStatus.FINALIZED)
        ScoreFactory(assessment=assessment, criterion=first, self_score=D("50"), final_score=D("50"))
        ScoreFactory(assessment=assessment, criterion=second, self_score=D("35"), final_score=D("35"))
    return period


@pytest.fixture
def years():
    sbn = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành", order=1)
    AgencyGroupFactory(code="QH", name="Khối quận, huyện", order=2)
    agencies = [AgencyFactory(code="SNV", name="Sở Nội vụ", group=sbn), AgencyFactory(code="STC", group=sbn)]
    council = UserFactory(username="hoidong", role=Role.COUNCIL, is_staff=True, is_superuser=True)
    last = a_period(LAST, 2024, sbn, agencies)
    this = a_period(THIS, 2025, sbn, agencies, previous=last)
    for period in (last, this):
        results_compute(period=period)
        results_approve(user=council, period=Period.objects.get(pk=period.pk))
    period_publish(user=council, period=Period.objects.get(pk=last.pk))
    for period in (last, this):
        score = Score.objects.filter(assessment__period=period).first()
        Evidence.objects.create(
            score=score,
            file="evidence/1/a.pdf",
            original_name="a.pdf",
            content_type="application/pdf",
            size=9,
        )
        DemotionFactory(period=period, agency=agencies[1], steps=1)
    # The demotions came after the computation: compute this year's again, with them.
    results_compute(period=Period.objects.get(code=THIS))
    results_approve(user=council, period=Period.objects.get(code=THIS))
    return council


@pytest.fixture
def administrator(client):
    user = UserFactory(username="quantri", role=Role.ADMIN, is_staff=True, is_superuser=True)
    client.force_login(user)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return user


def current(code: str = THIS) -> Period:
    return Period.objects.get(code=code)


def assert_outdated(reason: str, *, by) -> None:
    period = current()
    assert (period.results_computed_at, period.awards_approved_at) == (None, None)
    assert period.results_fingerprint == ""
    assert period.results_outdated_reason == reason
    entry = period.history.first()
    assert (entry.history_user, entry.history_change_reason) == (
        by,
        recorded("Results to compute again: %(reason)s", reason=reason),
    )


def assert_current() -> None:
    period = current()
    assert period.results_computed_at is not None and period.awards_approved_at is not None
    assert period.results_fingerprint == period_inputs(period=period).fingerprint


def changed_on_admin(obj) -> str:
    return recorded("%(object)s, changed on the admin site", object=str(obj))


def form_data(response) -> dict:
    """What the change (or add) page would post back unchanged: its form and inline forms."""
    data: dict = {"_save": "Save"}

    def put(key, value):
        if isinstance(value, bool):
            if value:
                data[key] = "on"
        elif isinstance(value, list | tuple):
            data[key] = [str(v) for v in value]
        else:
            data[key] = "" if value is None else str(value)

    form = response.context["adminform"].form
    for name in form.fields:
        widget = form.fields[name].widget
        if isinstance(widget, MultiWidget):
            values = widget.decompress(form[name].value())
            for suffix, value in zip(widget.widgets_names, values, strict=True):
                put(form.add_prefix(name) + suffix, value)
        else:
            put(form.add_prefix(name), form[name].value())
    # The history page of a version has no inlines.
    inlines = response.context.get("inline_admin_formsets", [])
    for inline in inlines:
        formset = inline.formset
        management = formset.management_form
        for name in management.fields:
            put(management.add_prefix(name), management[name].value())
        for inline_form in formset.forms:
            for name in inline_form.fields:
                put(inline_form.add_prefix(name), inline_form[name].value())
    return data


def change(client, obj, **fields):
    """Post the change page of `obj` with `fields` changed."""
    page = client.get(url(type(obj), "change", obj.pk))
    assert page.status_code == 200
    return client.post(url(type(obj), "change", obj.pk), {**form_data(page), **fields})


# --- published periods are read-only ------------------------------------------------------------------


def under(model, code: str):
    path = {
        Period: "code",
        Tier: "period__code",
        Criterion: "period__code",
        Assessment: "period__code",
        Score: "assessment__period__code",
        Evidence: "score__assessment__period__code",
        Demotion: "period__code",
        AwardEntry: "period__code",
        Result: "period__code",
    }[model]
    return model.objects.filter(**{path: code}).order_by("pk").first()


FROZEN = [Period, Tier, Criterion, Assessment, Score, Evidence, Demotion, AwardEntry]


@pytest.mark.parametrize("model", FROZEN, ids=lambda m: m.__name__)
def test_rows_of_a_published_period_cannot_be_changed(client, years, administrator, model):
    obj = under(model, LAST)
    page = client.get(url(model, "change", obj.pk))
    assert page.status_code == 200
    assert page.context["has_change_permission"] is False
    before = model.objects.filter(pk=obj.pk).values().get()

    response = client.post(url(model, "change", obj.pk), {"_save": "Save"})

    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).values().get() == before


@pytest.mark.parametrize("model", FROZEN, ids=lambda m: m.__name__)
def test_rows_of_a_published_period_cannot_be_deleted(client, years, administrator, model):
    obj = under(model, LAST)

    response = client.post(url(model, "delete", obj.pk), {"post": "yes"})
    selected = client.post(
        url(model, "changelist"), {"action": "delete_selected", ACTION_CHECKBOX_NAME: [obj.pk], "post": "yes"}
    )

    assert response.status_code == 403
    # Refused (403), or stopped at the confirmation by rows that protect it (200).
    assert selected.status_code in (200, 403)
    assert model.objects.filter(pk=obj.pk).exists()


@pytest.mark.parametrize("model", [Period, Criterion, Score, Demotion], ids=lambda m: m.__name__)
def test_rows_of_a_published_period_cannot_be_reverted(client, years, administrator, model):
    obj = under(model, LAST)
    version = obj.history.order_by("history_id").first()
    page = client.get(url(model, "history", obj.pk) + f"{version.history_id}/")
    before = model.objects.filter(pk=obj.pk).values().get()

    response = client.post(url(model, "history", obj.pk) + f"{version.history_id}/", form_data(page))

    assert response.status_code == 403
    assert model.objects.filter(pk=obj.pk).values().get() == before


@pytest.mark.parametrize(
    ("model", "fields"),
    [
        (Tier, lambda last: {"period": last.pk, "order": 9, "label": "Kém", "min_index": "0"}),
        (
            Demotion,
            lambda last: {
                "period": last.pk,
                "agency": Agency.objects.get(code="SNV").pk,
                "steps": 1,
                "reason": "Kỷ luật",
            },
        ),
        (
            Score,
            lambda last: {
                "assessment": under(Assessment, LAST).pk,
                "criterion": Criterion.objects.get(period=last, code="1.1").pk,
                "final_score": "1",
            },
        ),
    ],
    ids=["tier", "demotion", "score"],
)
def test_nothing_is_added_to_a_published_period(client, years, administrator, model, fields):
    count = model.objects.count()
    page = client.get(url(model, "add"))

    response = client.post(url(model, "add"), {**form_data(page), **fields(current(LAST))})

    assert response.status_code == 200
    assert (
        "Select a valid choice. That choice is not one of the available choices." in response.content.decode()
    )
    assert model.objects.count() == count


def test_results_are_neither_changed_nor_deleted(client, years, administrator):
    result = under(Result, THIS)

    assert client.post(url(Result, "change", result.pk), {"_save": "Save"}).status_code == 403
    assert client.post(url(Result, "delete", result.pk), {"post": "yes"}).status_code == 403
    assert Result.objects.filter(pk=result.pk).exists()


# --- the phase and the status are the workflow's ------------------------------------------------------


def test_the_phase_is_not_a_field_of_the_admin(client, years, administrator):
    period = current()

    response = change(client, period, phase=Phase.PUBLISHED)

    assert response.status_code == 302
    assert current().phase == Phase.FINALIZATION
    assert not current().publications.exists()


def test_a_new_period_starts_in_set_up_whatever_is_posted(client, years, administrator):
    page = client.get(url(Period, "add"))
    data = {
        **form_data(page),
        "code": "VTLT-2025",
        "name": "VTLT 2025",
        "year": "2025",
        "subject": "VTLT",
        "tie_breakers_0": "total_without_survey",
        "tie_breakers_1": "fields",
        "phase": Phase.PUBLISHED,
    }

    response = client.post(url(Period, "add"), data)

    assert response.status_code == 302
    assert current("VTLT-2025").phase == Phase.SETUP


def test_reverting_a_period_keeps_its_phase_and_its_results(client, years, administrator):
    """An older version of CCHC-2025 was in finalization before its results were computed;
    reverting to it brings back its rules, never its phase or the state of its results."""
    period = current()
    oldest = period.history.order_by("history_id").first()
    Period.objects.filter(pk=period.pk).update(phase=Phase.EXPLANATION)
    state = (
        Period.objects.filter(pk=period.pk)
        .values("phase", "results_computed_at", "results_fingerprint", "awards_approved_at", "version")
        .get()
    )
    page = client.get(url(Period, "history", period.pk) + f"{oldest.history_id}/")

    response = client.post(url(Period, "history", period.pk) + f"{oldest.history_id}/", form_data(page))

    assert response.status_code == 302
    assert Period.objects.filter(pk=period.pk).values(*state).get() == state


def test_the_status_of_an_assessment_is_not_a_field_of_the_admin(client, years, administrator):
    assessment = under(Assessment, THIS)

    response = change(client, assessment, status=AssessmentStatus.DRAFT, reopened="on")

    assert response.status_code == 302
    assert Assessment.objects.filter(pk=assessment.pk).values_list("status", "reopened").get() == (
        AssessmentStatus.FINALIZED,
        False,
    )


# --- writes of an unpublished period withdraw its results ---------------------------------------------


def test_the_award_rule_changed_on_the_admin_site(client, years, administrator):
    response = change(client, current(), award_from_tier="Khá")

    assert response.status_code == 302
    assert_outdated(changed_on_admin(current()), by=administrator)


def test_a_period_s_name_is_no_input(client, years, administrator):
    assert change(client, current(), name="Kỳ CCHC năm 2025").status_code == 302

    assert_current()


def test_a_tier_of_the_scheme_changed_in_the_period_s_page(client, years, administrator):
    period = current()
    page = client.get(url(Period, "change", period.pk))
    data = form_data(page)
    bound = next(key for key, value in data.items() if key.endswith("-min_index") and value == "80.0000")

    response = client.post(url(Period, "change", period.pk), {**data, bound: "85"})

    assert response.status_code == 302
    assert Tier.objects.get(period=period, label="Tốt").min_index == D("85")
    assert_outdated(changed_on_admin(period), by=administrator)


def test_a_tier_changed_on_its_own_page(client, years, administrator):
    tier = Tier.objects.get(period__code=THIS, label="Khá")

    assert change(client, tier, min_index="72").status_code == 302

    assert_outdated(changed_on_admin(tier), by=administrator)
    assert tier.history.first().history_change_reason == recorded("Changed on the admin site")


def test_a_leaf_s_maximum(client, years, administrator):
    leaf = Criterion.objects.get(period__code=THIS, code="1.2")

    assert change(client, leaf, max_points="45").status_code == 302

    assert_outdated(changed_on_admin(Criterion.objects.get(pk=leaf.pk)), by=administrator)


def test_the_groups_a_leaf_applies_to(client, years, administrator):
    leaf = Criterion.objects.get(period__code=THIS, code="1.2")
    districts = AgencyGroup.objects.get(code="QH")

    assert change(client, leaf, groups=[str(districts.pk)]).status_code == 302

    assert list(leaf.groups.values_list("code", flat=True)) == ["QH"]
    assert_outdated(changed_on_admin(leaf), by=administrator)


def test_a_criterion_s_guidance_is_no_input(client, years, administrator):
    leaf = Criterion.objects.get(period__code=THIS, code="1.2")

    assert change(client, leaf, guidance="Đếm văn bản ban hành đúng hạn").status_code == 302

    assert_current()


def test_a_final_score(client, years, administrator):
    score = under(Score, THIS)

    assert change(client, score, final_score="40").status_code == 302

    score = Score.objects.get(pk=score.pk)
    assert (score.final_score, score.version) == (D("40"), 2)
    entry = score.history.first()
    assert (entry.history_user, entry.history_change_reason) == (
        administrator,
        recorded("Changed on the admin site"),
    )
    assert_outdated(changed_on_admin(score), by=administrator)


def test_a_score_in_the_assessment_s_page(client, years, administrator):
    assessment = under(Assessment, THIS)
    page = client.get(url(Assessment, "change", assessment.pk))
    data = form_data(page)
    final = next(key for key, value in data.items() if key.endswith("-final_score") and value == "35.0000")

    response = client.post(url(Assessment, "change", assessment.pk), {**data, final: "30"})

    assert response.status_code == 302
    score = Score.objects.get(assessment=assessment, criterion__code="1.2")
    assert (score.final_score, score.version) == (D("30"), 2)
    assert_outdated(changed_on_admin(assessment), by=administrator)


def test_a_comment_is_no_input(client, years, administrator):
    score = under(Score, THIS)

    assert change(client, score, review_comment="Đã kiểm tra").status_code == 302

    assert_current()


def test_an_agency_added_to_the_period(client, years, administrator):
    agency = AgencyFactory(code="SXD", name="Sở Xây dựng", group=Agency.objects.get(code="SNV").group)
    page = client.get(url(Assessment, "add"))

    response = client.post(
        url(Assessment, "add"), {**form_data(page), "period": current().pk, "agency": agency.pk}
    )

    assert response.status_code == 302
    assessment = Assessment.objects.get(period__code=THIS, agency=agency)
    assert assessment.status == AssessmentStatus.DRAFT
    assert_outdated(changed_on_admin(assessment), by=administrator)


def test_a_demotion_added_and_deleted(client, years, administrator):
    page = client.get(url(Demotion, "add"))
    snv = Agency.objects.get(code="SNV")

    response = client.post(
        url(Demotion, "add"),
        {**form_data(page), "period": current().pk, "agency": snv.pk, "steps": "1", "reason": "Kỷ luật"},
    )

    assert response.status_code == 302
    demotion = Demotion.objects.get(period__code=THIS, agency=snv)
    assert_outdated(changed_on_admin(demotion), by=administrator)

    results_compute(period=current())
    assert client.post(url(Demotion, "delete", demotion.pk), {"post": "yes"}).status_code == 302
    assert not Demotion.objects.filter(pk=demotion.pk).exists()
    assert current().results_computed_at is None
    assert current().results_outdated_reason == changed_on_admin(demotion)


def test_scores_deleted_from_the_list(client, years, administrator):
    scores = Score.objects.filter(assessment__period__code=THIS, criterion__code="1.2")

    response = client.post(
        url(Score, "changelist"),
        {"action": "delete_selected", ACTION_CHECKBOX_NAME: [s.pk for s in scores], "post": "yes"},
    )

    assert response.status_code == 302
    assert not Score.objects.filter(assessment__period__code=THIS, criterion__code="1.2").exists()
    assert_outdated(changed_on_admin(Score._meta.verbose_name_plural), by=administrator)


def test_an_agency_moved_to_another_group(client, years, administrator):
    agency = Agency.objects.get(code="SNV")
    districts = AgencyGroup.objects.get(code="QH")

    assert change(client, agency, group=districts.pk).status_code == 302

    assert_outdated(changed_on_admin(Agency.objects.get(pk=agency.pk)), by=administrator)
    # Last year's published results stay as they are.
    assert current(LAST).results_computed_at is not None


def test_last_year_s_imported_rank(client, years, administrator):
    past = HistoricalResult.objects.create(
        period=current(LAST), agency=Agency.objects.get(code="SNV"), rank=1
    )
    results_compute(period=current())
    results_approve(user=years, period=current())

    response = change(client, past, rank="2")
    assert response.status_code == 302, response.context["adminform"].form.errors

    assert_outdated(changed_on_admin(HistoricalResult.objects.get(pk=past.pk)), by=administrator)


def test_an_evidence_file_is_no_input(client, years, administrator):
    evidence = under(Evidence, THIS)

    assert change(client, evidence, purpose=Evidence.Purpose.EXPLANATION).status_code == 302

    assert_current()


def test_scores_imported_through_the_admin(client, years, administrator):
    rows = [
        [
            "Mã kỳ",
            "Mã đơn vị",
            "Mã tiêu chí",
            "Điểm tự đánh giá",
            "Điểm thẩm định",
            "Không phát sinh",
            "Ghi chú",
        ],
        [THIS, "SNV", "1.1", 50, 55, None, None],
    ]
    book = Workbook()
    book.remove(book.active)
    sheet = book.create_sheet("Diem")
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    buffer.name = "diem.xlsx"
    formats = admin.site._registry[Score].get_import_formats()
    xlsx = str(next(i for i, f in enumerate(formats) if f().get_title() == "xlsx"))

    preview = client.post(url(Score, "import"), {"resource": "0", "import_file": buffer, "format": xlsx})
    assert_current()  # the preview writes nothing
    form = preview.context["confirm_form"]
    done = client.post(
        url(Score, "process_import"),
        {
            name: form.initial[name]
            for name in ("import_file_name", "original_file_name", "format", "resource")
        },
    )

    assert done.status_code == 302
    assert_outdated(recorded("year workbook import, sheet %(sheet)s", sheet="Diem"), by=administrator)


# --- the admin's actions ask the workflow's permissions -----------------------------------------------


def test_the_compute_action_is_the_council_s(client, years, administrator):
    Score.objects.filter(assessment__period__code=THIS, criterion__code="1.1").update(final_score=D("60"))
    computed_at = current().results_computed_at

    response = client.post(
        url(Period, "changelist"), {"action": "compute", ACTION_CHECKBOX_NAME: [current().pk]}, follow=True
    )

    assert [(m.level_tag, str(m)) for m in response.context["messages"]] == [
        ("error", f"{THIS}: Only the appraisal council may do this, during finalization.")
    ]
    assert current().results_computed_at == computed_at
    assert set(Result.objects.filter(period__code=THIS).values_list("total", flat=True)) == {D("85")}


def award_form(client, entry, **fields):
    page = client.get(url(AwardEntry, "change", entry.pk))
    return client.post(url(AwardEntry, "change", entry.pk), {**form_data(page), **fields})


def test_the_award_list_changes_as_on_the_results_page(client, years):
    client.force_login(years)
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    entry = AwardEntry.objects.get(period__code=THIS, agency__code="SNV")

    missing = award_form(client, entry, included="", reason="  ")
    assert missing.status_code == 200
    assert "Write the reason for changing the list." in missing.content.decode()
    assert AwardEntry.objects.get(pk=entry.pk).included is True

    response = award_form(client, entry, included="", reason="Chưa hoàn thành khắc phục")

    assert response.status_code == 302
    entry = AwardEntry.objects.get(pk=entry.pk)
    assert (entry.included, entry.reason, entry.changed_by) == (False, "Chưa hoàn thành khắc phục", years)
    period = current()
    assert period.awards_approved_at is None and period.results_computed_at is not None
    assert period.history.first().history_change_reason == recorded("Award list changed")


def test_the_award_list_is_not_the_administrator_s(client, years, administrator):
    entry = AwardEntry.objects.get(period__code=THIS, agency__code="SNV")

    response = award_form(client, entry, included="", reason="Loại khỏi danh sách")

    assert response.status_code == 200
    assert "Only the appraisal council may do this, during finalization." in response.content.decode()
    assert AwardEntry.objects.get(pk=entry.pk).included is True
    assert current().awards_approved_at is not None
    assert client.post(url(AwardEntry, "delete", entry.pk), {"post": "yes"}).status_code == 403


def test_an_award_entry_added_by_the_council(client, years):
    client.force_login(years)
    stc = Agency.objects.get(code="STC")
    AwardEntry.objects.filter(period__code=THIS, agency=stc).delete()
    page = client.get(url(AwardEntry, "add"))

    response = client.post(
        url(AwardEntry, "add"),
        {
            **form_data(page),
            "period": current().pk,
            "agency": stc.pk,
            "included": "on",
            "reason": "Đề xuất thêm",
        },
    )

    assert response.status_code == 302
    entry = AwardEntry.objects.get(period__code=THIS, agency=stc)
    assert (entry.proposed, entry.included, entry.changed_by) == (False, True, years)
    assert current().awards_approved_at is None
