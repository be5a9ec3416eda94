"""Two submissions of one survey link at the same moment, on two PostgreSQL connections
(ranking/surveys/services.py `response_submit`): the invitation row is locked, so the second
waits for the first, then finds the link used. Exactly one response is kept."""

import threading

import pytest
from django.db import connection

import ranking.surveys.services as survey_services
from ranking.models import SurveyInvitation, SurveyResponse
from tests.concurrency import Step
from tests.survey_builders import build_survey_year


@pytest.mark.django_db(transaction=True)
def test_two_submissions_of_one_link_keep_one_response(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip(
            "SQLite takes the write lock when a transaction begins, so two submissions never overlap; "
            "the single-use token is tested on every database in test_services.py. "
            "Run with DATABASE_URL=postgres://… to race them"
        )
    survey = build_survey_year()
    link = SurveyInvitation.objects.create(
        period=survey.period, agency=survey.agency("SNV"), group=survey.groups["LD"]
    )
    locked, release = threading.Event(), threading.Event()
    questions_of = survey_services.questions_of

    def hold_first(*, group):
        # Called once the invitation is locked: the first submission waits here.
        if threading.current_thread().name == "first":
            locked.set()
            release.wait(timeout=30)
        return questions_of(group=group)

    monkeypatch.setattr(survey_services, "questions_of", hold_first)
    first = Step("first", lambda: survey_services.response_submit(token=link.token, answers={"Q1": "A"}).pk)
    second = Step("second", lambda: survey_services.response_submit(token=link.token, answers={"Q1": "D"}).pk)
    first.start()
    assert locked.wait(timeout=30)
    second.start()
    second.join(timeout=1.5)
    second_waited = second.is_alive()
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert second_waited, "the second submission did not wait for the lock on the invitation"
    assert first.outcome[0] == "done", first.outcome
    assert second.outcome == ("refused", "Phiếu này đã được gửi.")
    assert SurveyResponse.objects.count() == 1
    assert list(SurveyResponse.objects.get().answers.values_list("option", flat=True)) == ["A"]
