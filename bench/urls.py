"""The application's URLs plus the load test's two reference views.

- `bench/ok/`: the anchor, a bare view answering "ok";
- `bench/write/<score id>/`: a diagnostic floor, not a goal — the least a signed-in save
  must do (session, user, one UPDATE in a transaction, commit), to tell how much of an
  autosave is the application's own work.
"""

from django.contrib.auth.decorators import login_required
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest, HttpResponse
from django.urls import include, path
from django.views.decorators.http import require_POST


def ok(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


@login_required
@require_POST
def minimal_write(request: HttpRequest, score_id: int) -> HttpResponse:
    from ranking.models import Score

    with transaction.atomic():
        updated = Score.objects.filter(pk=score_id, assessment__agency_id=request.user.agency_id).update(
            note=F("note")
        )
    return HttpResponse("ok" if updated else "no", content_type="text/plain")


urlpatterns = [
    path("bench/ok/", ok, name="bench_ok"),
    path("bench/write/<int:score_id>/", minimal_write, name="bench_write"),
    path("", include("config.urls")),
]
