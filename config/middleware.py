"""Request clean-up shared by every view."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ranking.services.notifications import undelivered_mail


def strip_nul_characters(get_response: Callable[[HttpRequest], HttpResponse]):
    """Drop NUL characters from posted text: no one types them, and PostgreSQL cannot store them."""

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in (
            "application/x-www-form-urlencoded",
            "multipart/form-data",
        ) and any("\x00" in value for _key, values in request.POST.lists() for value in values):
            cleaned = request.POST.copy()
            for key, values in cleaned.lists():
                cleaned.setlist(key, [value.replace("\x00", "") for value in values])
            cleaned._mutable = False
            request.POST = cleaned
        return get_response(request)

    return middleware


def undelivered_mail_warning(get_response: Callable[[HttpRequest], HttpResponse]):
    """Warn, beside the success of a change, that its e-mail notification could not be sent.

    Sits inside the message middleware: the warning is stored with the page's other messages.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        with undelivered_mail() as failed:
            response = get_response(request)
        if failed:
            messages.warning(
                request,
                _(
                    "The change is saved, but its e-mail notification could not be sent. Please tell "
                    "the people concerned directly; the administrator can find the cause in the log."
                ),
            )
        return response

    return middleware
