"""What every view of the evaluation shares: loading objects, refusing, answering htmx."""

import re

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from django.template.loader import render_to_string
from django.utils.translation import gettext as _

from ranking.errors import ServiceError
from ranking.models import Assessment, Period
from ranking.numbers import excerpt, parse_decimal, too_large
from ranking.rules import PERMISSION_MESSAGES


def assessment_or_404(pk: int) -> Assessment:
    return get_object_or_404(
        Assessment.objects.select_related("period", "agency__group", "reviewer", "submitted_by"), pk=pk
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


def page_version(score) -> int:
    """The version a page shows for a leaf's score.

    A leaf without a score row yet: the service creates it with version 1 before comparing,
    so 1 is what the page saw; anyone else's save since then makes it 2 or more.
    """
    return score.version if score else 1


def whole_number(text: str | None) -> int | None:
    """A non-negative whole number typed or sent in a form (ASCII digits only: "²" is not 2), or None."""
    text = (text or "").strip()
    return int(text) if re.fullmatch(r"[0-9]{1,9}", text) else None


def posted_version(data) -> int | None:
    """The score version the page showed; None (no check) when the form sent none."""
    return whole_number(data.get("version"))
