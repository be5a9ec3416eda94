"""Request clean-up shared by every view."""

from collections.abc import Callable

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.utils.translation import gettext as _

from ranking.notifications import undelivered_mail
from ranking.text import clean_text

FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def clean_posted_text(get_response: Callable[[HttpRequest], HttpResponse]):
    """Posted text as `clean_text` keeps it (no NUL or other control character, line breaks as
    line feeds), so forms and services check, compare and store the text that will be kept.

    A password only loses its NUL characters (PostgreSQL cannot store them, no one types them):
    cleaning it further would stop it matching the password set before.
    """

    def middleware(request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.content_type in FORM_TYPES:
            posted = list(request.POST.lists())
            cleaned = {key: [_cleaned(key, value) for value in values] for key, values in posted}
            if cleaned != dict(posted):
                copy = request.POST.copy()
                for key, values in cleaned.items():
                    copy.setlist(key, values)
                copy._mutable = False
                request.POST = copy
        return get_response(request)

    return middleware


def _cleaned(key: str, value: str) -> str:
    if "password" in key:
        return value.replace("\x00", "")
    return clean_text(value)


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
