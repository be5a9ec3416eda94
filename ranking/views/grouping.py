"""The results pages of a large period, one group (khối) at a time, and their rows made cheap.

A period with more agencies than `settings.RESULTS_PAGE_ROWS` shows one group's tables per
page: a bar names every group with its number of agencies (`?khoi=<group code>`, the first
group by default) and links to the full table of every group (`?khoi=tat-ca`), the one to
print. A smaller period shows every group on one page, as it always has, and ignores `?khoi=`.

The tables of a large period (a group's page and the full table) are lean: one line per row,
cells without classes (the table's class `lean-results` / `lean-standings` lays them out,
static/css/app.css), and on the council's page the standing and late forms of the one agency
asked for (`?sua=<assessment id>`), a link on every other row. After a change there the
council comes back to the group's page (`group_address`).

The rows' numbers are written here, once per cell, as `floatformat:2` writes them (the
language's decimal mark, two places, half up, never a grouping separator: the settings turn
grouping off), which costs a fraction of the filter on a page of a thousand rows.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils.formats import get_format
from django.utils.safestring import SafeString

from ranking.models import Assessment, Period

GROUP_PARAMETER = "khoi"
# The council's page: the agency whose standing forms are shown (the others have a link).
EDIT_PARAMETER = "sua"
ALL_GROUPS = "tat-ca"
DEFAULT_PAGE_ROWS = 300
CENT = Decimal("0.01")


@dataclass(frozen=True)
class GroupTab:
    code: str
    name: str
    count: int
    href: str
    current: bool


@dataclass(frozen=True)
class GroupPages:
    """Which group the page shows (None: every group, the full table) and the bar's links."""

    shown: int | None
    tabs: list[GroupTab]
    full_href: str
    total: int
    shown_code: str = ALL_GROUPS

    @property
    def full(self) -> bool:
        return self.shown is None

    def address(self, more: str) -> str:
        """The query of this very page followed by `more` (`name=`)."""
        return "?" + urlencode({GROUP_PARAMETER: self.shown_code}) + "&" + more

    def keep(self, rows: Iterable, group_id=lambda row: row.group_id) -> list:
        """The rows of the group shown (all of them on the full table)."""
        if self.shown is None:
            return list(rows)
        return [row for row in rows if group_id(row) == self.shown]


def page_rows() -> int:
    return getattr(settings, "RESULTS_PAGE_ROWS", DEFAULT_PAGE_ROWS)


def group_pages(request: HttpRequest, agencies: Iterable) -> GroupPages | None:
    """None when the period fits on one page; else the group asked for by `?khoi=`.

    `agencies`: one (group, …) per agency of the period the page lists, any order.
    """
    groups: dict[int, object] = {}
    counts: dict[int, int] = {}
    total = 0
    for group in agencies:
        groups.setdefault(group.pk, group)
        counts[group.pk] = counts.get(group.pk, 0) + 1
        total += 1
    if total <= page_rows() or not groups:
        return None
    ordered = sorted(groups.values(), key=lambda g: (g.order, g.code))
    asked = request.GET.get(GROUP_PARAMETER, "")
    shown = None if asked == ALL_GROUPS else next((g.pk for g in ordered if g.code == asked), ordered[0].pk)
    tabs = [
        GroupTab(
            code=g.code,
            name=g.name,
            count=counts[g.pk],
            href="?" + urlencode({GROUP_PARAMETER: g.code}),
            current=g.pk == shown,
        )
        for g in ordered
    ]
    return GroupPages(
        shown=shown,
        tabs=tabs,
        full_href="?" + urlencode({GROUP_PARAMETER: ALL_GROUPS}),
        total=total,
        shown_code=next((g.code for g in ordered if g.pk == shown), ALL_GROUPS),
    )


def group_address(period: Period, group) -> str:
    """The council's results page where `group` is shown (after a change made there)."""
    url = reverse("provisional_results", args=[period.code])
    if group is not None and Assessment.objects.filter(period=period).count() > page_rows():
        url += "?" + urlencode({GROUP_PARAMETER: group.code})
    return url


def two_places(value, mark: str) -> str:
    """`value|floatformat:2` with the decimal mark `mark` (None: nothing, as the filter)."""
    if value is None:
        return ""
    number = value if isinstance(value, Decimal) else Decimal(str(value))
    rounded = number.quantize(CENT, ROUND_HALF_UP)
    text = format(rounded, "f")
    if text[0] == "-" and not rounded:
        text = text[1:]
    return text if mark == "." else text.replace(".", mark)


def cell(value, mark: str) -> str:
    return "—" if value is None else two_places(value, mark)


def decimal_mark() -> str:
    return get_format("DECIMAL_SEPARATOR")


@dataclass(frozen=True, slots=True)
class ResultRow:
    """One result with its numbers written: total, maximum, index, and the cells of its field
    scores and component indices ("—" where there is none)."""

    result: object
    total: str
    maximum: str
    index: str
    fields: list[str]
    indices: list[str]

    @property
    def cells(self) -> SafeString:
        """The field and component cells as one piece of markup (a large period's lean table):
        one template variable instead of two per field. Numbers and dashes need no escaping."""
        return SafeString("".join(f"<td>{text}</td>" for text in (*self.fields, *self.indices)))


def result_rows(results: Iterable, mark: str, *, fields=None, indices=None) -> list[ResultRow]:
    """The rows of `results`; `fields(result)` and `indices(result)` give a row's field scores
    and component indices (none when not given)."""
    return [
        ResultRow(
            result=r,
            total=two_places(r.total, mark),
            maximum=two_places(r.maximum, mark),
            index=two_places(r.index, mark),
            fields=[cell(v, mark) for v in fields(r)] if fields else [],
            indices=[cell(v, mark) for v in indices(r)] if indices else [],
        )
        for r in results
    ]
