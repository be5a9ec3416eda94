"""`ranking.records.HistoricalRecords`: django-simple-history's records with the history
manager's class made once, the manager itself still one per access."""

import pytest
from simple_history.manager import HistoryManager

from accounts.models import Agency
from ranking.models import Assessment, Score
from tests.factories import ScoreFactory

pytestmark = pytest.mark.django_db


def test_the_history_manager_class_is_made_once_per_model():
    score = ScoreFactory(note="Lần 1")
    score.note = "Lần 2"
    score.save()

    mine, again, every = score.history, score.history, Score.history

    assert type(mine) is type(again) is type(every)
    assert mine is not again
    assert isinstance(mine, HistoryManager)
    assert (mine.instance, every.instance) == (score, None)
    assert list(mine.order_by("history_id").values_list("history_type", "note")) == [
        ("+", "Lần 1"),
        ("~", "Lần 2"),
    ]
    # The class does not depend on the model: each manager is told its own.
    assert {type(Score.history), type(Assessment.history), type(Agency.history)} == {type(mine)}
    assert [m.model.__name__ for m in (Score.history, Assessment.history, Agency.history)] == [
        "HistoricalScore",
        "HistoricalAssessment",
        "HistoricalAgency",
    ]
