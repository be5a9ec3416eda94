"""What every view of the evaluation shares: loading objects, refusing, answering htmx."""

import re
from collections.abc import Callable, Collection
from dataclasses import dataclass

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import get_object_or_404, redirect
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ranking.enums import AssessmentStatus
from ranking.errors import ScoreConflict, ServiceError
from ranking.models import Assessment, Period, Score
from ranking.numbers import excerpt, parse_decimal, too_large
from ranking.rules import PERMISSION_MESSAGES
from ranking.text import clean_text

# --- the score pages' two layouts ------------------------------------------------------------
#
# The compact grid (one row per leaf, spreadsheet keys) and the detailed cards (one card per
# leaf). `?xem=bang` or `?xem=chi-tiet` chooses, and the choice is remembered in a cookie; with
# no choice, the grid where the browser said its window is wide (`static/js/app.js` writes the
# cookie `man-hinh` on every page), the cards elsewhere: a phone, or a browser without
# JavaScript, which the grid needs to save.
GRID, DETAILED = "bang", "chi-tiet"
LAYOUT_COOKIE = "xem"
SCREEN_COOKIE = "man-hinh"
WIDE = "rong"
LAYOUT_COOKIE_AGE = 365 * 24 * 3600


def layout_asked(request: HttpRequest) -> str | None:
    """The layout asked for in the address, if any."""
    asked = request.GET.get(LAYOUT_COOKIE)
    return asked if asked in (GRID, DETAILED) else None


def detailed_layout(request: HttpRequest, *, cards_first: bool = False) -> bool:
    """Whether the score page shows the detailed cards. `cards_first`: the page's work is done
    in the cards (explanations), so they come first unless the address asks for the grid."""
    asked = layout_asked(request)
    if asked is not None:
        return asked == DETAILED
    if cards_first:
        return True
    remembered = request.COOKIES.get(LAYOUT_COOKIE)
    if remembered in (GRID, DETAILED):
        return remembered == DETAILED
    return request.COOKIES.get(SCREEN_COOKIE) != WIDE


def layout_remembered(request: HttpRequest, response: HttpResponse) -> HttpResponse:
    """Keep the layout asked for in the address as the user's choice for the next pages."""
    asked = layout_asked(request)
    if asked is not None and request.COOKIES.get(LAYOUT_COOKIE) != asked:
        response.set_cookie(LAYOUT_COOKIE, asked, max_age=LAYOUT_COOKIE_AGE, samesite="Lax", httponly=True)
    return response


def assessment_or_404(pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("period", "agency__group", "group", "reviewer", "submitted_by"),
        pk=pk,
    )


def period_or_404(code: str) -> Period:
    return get_object_or_404(Period, code=code)


def allow(request: HttpRequest, permission: str, obj=None) -> None:
    """Refuse with 403 unless the user holds `permission` on `obj` (checked on the server)."""
    if not request.user.has_perm(permission, obj):
        raise PermissionDenied(str(PERMISSION_MESSAGES.get(permission, "")))


def decimal_or_error(text: str | None) -> tuple[object, str | None]:
    """A number typed in a form (7,5 or 7.5), None when blank, or an error message."""
    if text is None or not str(text).strip():
        return None, None
    value = parse_decimal(text)
    if value is None:
        return None, _("“%(value)s” is not a number.") % {"value": excerpt(text)}
    problem = too_large(value, text)
    if problem:
        return None, problem
    return value, None


def service_error_response(request: HttpRequest, error: ServiceError, *, status: int = 422) -> HttpResponse:
    """A refusal as a fragment htmx can show in place, or as a page."""
    html = render_to_string("ranking/_errors.html", {"messages_list": error.messages}, request=request)
    return HttpResponse(html, status=status)


def refusal_fragment(request: HttpRequest, error: PermissionDenied) -> HttpResponse:
    """A refusal of an htmx post as a short fragment the row can show (status 403)."""
    message = str(error) or _("You may not do this now.")
    html = render_to_string("ranking/_errors.html", {"messages_list": [message]}, request=request)
    return HttpResponse(html, status=403)


# The answers of a leaf save: its fragment shows the saved row, the newer score, or what to fix.
SAVED, CONFLICT, INVALID = 200, 409, 422


def leaf_save(
    request: HttpRequest,
    save: Callable[[], Score],
    *,
    answer: Callable[..., HttpResponse],
    back: str,
    saved_message: str,
) -> HttpResponse:
    """Run one leaf's save and answer it the same way on every page.

    `save` checks the permission and writes (raising PermissionDenied, ScoreConflict or
    ServiceError); `answer(status=, score=, messages=)` renders the page's own fragment for
    the leaf with status SAVED, CONFLICT (`score` is the newer one) or INVALID.

    With htmx: a refusal is the 403 fragment, the other outcomes the page's fragment. Without
    htmx: a refusal is the 403 page, the other outcomes go `back` to the leaf with a message.
    """
    try:
        score = save()
    except PermissionDenied as error:
        if request.htmx:
            return refusal_fragment(request, error)
        raise
    except ScoreConflict as conflict:
        if request.htmx:
            return answer(status=CONFLICT, score=conflict.score, messages=conflict.messages)
        for line in conflict.messages:
            messages.warning(request, line)
        return redirect(back)
    except ServiceError as error:
        if request.htmx:
            return answer(status=INVALID, score=None, messages=error.messages)
        for line in error.messages:
            messages.error(request, line)
        return redirect(back)
    if request.htmx:
        return answer(status=SAVED, score=score, messages=[])
    messages.success(request, saved_message)
    return redirect(back)


def whole_number(text: str | None) -> int | None:
    """A non-negative whole number typed or sent in a form (ASCII digits only: "²" is not 2), or None."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def posted_version(data) -> int | None:
    """The score version the page showed; None (no check) when the form sent none."""
    return whole_number(data.get("version"))


@dataclass(frozen=True)
class ListState:
    """A list page's search, status filter, sort and page, read from the address with only
    known values kept: the sort is one of the page's whitelisted keys, the status a real one.
    Actions taken from the list carry it (`query`) and return to the same place."""

    search: str = ""
    status: str = ""
    sort: str = ""
    page: str = ""

    @classmethod
    def read(cls, data, sorts: Collection[str]) -> "ListState":
        status = data.get("status", "")
        sort = data.get("sort", "")
        page = data.get("page", "")
        return cls(
            search=clean_text(data.get("q", "")).strip()[:100],
            status=status if status in AssessmentStatus.values else "",
            sort=sort if sort.removeprefix("-") in sorts else "",
            page=page if whole_number(page) else "",
        )

    def query(self, **changes: str) -> str:
        values = {"q": self.search, "status": self.status, "sort": self.sort, "page": self.page, **changes}
        kept = QueryDict(mutable=True)
        for key, value in values.items():
            if value:
                kept[key] = value
        return kept.urlencode()

    def sort_query(self, key: str) -> str:
        """The address that sorts by `key`: ascending first, descending when already ascending."""
        return self.query(sort=f"-{key}" if self.sort == key else key, page="")

    def direction(self, key: str) -> str:
        return "ascending" if self.sort == key else "descending" if self.sort == f"-{key}" else ""

    @property
    def filtered(self) -> bool:
        return bool(self.search or self.status)
