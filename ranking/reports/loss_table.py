"""The loss table of the analysis pages: its columns, their sort keys and headings.

Vietnamese titles sort as a dictionary reads them, figures largest first.
"""

import unicodedata

from django.utils.translation import gettext_lazy

# The loss table's columns, in order: ?sort=<key> ascending, ?sort=-<key> descending.
LOSS_COLUMNS = {
    "code": (gettext_lazy("Code"), lambda row: row.criterion.sort_key),
    "title": (gettext_lazy("Criterion"), lambda row: alphabetical(row.criterion.title)),
    "max": (gettext_lazy("Maximum"), lambda row: row.max_points),
    "agencies": (gettext_lazy("Agencies"), lambda row: row.agencies),
    "losing": (gettext_lazy("Agencies losing points"), lambda row: row.losing),
    "total": (gettext_lazy("Points lost, total"), lambda row: row.lost_total),
    "average": (gettext_lazy("Points lost per agency"), lambda row: row.lost_average),
}
# Text columns read A→Z first; figures read largest first.
TEXT_COLUMNS = ("code", "title")


def alphabetical(title: str) -> str:
    """A sort key that reads Vietnamese roughly as a dictionary does: tones and vowel marks
    aside, and đ right after d (not after z, as in code-point order)."""
    bare = "".join(
        ch for ch in unicodedata.normalize("NFD", title.casefold()) if not unicodedata.combining(ch)
    )
    return bare.replace("đ", "d~")


def sorted_losses(rows: list, sort: str) -> tuple[list, str]:
    """The rows in the order ?sort= asks for, and the sort applied (tree order when unknown)."""
    key = sort.removeprefix("-")
    if key not in LOSS_COLUMNS:
        return rows, "code"
    # Ties keep tree order: Python's sort is stable.
    return sorted(rows, key=LOSS_COLUMNS[key][1], reverse=sort.startswith("-")), sort


def loss_columns(current: str) -> list[dict]:
    """Each column's heading: its label, the ?sort= a click asks for and its aria-sort state."""
    columns = []
    for key, (label, _key) in LOSS_COLUMNS.items():
        if current == key:
            state, next_sort = "ascending", f"-{key}"
        elif current == f"-{key}":
            state, next_sort = "descending", key
        else:
            state, next_sort = "none", key if key in TEXT_COLUMNS else f"-{key}"
        columns.append(
            {
                "key": key,
                "label": label,
                "numeric": key not in TEXT_COLUMNS,
                "state": state,
                "next": next_sort,
            }
        )
    return columns
