"""Request clean-up shared by every view."""

from collections.abc import Callable

from django.http import HttpRequest, HttpResponse


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
