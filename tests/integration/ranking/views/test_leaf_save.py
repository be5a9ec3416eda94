"""Every htmx leaf save is answered the same way: the agency's score, the agency's explanation
and the reviewer's score all go through `ranking.views.common.leaf_save`.

A refusal is the same 403 fragment (the permission's message, nothing of the page), a stale
version a 409 with the page's own fragment carrying the conflict, an invalid value a 422 with
the page's own fragment carrying the message. Without htmx a refusal is the 403 page and the
other outcomes go back to the leaf with a message.
"""

import datetime
from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.contrib.messages.storage.cookie import CookieStorage
from django.core.exceptions import PermissionDenied
from django.http import HttpResponse
from django.test import RequestFactory
from django.utils import timezone, translation
from django_htmx.middleware import HtmxDetails

from accounts.models import Role
from ranking.enums import AssessmentStatus, Phase
from ranking.errors import ScoreConflict, ServiceError
from ranking.models import Score
from ranking.views.common import leaf_save
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    AssessmentFactory,
    CriterionFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

HTMX = {"HTTP_HX_REQUEST": "true"}
CONFLICT = (
    "Someone else saved this score since you opened the page; your change was not saved. "
    "The newer value is shown: check it and save again."
)
NOT_A_NUMBER = "“abc” is not a number."
REFUSAL_PAGE_HEADING = "You may not do this"  # templates/403.html


def fragment(message: str) -> str:
    """The refusal fragment, exactly (templates/ranking/_errors.html with one message)."""
    return f'<div class="alert alert-danger mb-2" role="alert">\n  {message}\n</div>\n'


@pytest.fixture(autouse=True)
def _fast_passwords(settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Year:
    """One agency's assessment with one leaf; its officer, its reviewer and another reviewer."""

    def __init__(self, *, phase: str, status: str, year: int):
        today = timezone.localdate()
        self.period = PeriodFactory(
            year=year,
            phase=phase,
            self_assessment_deadline=today + datetime.timedelta(days=20),
            explanation_deadline=today + datetime.timedelta(days=20),
        )
        make_tiers(self.period)
        self.agency = AgencyFactory(
            code=f"SNV{year}", name=f"Sở Nội vụ {year}", group=AgencyGroupFactory(code=f"SBN{year}")
        )
        self.officer = UserFactory(username=f"canbo.{year}", role=Role.OFFICER, agency=self.agency)
        self.reviewer = UserFactory(username=f"thamdinh.{year}", role=Role.REVIEWER)
        self.other_reviewer = UserFactory(username=f"thamdinh.khac.{year}", role=Role.REVIEWER)
        field = CriterionFactory(period=self.period, code="1", title="Chỉ đạo, điều hành", max_points=None)
        self.leaf = CriterionFactory(
            period=self.period, parent=field, code="1.1", title="Kế hoạch CCHC", max_points=Decimal("10")
        )
        self.assessment = AssessmentFactory(
            period=self.period,
            agency=self.agency,
            reviewer=self.reviewer,
            status=status,
            submitted_at=None if status == AssessmentStatus.DRAFT else timezone.now(),
        )

    def url(self, kind: str) -> str:
        base = {
            "self": "danh-gia/{pk}/diem",
            "explanation": "danh-gia/{pk}/giai-trinh",
            "review": "tham-dinh/{pk}/diem",
        }
        return "/" + base[kind].format(pk=self.assessment.pk) + f"/{self.leaf.pk}/"

    def score(self) -> Score:
        return Score.objects.get(assessment=self.assessment, criterion=self.leaf)


def signed_in(client, user):
    client.force_login(user)
    client.cookies["django_language"] = "en"
    return client


@pytest.fixture
def self_assessment(db):
    return Year(phase=Phase.SELF_ASSESSMENT, status=AssessmentStatus.DRAFT, year=2026)


@pytest.fixture
def appraisal(db):
    year = Year(phase=Phase.APPRAISAL, status=AssessmentStatus.IN_REVIEW, year=2025)
    Score.objects.create(assessment=year.assessment, criterion=year.leaf, self_score=Decimal("6"))
    return year


@pytest.fixture
def explanation(db):
    year = Year(phase=Phase.EXPLANATION, status=AssessmentStatus.APPROVED, year=2024)
    Score.objects.create(
        assessment=year.assessment,
        criterion=year.leaf,
        self_score=Decimal("6"),
        reviewed_score=Decimal("4"),
        final_score=Decimal("4"),
        review_comment="Thiếu minh chứng",
    )
    return year


# --- 403: the same fragment from every save ------------------------------------------------


def test_a_refused_htmx_save_is_the_same_403_fragment_on_every_page(client, self_assessment, appraisal):
    year = self_assessment
    year.period.self_assessment_deadline = timezone.localdate() - datetime.timedelta(days=1)
    year.period.save()
    officer = signed_in(client, year.officer)
    refused_self = officer.post(year.url("self"), {"value": "1", "version": "1"}, **HTMX)
    refused_explanation = officer.post(year.url("explanation"), {"explanation": "x", "version": "1"}, **HTMX)
    other = signed_in(client.__class__(), appraisal.other_reviewer)
    refused_review = other.post(appraisal.url("review"), {"reviewed_score": "1", "version": "1"}, **HTMX)

    answers = [
        (r.status_code, r.content.decode()) for r in (refused_self, refused_explanation, refused_review)
    ]
    assert answers == [
        (
            403,
            fragment(
                "This assessment cannot be edited now: it has been submitted, or the self-assessment "
                "deadline has passed."
            ),
        ),
        (403, fragment("Explanations are not open for this assessment.")),
        (403, fragment("This assessment is not open for your appraisal.")),
    ]
    assert not Score.objects.filter(assessment=year.assessment).exists()
    assert appraisal.score().reviewed_score is None


def test_a_refused_save_without_htmx_is_the_403_page_on_every_page(client, self_assessment, appraisal):
    year = self_assessment
    year.period.self_assessment_deadline = timezone.localdate() - datetime.timedelta(days=1)
    year.period.save()
    officer = signed_in(client, year.officer)
    other = signed_in(client.__class__(), appraisal.other_reviewer)

    for response, message in (
        (
            officer.post(year.url("self"), {"value": "1", "version": "1"}),
            "This assessment cannot be edited now",
        ),
        (
            officer.post(year.url("explanation"), {"explanation": "x", "version": "1"}),
            "Explanations are not open for this assessment.",
        ),
        (
            other.post(appraisal.url("review"), {"reviewed_score": "1", "version": "1"}),
            "This assessment is not open for your appraisal.",
        ),
    ):
        html = response.content.decode()
        assert response.status_code == 403
        assert REFUSAL_PAGE_HEADING in html
        assert message in html


def test_an_invalid_value_is_refused_as_403_before_422_when_the_user_may_not_save(client, appraisal):
    """The permission is checked before the value: who may not save learns nothing more."""
    other = signed_in(client, appraisal.other_reviewer)

    response = other.post(appraisal.url("review"), {"reviewed_score": "abc", "version": "1"}, **HTMX)

    assert (response.status_code, response.content.decode()) == (
        403,
        fragment("This assessment is not open for your appraisal."),
    )


# --- 422: the page's fragment with the message ---------------------------------------------


def test_an_invalid_value_is_422_with_the_message_in_the_page_s_fragment(
    client, self_assessment, appraisal, explanation
):
    officer = signed_in(client, self_assessment.officer)
    invalid_self = officer.post(self_assessment.url("self"), {"value": "abc", "version": "1"}, **HTMX)
    explainer = signed_in(client.__class__(), explanation.officer)
    invalid_explanation = explainer.post(
        explanation.url("explanation"), {"explanation": "x", "proposed_score": "abc", "version": "1"}, **HTMX
    )
    reviewer = signed_in(client.__class__(), appraisal.reviewer)
    invalid_review = reviewer.post(appraisal.url("review"), {"reviewed_score": "abc", "version": "1"}, **HTMX)

    assert [r.status_code for r in (invalid_self, invalid_explanation, invalid_review)] == [422, 422, 422]
    for response, row_start in (
        (
            invalid_self,
            f'<div class="list-group-item leaf py-3" id="leaf-{self_assessment.leaf.pk}" data-leaf>',
        ),
        (
            invalid_explanation,
            f'<div class="list-group-item leaf py-3" id="leaf-{explanation.leaf.pk}" data-leaf>',
        ),
        (invalid_review, f'<div id="leaf-status-{appraisal.leaf.pk}" '),
    ):
        html = response.content.decode()
        assert html.lstrip().startswith(row_start)
        assert html.count(fragment(NOT_A_NUMBER).rstrip("\n")) == 1
        assert REFUSAL_PAGE_HEADING not in html
    # What was typed stays in the agency's field to be corrected.
    assert 'value="abc"' in invalid_self.content.decode()
    assert not Score.objects.filter(assessment=self_assessment.assessment).exists()
    assert explanation.score().explanation == ""
    assert appraisal.score().reviewed_score is None


# --- 409: the page's fragment with the conflict and the newer score ------------------------


def test_a_stale_version_is_409_with_the_conflict_in_the_page_s_fragment(
    client, self_assessment, appraisal, explanation
):
    Score.objects.create(
        assessment=self_assessment.assessment,
        criterion=self_assessment.leaf,
        self_score=Decimal("7"),
        version=2,
    )
    Score.objects.filter(assessment=appraisal.assessment).update(
        reviewed_score=Decimal("5"), review_comment="Đủ", version=2
    )
    Score.objects.filter(assessment=explanation.assessment).update(explanation="Đã bổ sung", version=2)

    officer = signed_in(client, self_assessment.officer)
    stale_self = officer.post(self_assessment.url("self"), {"value": "3", "version": "1"}, **HTMX)
    explainer = signed_in(client.__class__(), explanation.officer)
    stale_explanation = explainer.post(
        explanation.url("explanation"), {"explanation": "Khác", "version": "1"}, **HTMX
    )
    reviewer = signed_in(client.__class__(), appraisal.reviewer)
    stale_review = reviewer.post(appraisal.url("review"), {"reviewed_score": "2", "version": "1"}, **HTMX)

    assert [r.status_code for r in (stale_self, stale_explanation, stale_review)] == [409, 409, 409]
    self_html, explanation_html, review_html = (
        r.content.decode() for r in (stale_self, stale_explanation, stale_review)
    )
    # The agency's row is redrawn whole with the newer values, marked as a conflict.
    for html, year in ((self_html, self_assessment), (explanation_html, explanation)):
        marked = '<div class="list-group-item leaf py-3 border border-2 border-warning"'
        assert html.lstrip().startswith(f'{marked} id="leaf-{year.leaf.pk}" data-leaf>')
        assert html.count(fragment(CONFLICT).rstrip("\n")) == 1
    assert stale_self["HX-Retarget"] == f"#leaf-{self_assessment.leaf.pk}"
    assert stale_explanation["HX-Retarget"] == f"#leaf-{explanation.leaf.pk}"
    assert 'value="7"' in self_html and 'value="3"' not in self_html
    assert "Đã bổ sung" in explanation_html and "Khác" not in explanation_html
    # The reviewer's status area shows the newer value to take, beside the fields being typed in.
    assert review_html.lstrip().startswith(f'<div id="leaf-status-{appraisal.leaf.pk}" ')
    assert CONFLICT in review_html
    assert 'data-score="5" data-comment="Đủ"' in review_html
    assert "HX-Retarget" not in stale_review
    assert (self_assessment.score().self_score, self_assessment.score().version) == (Decimal("7"), 2)
    assert (explanation.score().explanation, explanation.score().version) == ("Đã bổ sung", 2)
    assert (appraisal.score().reviewed_score, appraisal.score().version) == (Decimal("5"), 2)


# --- the helper itself ---------------------------------------------------------------------


class Answers:
    """The page's fragment, recorded: which outcome the helper asked for, with what."""

    def __init__(self):
        self.calls: list[dict] = []

    def __call__(self, *, status, score, messages):
        self.calls.append({"status": status, "score": score, "messages": messages})
        return HttpResponse(f"fragment {status}", status=status)


def request_of(*, htmx: bool):
    request = RequestFactory().post("/x/", **(HTMX if htmx else {}))
    request.htmx = HtmxDetails(request)
    request._messages = CookieStorage(request)
    return request


def raising(error_class, *args):
    """A save that refuses; the error is made when it runs, in the language then active."""

    def save():
        raise error_class(*args)

    return save


@pytest.mark.parametrize(
    ("save", "status", "messages"),
    [
        (lambda: "the score", 200, []),
        (raising(ScoreConflict, "the newer score"), 409, [CONFLICT]),
        (raising(ServiceError, "Not a number.", "Too large."), 422, ["Not a number.", "Too large."]),
    ],
    ids=["saved", "conflict", "invalid"],
)
def test_the_helper_asks_the_page_for_its_fragment_with_the_status(save, status, messages):
    answer = Answers()

    with translation.override("en"):
        response = leaf_save(
            request_of(htmx=True), save, answer=answer, back="/back/", saved_message="Saved."
        )

    assert (response.status_code, response.content) == (status, f"fragment {status}".encode())
    score = {200: "the score", 409: "the newer score", 422: None}[status]
    assert answer.calls == [{"status": status, "score": score, "messages": messages}]


def test_the_helper_answers_a_refusal_itself(db):
    answer = Answers()

    response = leaf_save(
        request_of(htmx=True),
        raising(PermissionDenied, "Not yours."),
        answer=answer,
        back="/back/",
        saved_message="Saved.",
    )

    assert (response.status_code, response.content.decode()) == (403, fragment("Not yours."))
    assert answer.calls == []
    with pytest.raises(PermissionDenied, match="^Not yours.$"):
        leaf_save(
            request_of(htmx=False),
            raising(PermissionDenied, "Not yours."),
            answer=answer,
            back="/back/",
            saved_message="Saved.",
        )
    assert answer.calls == []


@pytest.mark.parametrize(
    ("save", "flashed"),
    [
        (lambda: "the score", [(25, "Saved.")]),
        (raising(ScoreConflict, "the newer score"), [(30, CONFLICT)]),
        (raising(ServiceError, "Not a number.", "Too large."), [(40, "Not a number."), (40, "Too large.")]),
    ],
    ids=["saved", "conflict", "invalid"],
)
def test_without_htmx_the_helper_goes_back_to_the_leaf_with_the_messages(save, flashed):
    answer = Answers()
    request = request_of(htmx=False)

    with translation.override("en"):
        response = leaf_save(request, save, answer=answer, back="/back/#leaf-7", saved_message="Saved.")

    assert (response.status_code, response["Location"]) == (302, "/back/#leaf-7")
    assert [(m.level, m.message) for m in get_messages(request)] == flashed
    assert answer.calls == []
