"""One agency's report for a period as an Excel file (openpyxl): one printable sheet.

The summary, what it would take to reach the next tier and rank, the fields against the group,
the agency's history and its full score sheet, one under the other. Labels follow the active
language; numbers are numbers, text is text (`ranking.cells.cell_put`).
"""

from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.utils import formats
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.page import PageMargins
from openpyxl.worksheet.worksheet import Worksheet

from ranking.cells import cell_put, sheet_title
from ranking.enums import Standing
from ranking.reports.agency import AgencyReport
from ranking.reports.exports.styles import (
    BORDER,
    CENTER,
    CHANGE_FORMAT,
    FONT_NAME,
    HEADER_FILL,
    INTEGER_FORMAT,
    LEFT,
    RIGHT,
    SCORE_FORMAT,
)

# Code, content, maximum, self, reviewed, final, proposed, decision, comment, explanation, reason.
WIDTHS = (9, 46, 11, 11, 11, 11, 11, 14, 36, 36, 30)
SIGNED_FORMAT = "+#,##0.00;-#,##0.00;0.00"
DASH = "—"
SECTION_FILL = PatternFill(fill_type="solid", start_color="F2F2F2", end_color="F2F2F2")


def font(*, bold: bool = False, size: int = 11, italic: bool = False) -> Font:
    return Font(name=FONT_NAME, size=size, bold=bold, italic=italic)


class SheetWriter:
    """Writes the report's sections one under the other, keeping track of the row."""

    def __init__(self, ws: Worksheet):
        self.ws = ws
        self.row = 1

    def cell(self, column: int, value: Any, *, number_format: str | None = None, align=LEFT, bold=False):
        cell = cell_put(self.ws.cell(row=self.row, column=column), value)
        cell.font = font(bold=bold)
        cell.alignment = align
        cell.border = BORDER
        if number_format:
            cell.number_format = number_format
        return cell

    def merged(self, first: int, last: int, value: Any, *, bold=False, size=11, align=LEFT, border=False):
        cell = cell_put(self.ws.cell(row=self.row, column=first), value)
        cell.font = font(bold=bold, size=size)
        cell.alignment = align
        if border:
            for column in range(first, last + 1):
                self.ws.cell(row=self.row, column=column).border = BORDER
        if last > first:
            self.ws.merge_cells(start_row=self.row, start_column=first, end_row=self.row, end_column=last)
        return cell

    def section(self, title: str) -> None:
        self.row += 1
        cell = self.merged(1, len(WIDTHS), title, bold=True, size=12)
        cell.fill = SECTION_FILL
        self.row += 1

    def header(self, texts: Sequence[str]) -> None:
        for column, text in enumerate(texts, start=1):
            cell = self.cell(column, text, align=CENTER, bold=True)
            cell.fill = HEADER_FILL
        self.row += 1

    def line(self, values: Sequence[tuple[Any, str | None]], *, bold: bool = False) -> None:
        for column, (value, number_format) in enumerate(values, start=1):
            align = LEFT if number_format is None else RIGHT
            self.cell(column, value, number_format=number_format, align=align, bold=bold)
        self.row += 1


def agency_workbook(report: AgencyReport) -> Workbook:
    """The report as one printable sheet: summary, what-if, fields against the group, component
    indices, history and the full score sheet, in that order."""
    workbook = Workbook()
    ws = workbook.active
    ws.title = sheet_title(report.agency.code, taken=set(), fallback="Báo cáo")
    for column, width in enumerate(WIDTHS, start=1):
        ws.column_dimensions[get_column_letter(column)].width = width
    out = SheetWriter(ws)
    heading(out, report)
    summary(out, report)
    whatif_section(out, report)
    fields_section(out, report)
    components_section(out, report)
    history_section(out, report)
    sheet_section(out, report)
    print_setup(ws)
    return workbook


def heading(out: SheetWriter, report: AgencyReport) -> None:
    for text, bold in zip(settings.CONFERENCE_ISSUER, (False, True), strict=False):
        out.merged(1, 2, text, bold=bold, size=12, align=CENTER)
        out.row += 1
    out.row += 1
    title = _("Evaluation report of %(agency)s") % {"agency": report.shown_agency.name}
    out.merged(1, len(WIDTHS), title, bold=True, size=14, align=CENTER)
    out.row += 1
    subtitle = f"{report.period.name} · {report.shown_result.group.name}"
    out.merged(1, len(WIDTHS), subtitle, bold=True, align=CENTER)
    out.row += 1


def summary(out: SheetWriter, report: AgencyReport) -> None:
    result = report.shown_result
    out.section(_("Result"))
    lines: list[tuple[str, Any, str | None]] = [
        (_("Total"), result.total, SCORE_FORMAT),
        (_("Maximum"), result.maximum, SCORE_FORMAT),
        (_("Index (%)"), result.index, SCORE_FORMAT),
        (_("Tier"), result.tier.label, None),
    ]
    if result.demoted:
        lines.append((_("Tier before demotion"), result.tier_before_demotion.label, None))
        if report.demotion:
            lines.append((_("Reason for the demotion"), report.demotion.reason, None))
    lines += [
        (_("Rank in the group"), result.rank, INTEGER_FORMAT),
        (_("Agencies in the group"), report.group_size, INTEGER_FORMAT),
        (_("Previous rank"), result.previous_rank, INTEGER_FORMAT),
        (_("Change"), result.change, CHANGE_FORMAT),
    ]
    if result.standing != Standing.RANKED:
        lines.append((_("Standing"), str(Standing(result.standing).label), None))
        lines.append((_("Reason for the standing"), result.standing_reason, None))
    if result.late:
        lines.append((_("Submitted late"), _("Yes"), None))
    for label, value, number_format in lines:
        out.merged(1, 2, label, bold=True, border=True)
        if number_format is None:
            out.merged(3, 6, value, border=True)
        else:
            out.cell(3, value, number_format=number_format, align=RIGHT)
        out.row += 1


def whatif_statements(report: AgencyReport) -> list[tuple[str, Any, str]]:
    """(label, points or None, statement) for the next tier and the next rank."""
    lines = []
    tier = report.next_tier
    if tier is None:
        text = _("Already in the highest tier before demotion.")
        lines.append((_("Points to the next tier"), None, text))
    elif tier.points is None:
        lines.append(
            (_("Points to the next tier"), None, _("No points can be gained on the agency's leaves."))
        )
    else:
        text = _("%(points)s more points to reach %(tier)s") % {
            "points": formats.number_format(tier.points, 2),
            "tier": report.next_tier_label,
        }
        if report.demotion_still_applies:
            text += " — " + _("the demotion still applies: %(tier)s") % {
                "tier": report.next_tier_after_demotion_label
            }
        if not tier.reachable:
            text += " — " + _("not reachable: at most %(points)s points can still be gained") % {
                "points": formats.number_format(tier.headroom, 2)
            }
        lines.append((_("Points to the next tier"), tier.points, text))
    rank = report.next_rank
    if rank is None:
        lines.append((_("Points to the next rank"), None, _("First in the group.")))
    elif rank.points is None:
        lines.append(
            (_("Points to the next rank"), None, _("No points can be gained on the agency's leaves."))
        )
    else:
        text = _("%(points)s more points to move up to rank %(rank)s") % {
            "points": formats.number_format(rank.points, 2),
            "rank": rank.rank,
        }
        if not rank.reachable:
            text += " — " + _("not reachable: at most %(points)s points can still be gained") % {
                "points": formats.number_format(rank.headroom, 2)
            }
        lines.append((_("Points to the next rank"), rank.points, text))
    return lines


def whatif_section(out: SheetWriter, report: AgencyReport) -> None:
    out.section(_("What it would take"))
    for label, points, text in whatif_statements(report):
        out.merged(1, 2, label, bold=True, border=True)
        out.cell(3, points, number_format=SCORE_FORMAT, align=RIGHT)
        out.merged(4, len(WIDTHS), text, border=True)
        out.row += 1


def fields_section(out: SheetWriter, report: AgencyReport) -> None:
    out.section(_("Fields against the group"))
    out.header(
        [
            _("Code"),
            _("Field"),
            _("Maximum"),
            _("Self-score"),
            _("Reviewed score"),
            _("Final score"),
            _("Group average"),
            _("Group best"),
            _("Against the average"),
        ]
    )
    for line in [*report.fields, report.total, report.index]:
        is_field = line in report.fields
        out.line(
            [
                (line.code if is_field else "", None),
                (line.title, None),
                (line.maximum, SCORE_FORMAT),
                (line.self_score, SCORE_FORMAT),
                (line.reviewed, SCORE_FORMAT),
                (line.final, SCORE_FORMAT),
                (line.group_average, SCORE_FORMAT),
                (line.group_best, SCORE_FORMAT),
                (line.difference, SIGNED_FORMAT),
            ],
            bold=not is_field,
        )


def components_section(out: SheetWriter, report: AgencyReport) -> None:
    out.section(_("Component indices"))
    out.header(
        [
            _("Code"),
            _("Field"),
            _("Maximum for the agency"),
            _("Final score"),
            _("Component index (%)"),
            _("Previous period (%)"),
            _("Change (percentage points)"),
        ]
    )
    for line in report.components:
        # A figure the result does not have is a dash, as on the page.
        out.line(
            [
                (line.code, None),
                (line.title, None),
                *(
                    (DASH, None) if value is None else (value, number_format)
                    for value, number_format in (
                        (line.maximum, SCORE_FORMAT),
                        (line.points, SCORE_FORMAT),
                        (line.index, SCORE_FORMAT),
                        (line.previous, SCORE_FORMAT),
                        (line.change, SIGNED_FORMAT),
                    )
                ),
            ]
        )


def history_section(out: SheetWriter, report: AgencyReport) -> None:
    out.section(_("Rank and tier across the years"))
    out.header(
        [_("Year"), _("Period"), _("Rank"), _("Agencies in the group"), _("Index (%)"), _("Total"), _("Tier")]
    )
    for point in report.history:
        period = point.period.name + (f" ({_('imported')})" if point.imported else "")
        out.line(
            [
                (point.year, INTEGER_FORMAT),
                (period, None),
                (point.rank, INTEGER_FORMAT),
                (point.group_size, INTEGER_FORMAT),
                (point.index, SCORE_FORMAT),
                (point.total, SCORE_FORMAT),
                (point.tier_label, None),
            ],
            bold=point.current,
        )


def sheet_section(out: SheetWriter, report: AgencyReport) -> None:
    out.section(_("Score sheet"))
    out.header(
        [
            _("Code"),
            _("Content"),
            _("Maximum"),
            _("Self-score"),
            _("Reviewed score"),
            _("Final score"),
            _("Proposed score"),
            _("Decision"),
            _("Reviewer's comment"),
            _("Explanation"),
            _("Reason for the decision"),
        ]
    )
    for row in report.rows:
        c = row.criterion
        if not row.is_leaf:
            out.line(
                [
                    (c.code, None),
                    (c.title, None),
                    (row.max_points, SCORE_FORMAT),
                    (row.self_subtotal, SCORE_FORMAT),
                    (row.reviewed_subtotal, SCORE_FORMAT),
                    (row.final_subtotal, SCORE_FORMAT),
                    *[(None, None)] * 5,
                ],
                bold=True,
            )
            continue
        s = row.score
        # The self-score follows the agency's "does not arise", the others the final word.
        scores = [
            (_("does not arise"), None)
            if s is not None and (s.not_arising if name == "self_score" else s.final_not_arising)
            else (getattr(s, name, None), SCORE_FORMAT)
            for name in ("self_score", "reviewed_score", "final_score")
        ]
        out.line(
            [
                (c.code, None),
                (c.title, None),
                (c.max_points, SCORE_FORMAT),
                *scores,
                (s.proposed_score if s else None, SCORE_FORMAT),
                (s.get_decision_display() if s and s.decision else None, None),
                (s.review_comment if s else None, None),
                (s.explanation if s else None, None),
                (s.decision_reason if s else None, None),
            ]
        )


def print_setup(ws: Worksheet) -> None:
    """Landscape A4, one page wide, as many pages down as needed."""
    ws.page_setup.orientation = ws.ORIENTATION_LANDSCAPE
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.page_margins = PageMargins(left=0.4, right=0.4, top=0.6, bottom=0.6, header=0.3, footer=0.3)
    ws.oddFooter.center.text = "&P / &N"
    ws.oddFooter.center.font = FONT_NAME
    ws.print_area = f"A1:{get_column_letter(len(WIDTHS))}{ws.max_row}"
