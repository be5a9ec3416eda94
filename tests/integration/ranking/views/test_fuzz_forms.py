"""Bad input everywhere, the forms (issue 4, reliability 4).

Hypothesis posts random values to every form that takes user input: the self-assessment and
review saves, explanations and their decisions, the survey grid, demotions, the award list,
phase changes, the reasons of return/reopen/submit, and evidence uploads (random bytes under
random names: .html, .svg, a PDF holding HTML, path traversal, very long and Vietnamese names).
Mostly as the person the form is meant for, sometimes as anyone else; with htmx and without.

The properties, for every request:
- never a 500: the status is one a user can be shown (an exception raised by a view fails);
- a refusal (4xx, or a page showing an error) carries its message;
- a refusal leaves every row of every model as it was, the history tables included, and
  leaves no file behind;
- a score form that answers "saved" stored exactly the value typed.

Each example runs in a transaction rolled back at its end, so every example starts from the
same year.
"""

import datetime
import html as html_lib
import json
import os
import re
import uuid
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import SimpleNamespace

import hypothesis
import pytest
from django.apps import apps
from django.db import transaction
from django.test import Client
from django.urls import get_resolver, reverse
from django.utils import timezone
from hypothesis import HealthCheck, currently_in_test_context, event, example, given, settings
from hypothesis import strategies as st

from accounts.models import Role
from ranking.enums import AssessmentStatus, Decision, Method, Phase
from ranking.models import Assessment, Criterion, Demotion, Score, Tier
from ranking.results.finalization import results_compute_by
from tests.factories import (
    AgencyFactory,
    AgencyGroupFactory,
    CriterionFactory,
    PeriodFactory,
    UserFactory,
    make_tiers,
)

pytestmark = pytest.mark.django_db

S = AssessmentStatus
# The same examples on every run, so that a failure in CI reproduces anywhere; FUZZ_EXPLORE=1
# draws new ones (and keeps failures in .hypothesis/), FUZZ_EXAMPLES=n draws n per test.
EXPLORE = bool(os.environ.get("FUZZ_EXPLORE"))


def examples(default: int) -> int:
    return int(os.environ.get("FUZZ_EXAMPLES") or default)


FUZZ = settings(
    max_examples=examples(30),
    deadline=None,
    derandomize=not EXPLORE,
    database=settings.default.database if EXPLORE else None,
    # No shrinking: a failure is reported as found, so the file stays fast even while a bug
    # is open; the fixed cases below give each known failure in its smallest form.
    phases=[hypothesis.Phase.explicit, hypothesis.Phase.reuse, hypothesis.Phase.generate],
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
ALLOWED = {200, 302, 400, 403, 404, 405, 409, 422}
REFUSALS = {400, 403, 404, 405, 409, 422}
HTMX = {"HTTP_HX_REQUEST": "true"}
MAX_UPLOAD = 2048


@pytest.fixture(autouse=True)
def _media_and_passwords(settings, tmp_path):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(tmp_path / "media")},
        },
    }
    settings.MEDIA_ROOT = str(tmp_path / "media")
    settings.EVIDENCE_MAX_BYTES = MAX_UPLOAD
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


# --- the year every example starts from --------------------------------------------------------


def tree(period) -> dict[str, Criterion]:
    """Two fields and one leaf of every scoring method."""
    field1 = CriterionFactory(period=period, code="1", title="Chỉ đạo, điều hành", max_points=None)
    field2 = CriterionFactory(
        period=period, code="2", title="Điểm thưởng, điểm trừ, điều tra", max_points=None
    )

    def leaf(code, parent, **fields):
        return CriterionFactory(period=period, parent=parent, code=code, title=f"Tiêu chí {code}", **fields)

    return {
        "1.1": leaf("1.1", field1, max_points=Decimal("2"), step=Decimal("0.5"), evidence_required=True),
        "1.2": leaf(
            "1.2",
            field1,
            method=Method.CHOICE,
            max_points=Decimal("1"),
            options=[["100% đúng hạn", "1"], ["Từ 80% đến dưới 100%", "0.5"], ["Dưới 80%", "0"]],
        ),
        "1.3": leaf("1.3", field1, method=Method.YESNO, max_points=Decimal("1"), allow_not_arising=True),
        "1.4": leaf("1.4", field1, max_points=Decimal("10")),
        "2.1": leaf("2.1", field2, method=Method.DEDUCTION, max_points=Decimal("2")),
        "2.2": leaf("2.2", field2, method=Method.BONUS, max_points=Decimal("1")),
        "2.3": leaf("2.3", field2, method=Method.SURVEY, max_points=Decimal("3")),
        "1": field1,
        "2": field2,
    }


FULL = {"1.1": "2", "1.2": "1", "1.3": "1", "1.4": "7.5", "2.1": "-0.5", "2.2": "1", "2.3": "2.5"}


def scored(assessment, leaves, columns: list[str]) -> None:
    """A score row on every leaf, with the value of FULL in each of `columns`."""
    for code, value in FULL.items():
        Score.objects.create(
            assessment=assessment, criterion=leaves[code], **{column: Decimal(value) for column in columns}
        )


class Year(SimpleNamespace):
    def __repr__(self) -> str:  # falsifying examples print their arguments
        return "<the year>"


class Clients(dict):
    def __repr__(self) -> str:
        return "<a client per person>"


@pytest.fixture
def year():
    """Four periods, two agencies of one group, and the people of the year.

    CCHC-2026 self-assessment: A's draft (the officer fills it), B's submission in review.
    VTLT-2026 explanation: A approved (the officer explains), B explained (the reviewer decides).
    CCHC-2025 finalization, results computed: survey grid, demotions, award list, phases.
    VTLT-2025 published: reopening.
    """
    today = timezone.localdate()
    group = AgencyGroupFactory(code="SBN", name="Khối sở, ban, ngành")
    a = AgencyFactory(code="SNV", name="Sở Nội vụ", group=group)
    b = AgencyFactory(code="STC", name="Sở Tài chính", group=group)
    people = SimpleNamespace(
        officer=UserFactory(username="canbo.snv", role=Role.OFFICER, agency=a),
        head=UserFactory(username="lanhdao.snv", role=Role.HEAD, agency=a),
        officer_b=UserFactory(username="canbo.stc", role=Role.OFFICER, agency=b),
        reviewer=UserFactory(username="thamdinh", role=Role.REVIEWER),
        council=UserFactory(username="hoidong", role=Role.COUNCIL),
        admin=UserFactory(username="quantri", role=Role.ADMIN),
        viewer=UserFactory(username="xem", role=Role.VIEWER),
    )
    opened = timezone.now() - datetime.timedelta(days=2)

    self_period = PeriodFactory(
        year=2026, phase=Phase.SELF_ASSESSMENT, self_assessment_deadline=today + datetime.timedelta(days=20)
    )
    make_tiers(self_period)
    self_leaves = tree(self_period)
    draft = Assessment.objects.create(period=self_period, agency=a, reviewer=people.reviewer)
    Score.objects.create(
        assessment=draft, criterion=self_leaves["1.4"], self_score=Decimal("5"), note="Đã làm"
    )
    in_review = Assessment.objects.create(
        period=self_period,
        agency=b,
        reviewer=people.reviewer,
        status=S.IN_REVIEW,
        submitted_at=opened,
        review_opened_at=opened,
    )
    scored(in_review, self_leaves, ["self_score"])

    explanation_period = PeriodFactory(
        year=2026,
        subject="VTLT",
        phase=Phase.EXPLANATION,
        explanation_deadline=today + datetime.timedelta(days=20),
    )
    make_tiers(explanation_period)
    explanation_leaves = tree(explanation_period)
    approved = Assessment.objects.create(
        period=explanation_period, agency=a, reviewer=people.reviewer, status=S.APPROVED, submitted_at=opened
    )
    scored(approved, explanation_leaves, ["self_score", "reviewed_score", "final_score"])
    explained = Assessment.objects.create(
        period=explanation_period, agency=b, reviewer=people.reviewer, status=S.EXPLAINED, submitted_at=opened
    )
    scored(explained, explanation_leaves, ["self_score", "reviewed_score", "final_score"])
    Score.objects.filter(assessment=explained, criterion__code="1.1").update(
        reviewed_score=Decimal("1"),
        final_score=Decimal("1"),
        review_comment="Ban hành chậm",
        explanation="Đã ban hành đúng hạn, kèm văn bản",
        proposed_score=Decimal("2"),
    )
    Score.objects.filter(assessment=explained, criterion__code="1.4").update(
        explanation="Số liệu đã được cập nhật", proposed_score=None
    )

    final_period = PeriodFactory(year=2025, phase=Phase.FINALIZATION)
    make_tiers(final_period)
    final_leaves = tree(final_period)
    finals = {}
    for agency in (a, b):
        finals[agency.code] = Assessment.objects.create(
            period=final_period,
            agency=agency,
            reviewer=people.reviewer,
            status=S.FINALIZED,
            submitted_at=opened,
        )
        scored(finals[agency.code], final_leaves, ["self_score", "reviewed_score", "final_score"])
    results_compute_by(user=people.council, period=final_period)
    demotion = Demotion.objects.create(period=final_period, agency=b, steps=1, reason="Vi phạm kỷ luật")

    published = PeriodFactory(year=2025, subject="VTLT", phase=Phase.PUBLISHED, published_at=timezone.now())
    make_tiers(published)

    return Year(
        people=people,
        a=a,
        b=b,
        self_period=self_period,
        self_leaves=self_leaves,
        draft=draft,
        in_review=in_review,
        explanation_period=explanation_period,
        explanation_leaves=explanation_leaves,
        approved=approved,
        explained=explained,
        final_period=final_period,
        final_leaves=final_leaves,
        finals=finals,
        demotion=demotion,
        tiers=list(Tier.objects.filter(period=final_period).order_by("order")),
        published=published,
    )


@pytest.fixture
def clients(year):
    """One signed-in client per person, speaking English (messages are the msgids)."""
    signed_in = Clients()
    for name, user in vars(year.people).items():
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = "en"
        signed_in[name] = client
    return signed_in


# --- values a user can type -----------------------------------------------------------------

VIETNAMESE = [
    "Kế hoạch số 12/KH-SNV ngày 10/01/2026",
    "Ủy ban nhân dân quận Hải Châu 🏛️",
    "a\u0300\u0301\u0302\u0303\u0309\u0323",
    "Tiếng Việt: đ ư ơ ă â ê ô",
    "<script>alert(1)</script> & “ngoặc kép”",
    "=SUM(A1:A2)",
    "@cmd",
    "'; DROP TABLE ranking_score; --",
    "Dòng một\r\nDòng hai",
]
NUMBER_TEXT = [
    "",
    " ",
    "0",
    "1",
    "0,5",
    "0.5",
    "1,5",
    "2",
    "7,5",
    "-0,5",
    "−0,5",
    "-2",
    "-2.25",
    "10",
    "11",
    "1.234,5",
    "1,234.5",
    "0,00001",
    "0.00001",
    "7.00001",
    "1e300",
    "1e30",
    "1" + "0" * 30,
    "1e25",
    "1e-30",
    "-1e20",
    "1e1000000",
    "1e-999999999",
    "NaN",
    "sNaN",
    "Infinity",
    "-inf",
    "١",  # Arabic-Indic one
    "²",
    "1_0",
    "0x1",
    "+1",
    "10%",
    "hai",
    "=1/0",
    "99999999999999999999999999999999",
]
VERSION_TEXT = [
    "",
    "1",
    "2",
    "3",
    "0",
    "-1",
    "01",
    " 2 ",
    "²",
    "١",
    "٣",
    "abc",
    "1.0",
    "99999999999999999999",
]
ID_TEXT = ["", "0", "1", "-1", "²", "١", "abc", "1.5", "99999999999999999999", "9223372036854775808"]

any_text = st.text(max_size=40)  # every code point a browser can send, NUL and lone controls included
texts = st.one_of(
    st.sampled_from(VIETNAMESE),
    any_text,
    st.sampled_from(["", " ", "\t\n", "\u00a0", "\x00"]),
    st.builds(
        lambda unit, size: unit * size, st.sampled_from(["Đ", "😀", "a"]), st.sampled_from([256, 5000])
    ),
)
numbers = st.one_of(
    st.sampled_from(NUMBER_TEXT),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-3, max_value=12).map(str),
    st.decimals(allow_nan=False, allow_infinity=False, places=2, min_value=-3, max_value=12).map(
        lambda d: str(d).replace(".", ",")
    ),
    any_text,
)
versions = st.one_of(st.sampled_from(VERSION_TEXT), any_text)
# Half of the draws are what a careful user would type, so that saves also succeed.
reasons = st.one_of(st.sampled_from(VIETNAMESE[:4]), texts)
scores = st.one_of(st.sampled_from(["0", "0,5", "1", "1,5", "2", "-0,5", "7,5", "10"]), numbers)
ids = st.one_of(st.sampled_from(ID_TEXT), any_text)


# --- the properties -----------------------------------------------------------------------------

ALERT = re.compile(
    r'<(div|h2|ul)\b([^>]*(?:class="[^"]*\b(?:alert-danger|alert-warning|invalid-feedback)\b[^"]*"'
    r"|data-problems)[^>]*)>(.*?)</\1>",
    re.DOTALL,
)


def text_of(fragment: str) -> str:
    return " ".join(html_lib.unescape(re.sub(r"<[^>]+>", " ", fragment)).split())


def errors_shown(html: str) -> list[str]:
    """The texts of the error boxes of a page or fragment (not base.html's hidden htmx one)."""
    found = []
    for match in ALERT.finditer(html):
        if 'id="htmx-error"' in match.group(2):
            continue
        text = text_of(match.group(3))
        if text:
            found.append(text)
    if "You may not do this" in html:  # templates/403.html
        found.append(text_of(html.split("You may not do this", 1)[1].split("</p>", 1)[0]))
    return found


def every_model():
    return [m for label in ("accounts", "ranking") for m in apps.get_app_config(label).get_models()]


def snapshot() -> dict[str, list[dict]]:
    return {m._meta.label: list(m.objects.order_by("pk").values()) for m in every_model()}


def media_files(settings) -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(p.relative_to(root)) for p in root.rglob("*") if p.is_file()} if root.exists() else set()


@dataclass
class Outcome:
    status: int
    html: str
    errors: list[str]
    refused: bool
    before: dict
    after: dict


def send(
    client: Client,
    url: str,
    data,
    *,
    htmx: bool,
    settings,
    method: str = "post",
    content_type: str | None = None,
    uploads: bool = False,
) -> Outcome:
    """POST (or GET) in a transaction rolled back afterwards; check the properties every form shares.

    An upload (`uploads`) may refuse one file and keep another: its refusal may add the kept
    files' rows, and nothing else.
    """
    client.cookies.pop("messages", None)
    options = {**(HTMX if htmx else {}), **({"content_type": content_type} if content_type else {})}
    with transaction.atomic():
        before, files_before = snapshot(), media_files(settings)
        try:
            response = getattr(client, method)(url, data, follow=not htmx, **options)
        except Exception as error:
            shown = data if isinstance(data, dict) else "(a multipart body)"
            raise AssertionError(
                f"{method.upper()} {url} {shown!r} raised {type(error).__name__}: {error}"
            ) from error
        statuses = [status for _url, status in getattr(response, "redirect_chain", [])]
        statuses.append(response.status_code)
        html = response.content.decode("utf-8", "replace")
        errors = errors_shown(html)
        refused = response.status_code in REFUSALS or bool(errors)
        after, files_after = snapshot(), media_files(settings)
        transaction.set_rollback(True)
    assert set(statuses) <= ALLOWED, f"{method.upper()} {url} {data!r} answered {statuses}"
    assert statuses[:-1] == [302] * (len(statuses) - 1)
    if currently_in_test_context():
        event(f"{response.status_code}{' refused' if refused else ''}")
    added = [e for e in after["ranking.Evidence"] if e not in before["ranking.Evidence"]]
    # One stored file per new evidence row: nothing is left behind by a refusal.
    assert len(files_after - files_before) == len(added), (files_after - files_before, added)
    if refused:
        assert errors, f"{url} refused ({response.status_code}) without a message: {html[:300]!r}"
        changed = [label for label in before if before[label] != after[label]]
        if not (uploads and added):
            assert changed == [], f"{url} {data!r} refused with {errors} but changed {changed}"
    return Outcome(response.status_code, html, errors, refused, before, after)


def typed_number(text: str) -> Decimal | None:
    """What a score field means (7,5 = 7.5; blank = no score), or LookupError if nothing."""
    text = text.strip()
    if not text:
        return None
    text = text.replace("\u00a0", "").replace(" ", "").replace("−", "-")
    if "," in text:
        text = text.replace(".", "").replace(",", ".")
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise LookupError(text) from None
    if not number.is_finite():
        raise LookupError(text)
    return number


def stored_score(after: dict, assessment: Assessment, criterion_id: int) -> dict | None:
    rows = [
        r
        for r in after["ranking.Score"]
        if r["assessment_id"] == assessment.pk and r["criterion_id"] == criterion_id
    ]
    return rows[0] if rows else None


def who(draw, right: str) -> str:
    """Mostly the person the form is for, sometimes anyone."""
    return draw(st.one_of(st.just(right), st.just(right), st.just(right), st.sampled_from(PEOPLE)))


PEOPLE = ["officer", "head", "officer_b", "reviewer", "council", "admin", "viewer"]


def leaf_id(draw, leaves: dict[str, Criterion]) -> int:
    return draw(
        st.one_of(
            st.sampled_from([c.pk for code, c in leaves.items() if "." in code]),
            st.sampled_from([leaves["1"].pk, 999999, 2**31, 2**63 - 1]),
        )
    )


# --- the self-assessment ------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
@example(data=None)
def test_self_assessment_save(data, year, clients, settings):
    if data is None:  # the plain case first: a valid save goes through
        person, criterion_id, htmx = "officer", year.self_leaves["1.4"].pk, True
        form = {"value": "7,5", "note": "Kế hoạch", "version": "1"}
    else:
        person = who(data.draw, "officer")
        criterion_id = leaf_id(data.draw, year.self_leaves)
        htmx = data.draw(st.booleans())
        form = {
            "value": data.draw(scores),
            "note": data.draw(reasons),
            "no_evidence_reason": data.draw(texts),
            "version": data.draw(st.one_of(st.sampled_from(["1", "2"]), versions)),
        }
        if data.draw(st.booleans()):
            form["not_arising"] = data.draw(st.sampled_from(["1", "on", "", "0", "x"]))
    url = reverse("score_self_save", args=[year.draft.pk, criterion_id])
    outcome = send(clients[person], url, form, htmx=htmx, settings=settings)
    if data is None:
        assert outcome.status == 200 and not outcome.refused
    if not outcome.refused:
        row = stored_score(outcome.after, year.draft, criterion_id)
        arising = not form.get("not_arising")
        expected = typed_number(form["value"]) if arising else None
        assert row is not None and row["self_score"] == expected, (
            f"saved {form['value']!r} as {row and row['self_score']!r}"
        )
        assert row["note"] == form["note"].strip()


# --- the appraisal ------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_review_save(data, year, clients, settings):
    person = who(data.draw, "reviewer")
    criterion_id = leaf_id(data.draw, year.self_leaves)
    form = {
        "reviewed_score": data.draw(scores),
        "review_comment": data.draw(reasons),
        "version": data.draw(st.one_of(st.just("1"), versions)),
    }
    url = reverse("score_review_save", args=[year.in_review.pk, criterion_id])
    outcome = send(clients[person], url, form, htmx=data.draw(st.booleans()), settings=settings)
    if not outcome.refused and outcome.status == 200:
        row = stored_score(outcome.after, year.in_review, criterion_id)
        assert row is not None and row["reviewed_score"] == typed_number(form["reviewed_score"]), (
            f"saved {form['reviewed_score']!r} as {row and row['reviewed_score']!r}"
        )


@FUZZ
@given(data=st.data())
def test_field_accept(data, year, clients, settings):
    field_code = data.draw(
        st.one_of(st.sampled_from(["1", "2", "3", "1.1"]), st.text(min_size=1, max_size=20))
    )
    field_code = field_code.replace("/", "∕") or "1"
    url = reverse("field_accept", args=[year.in_review.pk, field_code])
    send(clients[who(data.draw, "reviewer")], url, {}, htmx=data.draw(st.booleans()), settings=settings)


@FUZZ
@given(data=st.data())
def test_explanation_save(data, year, clients, settings):
    form = {
        "explanation": data.draw(reasons),
        "proposed_score": data.draw(scores),
        "version": data.draw(st.one_of(st.just("1"), versions)),
    }
    url = reverse("explanation_save", args=[year.approved.pk, leaf_id(data.draw, year.explanation_leaves)])
    send(clients[who(data.draw, "officer")], url, form, htmx=data.draw(st.booleans()), settings=settings)


@FUZZ
@given(data=st.data())
def test_explanation_decision(data, year, clients, settings):
    form = {
        "decision": data.draw(st.one_of(st.sampled_from(Decision.values), any_text)),
        "reason": data.draw(reasons),
        "score": data.draw(scores),
    }
    criterion = data.draw(
        st.one_of(
            st.sampled_from([year.explanation_leaves["1.1"].pk, year.explanation_leaves["1.4"].pk]),
            st.just(leaf_id(data.draw, year.explanation_leaves)),
        )
    )
    url = reverse("explanation_decide", args=[year.explained.pk, criterion])
    send(clients[who(data.draw, "reviewer")], url, form, htmx=False, settings=settings)


# --- the council --------------------------------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_survey_scores_grid(data, year, clients, settings):
    survey = year.final_leaves["2.3"].pk
    names = [f"s-{year.finals['SNV'].pk}-{survey}", f"s-{year.finals['STC'].pk}-{survey}"]
    form = {name: data.draw(scores) for name in names if data.draw(st.booleans())}
    if data.draw(st.booleans()):
        form[
            data.draw(st.sampled_from([f"s-{year.finals['SNV'].pk}-{year.final_leaves['1.4'].pk}", "s-x-y"]))
        ] = data.draw(numbers)
    url = reverse("survey_scores", args=[year.final_period.code])
    send(clients[who(data.draw, "council")], url, form, htmx=False, settings=settings)


@FUZZ
@given(data=st.data())
def test_demotion_form(data, year, clients, settings):
    agencies = [str(year.a.pk), str(year.b.pk)]
    form = {
        "agency": data.draw(st.one_of(st.sampled_from(agencies), ids)),
        "steps": data.draw(st.one_of(st.sampled_from(["", "1", "2", "5", "32768", "99999"]), ids)),
        "cap_tier": data.draw(st.one_of(st.sampled_from([""] + [str(t.pk) for t in year.tiers]), ids)),
        "reason": data.draw(reasons),
    }
    url = reverse("demotions", args=[year.final_period.code])
    send(clients[who(data.draw, "council")], url, form, htmx=False, settings=settings)


@FUZZ
@given(data=st.data())
def test_award_change(data, year, clients, settings):
    form = {
        "agency": data.draw(st.one_of(st.sampled_from([str(year.a.pk), str(year.b.pk)]), ids)),
        "included": data.draw(st.one_of(st.sampled_from(["1", "0", ""]), any_text)),
        "reason": data.draw(reasons),
    }
    url = reverse("award_change", args=[year.final_period.code])
    send(clients[who(data.draw, "council")], url, form, htmx=False, settings=settings)


@FUZZ
@given(data=st.data())
def test_phase_change(data, year, clients, settings):
    period = data.draw(st.sampled_from([year.final_period, year.self_period, year.published]))
    form = {
        "phase": data.draw(st.one_of(st.sampled_from(Phase.values), any_text)),
        "reason": data.draw(reasons),
    }
    url = reverse("period_phase", args=[period.code])
    send(clients[who(data.draw, "council")], url, form, htmx=False, settings=settings)


@FUZZ
@given(data=st.data())
def test_submit_return_and_reopen_reasons(data, year, clients, settings):
    action, args, right = data.draw(
        st.sampled_from(
            [
                ("assessment_submit", [year.draft.pk], "head"),
                ("assessment_return", [year.in_review.pk], "reviewer"),
                ("assessment_reopen", [year.in_review.pk], "council"),
                ("assessment_reopen", [year.draft.pk], "council"),
                ("period_reopen", [year.published.code], "council"),
                ("demotion_remove", [year.final_period.code, year.demotion.pk], "council"),
            ]
        )
    )
    form = {"reason": data.draw(reasons)}
    if data.draw(st.booleans()):
        form[data.draw(st.text(min_size=1, max_size=10))] = data.draw(texts)
    send(clients[who(data.draw, right)], reverse(action, args=args), form, htmx=False, settings=settings)


# --- evidence files -----------------------------------------------------------------------------

PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 24
ZIP = b"PK\x03\x04" + b"\x00" * 26
HTML = b"<!DOCTYPE html><html><body><script>alert(document.cookie)</script></body></html>"
SVG = b'<svg xmlns="http://www.w3.org/2000/svg" onload="alert(1)"><script>alert(2)</script></svg>'
CONTENTS = {
    "pdf": PDF,
    "pdf holding html": b"%PDF-1.4\n" + HTML,
    "png": PNG,
    "zip": ZIP,
    "html": HTML,
    "svg": SVG,
    "empty": b"",
    "too large pdf": PDF + b"0" * MAX_UPLOAD,
}
NAMES = [
    "ke-hoach.pdf",
    "Tờ trình số 12 – Sở Nội vụ.pdf",
    "../../etc/passwd.pdf",
    "..\\..\\windows\\win.ini.pdf",
    "/etc/passwd",
    "trang.html",
    "trang.HTM",
    "hinh.svg",
    "tai-lieu.pdf.html",
    "tai-lieu.html.pdf",
    "anh.png",
    "bang.xlsx",
    "khong-duoi",
    ".pdf",
    "a" * 300 + ".pdf",
    "Đ" * 200 + ".pdf",
    "tệp 😀.pdf",
    "CON.pdf",
    "a;b=c.pdf",
    "%2e%2e%2fpasswd.pdf",
    "&#46;&#46;/x.pdf",
]
GOOD_FILES = [
    ("ke-hoach.pdf", PDF),
    ("Tờ trình số 12.PDF", PDF),
    ("anh-chup.png", PNG),
    ("bang-diem.xlsx", ZIP),
]
SIGNATURES = {
    ".pdf": b"%PDF-",
    ".png": b"\x89PNG\r\n\x1a\n",
    ".zip": b"PK\x03\x04",
    ".xlsx": b"PK\x03\x04",
    ".docx": b"PK\x03\x04",
}


def multipart(fields: dict[str, str], files: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A multipart body as a browser sends it, the file names exactly as given."""
    boundary = f"xephang-{uuid.uuid4().hex}"
    body = b""
    for name, value in fields.items():
        body += f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
    for filename, content in files:
        quoted = filename.replace('"', "%22")
        body += (
            (
                f'--{boundary}\r\nContent-Disposition: form-data; name="file"; filename="{quoted}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n"
            ).encode()
            + content
            + b"\r\n"
        )
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


def acceptable(name: str, content: bytes) -> bool:
    """Accepted only by content: a known extension whose signature the bytes start with."""
    base = re.split(r"[\\/]", name)[-1].strip()
    extension = "." + base.rsplit(".", 1)[-1].lower() if "." in base else ""
    signature = SIGNATURES.get(extension)
    return bool(signature) and content.startswith(signature) and 0 < len(content) <= MAX_UPLOAD


@FUZZ
@given(data=st.data())
@example(data=None)
def test_evidence_upload(data, year, clients, settings):
    if data is None:  # an HTML page named .pdf, and a real PDF beside it
        person, purpose, htmx = "officer", "self", True
        files = [("bao-cao.pdf", HTML), ("ke-hoach.pdf", PDF)]
        assessment, criterion_id = year.draft, year.self_leaves["1.1"].pk
    else:
        person = who(data.draw, "officer")
        purpose = data.draw(st.sampled_from(["self", "explanation", "", "khác"]))
        htmx = data.draw(st.booleans())
        assessment, leaves = (
            (year.approved, year.explanation_leaves)
            if purpose == "explanation"
            else (year.draft, year.self_leaves)
        )
        criterion_id = leaf_id(data.draw, leaves)
        any_file = st.tuples(
            st.one_of(
                st.sampled_from(NAMES),
                st.text(st.characters(blacklist_characters="\r\n\x00"), min_size=1, max_size=30),
            ),
            st.one_of(st.sampled_from(list(CONTENTS.values())), st.binary(max_size=300)),
        )
        files = data.draw(st.lists(st.one_of(st.sampled_from(GOOD_FILES), any_file), max_size=2))
    body, content_type = multipart({"purpose": purpose}, files)
    url = reverse("evidence_upload", args=[assessment.pk, criterion_id])
    outcome = send(
        clients[person], url, body, htmx=htmx, settings=settings, content_type=content_type, uploads=True
    )
    added = [e for e in outcome.after["ranking.Evidence"] if e not in outcome.before["ranking.Evidence"]]
    for evidence in added:
        assert evidence["content_type"] not in ("text/html", "image/svg+xml"), evidence
        assert not evidence["file"].lower().endswith((".html", ".htm", ".svg")), evidence
    leaves = year.explanation_leaves if purpose == "explanation" else year.self_leaves
    allowed = person in ("officer", "head") and criterion_id in [
        c.pk for code, c in leaves.items() if "." in code
    ]
    expected = [name for name, content in files if acceptable(name, content)] if allowed else []
    assert len(added) == len(expected), f"{files} kept {[e['original_name'] for e in added]}"
    if data is None:
        assert outcome.status == 422 and [e["original_name"] for e in added] == ["ke-hoach.pdf"]


# --- the review queue's filter (a GET form) ---------------------------------------------------------


@FUZZ
@given(data=st.data())
def test_review_queue_filter(data, year, clients, settings):
    params = {
        key: data.draw(
            st.one_of(st.sampled_from(["", "CCHC-2026", "SBN", "submitted", "in_review"]), any_text)
        )
        for key in ("period", "group", "status", "x")
        if data.draw(st.booleans())
    }
    send(
        clients[who(data.draw, "reviewer")],
        reverse("review_queue"),
        params,
        htmx=False,
        settings=settings,
        method="get",
    )


# --- fixed cases: what the generator found, each in its smallest form -----------------------------

LONG_REASON = (
    "Đề nghị đơn vị bổ sung tài liệu kiểm chứng cho tiêu chí 1.1 (kế hoạch CCHC năm) và giải trình "
    "lý do chậm ban hành quyết định công bố thủ tục hành chính."
)


def nasty_post(year, name: str):
    """(person, url, form, htmx, score to check as typed or None) of the case `name`."""
    own, review = year.self_leaves, year.explanation_leaves
    save = reverse("score_self_save", args=[year.draft.pk, own["1.4"].pk])
    bonus = reverse("score_self_save", args=[year.draft.pk, own["2.2"].pk])
    reviewed = reverse("score_review_save", args=[year.in_review.pk, own["1.4"].pk])
    explain = reverse("explanation_save", args=[year.approved.pk, review["1.4"].pk])
    decide = reverse("explanation_decide", args=[year.explained.pk, review["1.1"].pk])
    survey = reverse("survey_scores", args=[year.final_period.code])
    cell = f"s-{year.finals['SNV'].pk}-{year.final_leaves['2.3'].pk}"
    demotions = reverse("demotions", args=[year.final_period.code])
    agency = str(year.a.pk)
    cases = {
        "self-score, version ²": ("officer", save, {"value": "1", "version": "²"}, True, None),
        "self-score 1e1000000": ("officer", save, {"value": "1e1000000", "version": "1"}, True, None),
        "self-score 0,00001 on a bonus": (
            "officer",
            bonus,
            {"value": "0,00001", "version": "1"},
            True,
            "2.2",
        ),
        "self-score 7,00001 on a number": (
            "officer",
            save,
            {"value": "7,00001", "version": "1"},
            True,
            "1.4",
        ),
        "self-score, note with NUL": (
            "officer",
            save,
            {"value": "1", "note": "a\x00b", "version": "1"},
            True,
            None,
        ),
        "self-score on a survey leaf": (
            "officer",
            reverse("score_self_save", args=[year.draft.pk, own["2.3"].pk]),
            {"value": "1", "version": "1"},
            True,
            None,
        ),
        "reviewed score, version ²": (
            "reviewer",
            reviewed,
            {"reviewed_score": "5", "review_comment": "Thiếu minh chứng", "version": "²"},
            True,
            None,
        ),
        "reviewed score 1e1000000": (
            "reviewer",
            reviewed,
            {"reviewed_score": "1e1000000", "review_comment": "x", "version": "1"},
            True,
            None,
        ),
        "proposed score 1e1000000": (
            "officer",
            explain,
            {"explanation": "Đã ban hành", "proposed_score": "1e1000000", "version": "1"},
            True,
            None,
        ),
        "explanation on a survey leaf": (
            "officer",
            reverse("explanation_save", args=[year.approved.pk, review["2.3"].pk]),
            {"explanation": "Đã ban hành", "proposed_score": "7,5", "version": "1"},
            True,
            None,
        ),
        "decision, score 1e1000000": (
            "reviewer",
            decide,
            {"decision": Decision.PARTIAL, "reason": "Chấp nhận một phần", "score": "1e1000000"},
            False,
            None,
        ),
        "decision on a leaf without explanation": (
            "reviewer",
            reverse("explanation_decide", args=[year.explained.pk, review["1.2"].pk]),
            {"decision": Decision.REJECTED, "reason": "Không có cơ sở"},
            False,
            None,
        ),
        "survey score 1e1000000": ("council", survey, {cell: "1e1000000"}, False, None),
        "demotion by ² tiers": (
            "council",
            demotions,
            {"agency": agency, "steps": "²", "reason": "Vi phạm"},
            False,
            None,
        ),
        "demotion of agency ²": (
            "council",
            demotions,
            {"agency": "²", "steps": "1", "reason": "Vi phạm"},
            False,
            None,
        ),
        "demotion by 99999 tiers": (
            "council",
            demotions,
            {"agency": agency, "steps": "99999", "reason": "Vi phạm"},
            False,
            None,
        ),
        "award change for agency ²": (
            "council",
            reverse("award_change", args=[year.final_period.code]),
            {"agency": "²", "included": "1", "reason": "Đề nghị"},
            False,
            None,
        ),
        "return, reason with NUL": (
            "reviewer",
            reverse("assessment_return", args=[year.in_review.pk]),
            {"reason": "Bổ sung\x00"},
            False,
            None,
        ),
        "return, reason of 150 characters": (
            "reviewer",
            reverse("assessment_return", args=[year.in_review.pk]),
            {"reason": LONG_REASON},
            False,
            None,
        ),
        "reopen, reason of 150 characters": (
            "council",
            reverse("assessment_reopen", args=[year.in_review.pk]),
            {"reason": LONG_REASON},
            False,
            None,
        ),
        "back to self-assessment, reason of 150 characters": (
            "council",
            reverse("period_phase", args=[year.final_period.code]),
            {"phase": Phase.SELF_ASSESSMENT, "reason": LONG_REASON},
            False,
            None,
        ),
        "reopen published results, reason of 150 characters": (
            "council",
            reverse("period_reopen", args=[year.published.code]),
            {"reason": LONG_REASON},
            False,
            None,
        ),
        "lift a demotion, reason of 150 characters": (
            "council",
            reverse("demotion_remove", args=[year.final_period.code, year.demotion.pk]),
            {"reason": LONG_REASON},
            False,
            None,
        ),
    }
    return cases[name]


NASTY_POSTS = [
    "self-score, version ²",
    "self-score 1e1000000",
    "self-score 0,00001 on a bonus",
    "self-score 7,00001 on a number",
    "self-score, note with NUL",
    "self-score on a survey leaf",
    "reviewed score, version ²",
    "reviewed score 1e1000000",
    "proposed score 1e1000000",
    "explanation on a survey leaf",
    "decision, score 1e1000000",
    "decision on a leaf without explanation",
    "survey score 1e1000000",
    "demotion by ² tiers",
    "demotion of agency ²",
    "demotion by 99999 tiers",
    "award change for agency ²",
    "return, reason with NUL",
    "return, reason of 150 characters",
    "reopen, reason of 150 characters",
    "back to self-assessment, reason of 150 characters",
    "reopen published results, reason of 150 characters",
    "lift a demotion, reason of 150 characters",
]


@pytest.mark.parametrize("name", NASTY_POSTS)
def test_a_nasty_post_is_answered_cleanly(name, year, clients, settings):
    person, url, form, htmx, leaf = nasty_post(year, name)
    outcome = send(clients[person], url, form, htmx=htmx, settings=settings)
    if leaf and not outcome.refused:
        row = stored_score(outcome.after, year.draft, year.self_leaves[leaf].pk)
        assert row["self_score"] == typed_number(form["value"]), (
            f"{form['value']!r} answered {outcome.status} “saved” and stored as {row['self_score']}"
        )


# --- numbers no score can be, in every numeric field (issue 9, item 12) --------------------------

# What each is refused with, in Vietnamese: past the columns' 10 digits ("quá lớn"), or no number.
HUGE_NUMBERS = {
    "1e30": "1e30 quá lớn.",
    "1" + "0" * 30: "1" + "0" * 28 + "… quá lớn.",
    "-1e30": "-1e30 quá lớn.",
    "1" + "0" * 24 + ",5": "1" + "0" * 24 + ",5 quá lớn.",
    "NaN": "“NaN” không phải là số.",
    "Infinity": "“Infinity” không phải là số.",
    "-inf": "“-inf” không phải là số.",
    "1e-30": "“1e-30” không phải là số.",
}


def numeric_field(year, name: str, value: str):
    """(person, url, form, htmx) posting `value` into the numeric field `name`."""
    own, review = year.self_leaves, year.explanation_leaves
    cell = f"s-{year.finals['SNV'].pk}-{year.final_leaves['2.3'].pk}"

    def self_score(code):
        url = reverse("score_self_save", args=[year.draft.pk, own[code].pk])
        return ("officer", url, {"value": value, "version": "1"}, True)

    def reviewed(code):
        url = reverse("score_review_save", args=[year.in_review.pk, own[code].pk])
        return ("reviewer", url, {"reviewed_score": value, "review_comment": "Thiếu", "version": "1"}, True)

    cases = {
        "self-score, number": lambda: self_score("1.4"),
        "self-score, choice": lambda: self_score("1.2"),
        "self-score, yes/no": lambda: self_score("1.3"),
        "self-score, deduction": lambda: self_score("2.1"),
        "self-score, bonus": lambda: self_score("2.2"),
        "reviewed score, number": lambda: reviewed("1.4"),
        "reviewed score, deduction": lambda: reviewed("2.1"),
        "proposed score": lambda: (
            "officer",
            reverse("explanation_save", args=[year.approved.pk, review["1.4"].pk]),
            {"explanation": "Đã ban hành", "proposed_score": value, "version": "1"},
            True,
        ),
        "decided score": lambda: (
            "reviewer",
            reverse("explanation_decide", args=[year.explained.pk, review["1.1"].pk]),
            {"decision": Decision.PARTIAL, "reason": "Chấp nhận một phần", "score": value},
            False,
        ),
        "survey score": lambda: (
            "council",
            reverse("survey_scores", args=[year.final_period.code]),
            {cell: value},
            False,
        ),
    }
    return cases[name]()


NUMERIC_FIELDS = [
    "self-score, number",
    "self-score, choice",
    "self-score, yes/no",
    "self-score, deduction",
    "self-score, bonus",
    "reviewed score, number",
    "reviewed score, deduction",
    "proposed score",
    "decided score",
    "survey score",
]


@pytest.fixture
def vietnamese_clients(year):
    signed_in = Clients()
    for name, user in vars(year.people).items():
        client = Client()
        client.force_login(user)
        client.cookies["django_language"] = "vi"
        signed_in[name] = client
    return signed_in


@pytest.mark.parametrize("field", NUMERIC_FIELDS)
def test_a_number_no_score_can_be_is_refused_in_vietnamese(field, year, vietnamese_clients, settings):
    for value, message in HUGE_NUMBERS.items():
        person, url, form, htmx = numeric_field(year, field, value)
        outcome = send(vietnamese_clients[person], url, form, htmx=htmx, settings=settings)
        assert outcome.refused and outcome.status in (200, 422), value
        assert [error for error in outcome.errors if message in error] != [], (value, outcome.errors)


def test_a_demotion_by_a_number_no_one_can_count_is_refused(year, vietnamese_clients, settings):
    url = reverse("demotions", args=[year.final_period.code])
    for value in HUGE_NUMBERS:
        form = {"agency": str(year.a.pk), "steps": value, "reason": "Vi phạm"}
        outcome = send(vietnamese_clients["council"], url, form, htmx=False, settings=settings)
        assert (outcome.status, outcome.errors) == (200, ["Số bậc hạ phải là số nguyên."]), value


@pytest.fixture
def superuser_client(year):
    client = Client()
    client.force_login(UserFactory(username="quantri.goc", is_staff=True, is_superuser=True))
    client.cookies["django_language"] = "vi"
    return client


def criterion_form(criterion, **changes) -> dict:
    form = {
        "period": criterion.period_id,
        "parent": criterion.parent_id or "",
        "code": criterion.code,
        "title": criterion.title,
        "max_points": str(criterion.max_points),
        "method": criterion.method,
        "step": "",
        "options": json.dumps(criterion.options),
        "guidance": "",
    }
    return {**form, **changes}


def test_admin_option_points_no_score_can_be_are_refused(year, superuser_client):
    criterion = year.self_leaves["1.2"]
    url = reverse("admin:ranking_criterion_change", args=[criterion.pk])
    for value, message in HUGE_NUMBERS.items():
        form = criterion_form(criterion, options=json.dumps([["Đúng hạn", value], ["Trễ hạn", "0"]]))
        response = superuser_client.post(url, form)
        assert response.status_code == 200, value
        assert response.context["adminform"].form.errors == {"options": [message]}
    criterion.refresh_from_db()
    assert criterion.options == [["100% đúng hạn", "1"], ["Từ 80% đến dưới 100%", "0.5"], ["Dưới 80%", "0"]]


@pytest.mark.parametrize(
    "options, error",
    [
        ('{"Đúng hạn": 1}', 'Ghi các mức lựa chọn theo dạng [["tên mức", "điểm"], …].'),
        ('[["Đúng hạn"]]', 'Ghi các mức lựa chọn theo dạng [["tên mức", "điểm"], …].'),
        ('[[1, "1"]]', 'Ghi các mức lựa chọn theo dạng [["tên mức", "điểm"], …].'),
        ('[["Đúng hạn", true]]', "“True” không phải là số."),
        ('[["Đúng hạn", "2"]]', "Điểm của mức lựa chọn 2 nằm ngoài khoảng từ 0 đến 1."),
        ('[["Đúng hạn", "-0,5"]]', "Điểm của mức lựa chọn -0,5 nằm ngoài khoảng từ 0 đến 1."),
    ],
)
def test_admin_options_the_pages_cannot_read_are_refused(options, error, year, superuser_client):
    criterion = year.self_leaves["1.2"]
    url = reverse("admin:ranking_criterion_change", args=[criterion.pk])
    response = superuser_client.post(url, criterion_form(criterion, options=options))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["options"] == [error]


def test_admin_options_are_stored_as_the_pages_read_them(year, superuser_client):
    criterion = year.self_leaves["1.2"]
    url = reverse("admin:ranking_criterion_change", args=[criterion.pk])
    options = json.dumps([[" Đúng hạn ", "1,0"], ["Trễ hạn", 0.25], ["Không làm", 0]])
    response = superuser_client.post(url, criterion_form(criterion, options=options))
    assert response.status_code == 302
    criterion.refresh_from_db()
    assert criterion.options == [["Đúng hạn", "1"], ["Trễ hạn", "0.25"], ["Không làm", "0"]]


ADMIN_NUMBERS = [
    ("ranking_criterion", "max_points"),
    ("ranking_criterion", "step"),
    ("ranking_tier", "min_index"),
    ("ranking_tier", "order"),
    ("ranking_period", "year"),
    ("ranking_period", "award_max_per_group"),
    ("ranking_demotion", "steps"),
    ("ranking_score", "self_score"),
    ("ranking_score", "final_score"),
    ("accounts_agencygroup", "order"),
]


@pytest.mark.parametrize("model, name", ADMIN_NUMBERS)
def test_every_numeric_field_of_the_admin_refuses_it(model, name, year, superuser_client):
    url = reverse(f"admin:{model}_add")
    form = superuser_client.get(url).context["adminform"].form
    data = {key: "" if val is None else val for key, val in form.initial.items()}
    data.update({"tiers-TOTAL_FORMS": "0", "tiers-INITIAL_FORMS": "0"})
    before = snapshot()
    for value in HUGE_NUMBERS:
        response = superuser_client.post(url, {**data, name: value})
        assert response.status_code == 200, value
        assert name in response.context["adminform"].form.errors, value
    assert snapshot() == before


QUERIES = [
    ("review_queue", [], {"period": "1e30", "group": "NaN", "status": "Infinity"}),
    ("loss_analysis", ["CCHC-2025"], {"group": "1e30", "sort": "-inf"}),
    ("reports_index", ["CCHC-2025"], {"with": "1" + "0" * 30}),
    ("year_over_year", ["CCHC-2025"], {"group": "NaN"}),
]


@pytest.mark.parametrize("name, args, query", QUERIES, ids=[q[0] for q in QUERIES])
def test_numbers_in_query_parameters_are_answered(name, args, query, year, vietnamese_clients, settings):
    outcome = send(
        vietnamese_clients["council"],
        reverse(name, args=args),
        query,
        htmx=False,
        settings=settings,
        method="get",
    )
    assert outcome.status == 200


ADMIN_QUERIES = [
    "/admin/ranking/criterion/?max_points=1e30",
    "/admin/ranking/criterion/?max_points__gte=NaN",
    "/admin/ranking/score/?self_score=-inf",
    "/admin/ranking/period/?year=" + "1" + "0" * 30,
    f"/admin/ranking/score/?assessment__id__exact={2**64}",
    f"/admin/ranking/score/?id__in={2**64}",
    f"/admin/ranking/score/?assessment__id__in=1,{2**64}",
    f"/admin/accounts/agency/?id__in={-(2**64)}",
    f"/admin/ranking/criterion/{2**64}/change/",
]


@pytest.mark.parametrize("url", ADMIN_QUERIES)
def test_numbers_in_admin_addresses_are_answered(url, superuser_client):
    assert superuser_client.get(url, follow=True).status_code == 200


# --- ids past the database's integers in a path ------------------------------------------------

OUT_OF_RANGE = [2**63, 2**64, 10**30]


def routes(resolver=None, prefix: str = ""):
    """Every route of the site, as written in the URL modules (`danh-gia/<id:pk>/`)."""
    for entry in (resolver or get_resolver()).url_patterns:
        if hasattr(entry, "url_patterns"):
            yield from routes(entry, prefix + str(entry.pattern))
        else:
            yield prefix + str(entry.pattern)


def id_paths(year, number: int) -> list[str]:
    """Every path of the application that takes ids, once with each of its ids set to `number`."""
    values = {"code": year.final_period.code, "field_code": "1", "agency_code": "SNV"}
    paths = []
    for route in routes():
        names = re.findall(r"<id:(\w+)>", route)
        for wanted in names:
            path = route
            for name in names:
                path = path.replace(f"<id:{name}>", str(number if name == wanted else year.draft.pk))
            paths.append("/" + re.sub(r"<str:(\w+)>", lambda match: values[match.group(1)], path))
    return paths


def test_no_path_takes_an_unbounded_number():
    """`<int:…>` takes any number of digits, and SQLite fails on an id past 2**63 - 1: ids are `<id:…>`."""
    assert [route for route in routes() if "<int:" in route] == []


@pytest.mark.parametrize("number", OUT_OF_RANGE)
@pytest.mark.parametrize("method", ["get", "post"])
def test_an_id_past_the_databases_integers_is_not_found(number, method, year, vietnamese_clients):
    paths = id_paths(year, number)
    assert f"/danh-gia/{year.draft.pk}/diem/{number}/" in paths and f"/cong-viec/{number}/tai-ve/" in paths
    for path in paths:
        for person in ("officer", "reviewer", "council", "admin"):
            response = getattr(vietnamese_clients[person], method)(path)
            assert response.status_code == 404, (path, person, response.status_code)
            assert "Không tìm thấy trang" in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_the_largest_id_the_database_holds_is_looked_up(method, year, vietnamese_clients):
    """2**63 - 1 is a valid id: the path resolves and the view finds no such row."""
    answers = {
        path: getattr(vietnamese_clients["council"], method)(path).status_code
        for path in id_paths(year, 2**63 - 1)
    }
    assert set(answers.values()) <= {403, 404, 405}, answers
    assert answers[f"/cong-viec/{2**63 - 1}/"] == (404 if method == "get" else 405)


@pytest.mark.parametrize("past", OUT_OF_RANGE + [-(2**63) - 1])
def test_a_list_of_ids_leaves_out_the_numbers_no_row_can_hold(past, year):
    criterion = Criterion.objects.order_by("pk").first()
    assert list(Criterion.objects.filter(pk__in=[criterion.pk, past]).values_list("pk", flat=True)) == [
        criterion.pk
    ]
    assert Criterion.objects.filter(pk__in=[past]).count() == 0
    assert Criterion.objects.exclude(pk__in=[past]).count() == Criterion.objects.count()
