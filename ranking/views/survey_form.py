"""The survey's public form: anyone holding an invitation's link answers once, without signing in.

Nothing of the person is asked or kept; the form is CSRF-protected (Django's middleware) and
the POSTs of one address are limited (`SURVEY_POSTS_PER_ADDRESS` per `POST_WINDOW` seconds) in
the cache. The limit is generous: a meeting room answering together comes from one address, and
the quotas, not the limit, are what keep a flood of forms out of the figures.
"""

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods

from accounts.security import client_address
from ranking.enums import Phase
from ranking.errors import ServiceError
from ranking.models import SurveyInvitation, SurveyQuestion
from ranking.surveys.selectors import invitation_by_token, questions_of
from ranking.surveys.services import SurveyTokenUnknown, SurveyTokenUsed, response_submit

POST_WINDOW = 10 * 60


def too_many_posts(request: HttpRequest) -> bool:
    """Count this POST against its address; True once the address has sent more than the limit."""
    key = f"survey-post:{client_address(request) or 'unknown'}"
    cache.add(key, 0, POST_WINDOW)
    try:
        count = cache.incr(key)
    except ValueError:  # expired between add and incr
        cache.set(key, 1, POST_WINDOW)
        count = 1
    return count > settings.SURVEY_POSTS_PER_ADDRESS


def state_page(request: HttpRequest, invitation: SurveyInvitation, state: str, status: int = 200):
    return render(
        request, "ranking/survey/state.html", {"invitation": invitation, "state": state}, status=status
    )


def form_page(
    request: HttpRequest,
    invitation: SurveyInvitation,
    questions: list[SurveyQuestion],
    chosen: dict[str, str],
    errors: list[str],
) -> HttpResponse:
    items = [
        {
            "question": q,
            "choices": q.scale.choices,
            "chosen": chosen.get(q.code, ""),
            "missing": bool(errors) and not chosen.get(q.code),
        }
        for q in questions
    ]
    return render(
        request,
        "ranking/survey/form.html",
        {"invitation": invitation, "items": items, "errors": errors},
        status=422 if errors else 200,
    )


@require_http_methods(["GET", "POST"])
def survey_form(request: HttpRequest, token: str) -> HttpResponse:
    if request.method == "POST" and too_many_posts(request):
        return render(request, "ranking/survey/too_many.html", status=429)
    invitation = invitation_by_token(token=token)
    if invitation is None:
        raise Http404(_("This survey link does not exist."))
    if invitation.used_on is not None:
        return state_page(request, invitation, "used")
    if invitation.period.phase == Phase.PUBLISHED:
        return state_page(request, invitation, "closed")
    questions = questions_of(group=invitation.group)
    if request.method == "GET":
        return form_page(request, invitation, questions, {}, [])
    chosen = {q.code: request.POST.get(f"q-{q.code}", "").strip() for q in questions}
    try:
        response_submit(token=token, answers={code: option for code, option in chosen.items() if option})
    except SurveyTokenUnknown as error:
        raise Http404(str(error)) from error
    except SurveyTokenUsed:
        return state_page(request, invitation, "used")
    except ServiceError as error:
        return form_page(request, invitation, questions, chosen, error.messages)
    return state_page(request, invitation, "thanks")
