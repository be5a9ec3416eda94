"""The survey's public form (ranking/views/survey_form.py): anonymous, once per link, CSRF-
protected and limited per address. The year is tests/survey_builders.py's; pages are read in
Vietnamese, the site's language."""

import re

import environ
import pytest
from django.conf import settings
from django.core.cache.backends.db import DatabaseCache
from django.core.management import call_command
from django.test import Client
from django.urls import reverse

from ranking.enums import Phase
from ranking.models import SurveyAnswer, SurveyInvitation, SurveyResponse
from tests.builders import text
from tests.survey_builders import build_survey_year

env_cache = environ.Env.cache_url_config

pytestmark = pytest.mark.django_db


@pytest.fixture
def survey():
    return build_survey_year()


def invitation(survey, group="ND", code="SNV") -> SurveyInvitation:
    return SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency(code), group=survey.groups[group]
    )


def url(invitation) -> str:
    return reverse("survey_form", args=[invitation.token])


def test_the_form_asks_each_question_of_the_group_as_a_labelled_radio_group(client, survey):
    link = invitation(survey)

    response = client.get(url(link))

    html = response.content.decode()
    assert response.status_code == 200
    assert '<h1 class="h4">Khảo sát về hoạt động của Sở Nội vụ</h1>' in html
    assert "CCHC 2025 · Người dân, doanh nghiệp" in html
    legends = [text(m) for m in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)]
    assert legends == [
        "1. Thái độ phục vụ của công chức?",
        "2. Mức độ hài lòng về thời gian giải quyết?",
    ]
    assert html.count("<fieldset") == 2
    radios = re.findall(
        r'<input class="form-check-input" type="radio" required\s+name="([^"]+)" value="([^"]+)"', html
    )
    assert radios == [
        ("q-Q1", "A"),
        ("q-Q1", "B"),
        ("q-Q1", "C"),
        ("q-Q1", "D"),
        ("q-Q2", "1"),
        ("q-Q2", "2"),
        ("q-Q2", "3"),
        ("q-Q2", "4"),
        ("q-Q2", "5"),
    ]
    labels = [text(m) for m in re.findall(r'<label class="form-check-label"[^>]*>(.*?)</label>', html, re.S)]
    assert labels[:4] == ["A — Tốt", "B — Khá", "C — Trung bình", "D — Kém"]
    assert labels[4] == "1 — Rất không hài lòng"
    # Nothing about the person is asked: the only inputs are the CSRF token, the language switch and radios.
    inputs = re.findall(r"<input[^>]*>", html)
    assert [
        i
        for i in inputs
        if 'type="radio"' not in i and "csrfmiddlewaretoken" not in i and 'name="next"' not in i
    ] == []
    assert "Phiếu khảo sát ẩn danh" in html


def test_a_group_sees_only_its_own_questions(client, survey):
    html = client.get(url(invitation(survey, group="LD"))).content.decode()

    assert [text(m) for m in re.findall(r"<legend[^>]*>(.*?)</legend>", html, re.S)] == [
        "1. Thái độ phục vụ của công chức?"
    ]


def test_sending_the_form_records_the_answers_once(client, survey):
    link = invitation(survey)

    response = client.post(url(link), {"q-Q1": "B", "q-Q2": "4"})

    assert response.status_code == 200
    assert "Cảm ơn anh/chị: câu trả lời đã được ghi nhận." in response.content.decode()
    assert sorted(SurveyAnswer.objects.values_list("question__code", "option")) == [("Q1", "B"), ("Q2", "4")]
    again = client.post(url(link), {"q-Q1": "D", "q-Q2": "1"})
    assert again.status_code == 200
    assert "Phiếu này đã được gửi." in again.content.decode()
    assert '<form method="post" action="/khao-sat/' not in again.content.decode()
    page = client.get(url(link)).content.decode()
    assert "Phiếu này đã được gửi. Mỗi đường dẫn chỉ nhận một phiếu." in text(page)
    assert SurveyResponse.objects.count() == 1
    assert sorted(SurveyAnswer.objects.values_list("question__code", "option")) == [("Q1", "B"), ("Q2", "4")]


def test_an_incomplete_form_is_shown_again_with_what_was_chosen(client, survey):
    link = invitation(survey)

    response = client.post(url(link), {"q-Q1": "C"})

    html = response.content.decode()
    assert response.status_code == 422
    assert "Phiếu chưa được gửi:" in html
    assert "Hãy trả lời tất cả các câu hỏi: Q2." in html
    assert re.search(r'name="q-Q1" value="C"\s+id="q-Q1-3"\s+checked', html)
    assert html.count('aria-invalid="true"') == 1
    assert SurveyResponse.objects.count() == 0


def test_an_option_outside_the_scale_is_refused(client, survey):
    response = client.post(url(invitation(survey)), {"q-Q1": "E", "q-Q2": "4"})

    assert response.status_code == 422
    assert "“E” không phải là phương án trả lời của câu Q1." in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_an_unknown_link_is_not_found(client, survey):
    assert client.get(reverse("survey_form", args=["khong-ton-tai"])).status_code == 404
    assert client.post(reverse("survey_form", args=["khong-ton-tai"]), {"q-Q1": "A"}).status_code == 404


def test_the_form_is_closed_once_the_results_are_published(client, survey):
    link = invitation(survey)
    survey.period.phase = Phase.PUBLISHED
    survey.period.save()

    response = client.post(url(link), {"q-Q1": "A", "q-Q2": "5"})

    assert response.status_code == 200
    assert "Cuộc khảo sát đã kết thúc: kết quả đã được công bố." in response.content.decode()
    assert SurveyResponse.objects.count() == 0


def test_the_form_needs_its_csrf_token(survey):
    browser = Client(enforce_csrf_checks=True)
    link = invitation(survey)

    refused = browser.post(url(link), {"q-Q1": "A", "q-Q2": "5"})
    page = browser.get(url(link)).content.decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
    accepted = browser.post(url(link), {"q-Q1": "A", "q-Q2": "5", "csrfmiddlewaretoken": token})

    assert refused.status_code == 403
    assert accepted.status_code == 200
    assert SurveyResponse.objects.count() == 1


def test_the_default_limit_lets_a_meeting_room_answer_together():
    assert settings.SURVEY_POSTS_PER_ADDRESS == 200


def test_one_address_sends_at_most_the_limit_in_ten_minutes(client, survey, settings):
    settings.SURVEY_POSTS_PER_ADDRESS = 30
    link = invitation(survey)
    unknown = reverse("survey_form", args=["khong-ton-tai"])
    for _i in range(30):
        assert client.post(unknown, {"q-Q1": "A"}, REMOTE_ADDR="203.0.113.7").status_code == 404

    refused = client.post(url(link), {"q-Q1": "A", "q-Q2": "5"}, REMOTE_ADDR="203.0.113.7")
    other = client.post(url(link), {"q-Q1": "A", "q-Q2": "5"}, REMOTE_ADDR="203.0.113.8")

    assert refused.status_code == 429
    assert (
        "Đã có quá nhiều phiếu được gửi từ kết nối này. Vui lòng chờ mười phút rồi thử lại."
        in refused.content.decode()
    )
    assert other.status_code == 200
    assert SurveyResponse.objects.count() == 1
    # Reading the form is not counted.
    assert client.get(url(invitation(survey)), REMOTE_ADDR="203.0.113.7").status_code == 200


def test_with_a_shared_cache_every_worker_counts_against_the_same_limit(client, survey, settings):
    # CACHE_URL=dbcache://…: the count is a row of the database, which every worker reads.
    settings.CACHES = {"default": env_cache("dbcache://survey_limit_test")}
    call_command("createcachetable", verbosity=0)
    settings.SURVEY_POSTS_PER_ADDRESS = 30
    link = invitation(survey)
    unknown = reverse("survey_form", args=["khong-ton-tai"])
    for _i in range(30):
        assert client.post(unknown, {"q-Q1": "A"}, REMOTE_ADDR="203.0.113.7").status_code == 404

    # Another worker: its own cache object over the same table.
    other_worker = DatabaseCache("survey_limit_test", {})
    assert other_worker.get("survey-post:203.0.113.7") == 30
    refused = client.post(url(link), {"q-Q1": "A", "q-Q2": "5"}, REMOTE_ADDR="203.0.113.7")

    assert refused.status_code == 429
    assert other_worker.get("survey-post:203.0.113.7") == 31
    assert SurveyResponse.objects.count() == 0
