"""Workbooks written byte by byte, as a broken program or an attacker would write them.

openpyxl only writes sound workbooks; the import's limits are about the others: sheets of a
million rows that pack into a few hundred kilobytes, a `<dimension>` that lies, a table of
shared strings that unpacks to hundreds of megabytes. The parts are streamed into the zip
archive, so a large one never has to be held in memory while it is built.
"""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterable, Iterator, Sequence
from xml.sax.saxutils import escape, quoteattr

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
RELATIONSHIPS = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PACKAGE_RELATIONSHIPS = "http://schemas.openxmlformats.org/package/2006/relationships"
TYPE = "http://schemas.openxmlformats.org/officeDocument/2006/relationships/"
CONTENT = "application/vnd.openxmlformats-officedocument.spreadsheetml."
RELS = "application/vnd.openxmlformats-package.relationships+xml"

# The least stylesheet openpyxl reads without warning that the workbook has none.
STYLES = (
    f'<styleSheet xmlns="{MAIN}"><fonts count="1"><font><sz val="11"/><name val="Calibri"/></font></fonts>'
    '<fills count="2"><fill><patternFill/></fill><fill><patternFill patternType="gray125"/></fill></fills>'
    '<borders count="1"><border><left/><right/><top/><bottom/><diagonal/></border></borders>'
    '<cellStyleXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0"/></cellStyleXfs>'
    '<cellXfs count="1"><xf numFmtId="0" fontId="0" fillId="0" borderId="0" xfId="0"/></cellXfs>'
    '<cellStyles count="1"><cellStyle name="Normal" xfId="0" builtinId="0"/></cellStyles></styleSheet>'
)

Part = bytes | str | Iterable[bytes]


def cell_xml(value, ref: str | None = None) -> str:
    """One cell: text inline (as openpyxl writes it), numbers as numbers; None is no cell."""
    at = f' r="{ref}"' if ref else ""
    if isinstance(value, str):
        return f'<c{at} t="inlineStr"><is><t xml:space="preserve">{escape(value)}</t></is></c>'
    return f"<c{at}><v>{value}</v></c>"


def sheet_xml(
    rows: Iterable[Sequence], *, dimension: str | None = None, numbered: bool = True
) -> Iterator[bytes]:
    """A worksheet, row by row; `numbered` writes every row's and cell's reference (`r`), as
    Excel does. Without it, readers count rows and cells in order."""
    head = f'<worksheet xmlns="{MAIN}">'
    if dimension:
        head += f'<dimension ref="{dimension}"/>'
    yield (head + "<sheetData>").encode()
    for number, row in enumerate(rows, start=1):
        cells = []
        for column, value in enumerate(row, start=1):
            if value is not None:
                cells.append(cell_xml(value, f"{column_letter(column)}{number}" if numbered else None))
        opening = f'<row r="{number}">' if numbered else "<row>"
        yield (opening + "".join(cells) + "</row>").encode()
    yield b"</sheetData></worksheet>"


def shared_strings_xml(strings: Iterable[str]) -> Iterator[bytes]:
    yield f'<sst xmlns="{MAIN}">'.encode()
    for text in strings:
        yield f"<si><t>{escape(text)}</t></si>".encode()
    yield b"</sst>"


def column_letter(number: int) -> str:
    letters = ""
    while number:
        number, rest = divmod(number - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def xlsx_bytes(
    sheets: dict[str, Part],
    *,
    shared_strings: Part | None = None,
    styles: Part = STYLES,
    extra: dict[str, Part] | None = None,
) -> bytes:
    """A whole .xlsx package: one worksheet part per entry of `sheets`, in order, each given as
    its XML (str, bytes, or an iterable of byte chunks, e.g. `sheet_xml(...)`)."""
    names = list(sheets)
    overrides = [
        ("/xl/workbook.xml", CONTENT + "sheet.main+xml"),
        ("/xl/styles.xml", CONTENT + "styles+xml"),
        *((f"/xl/worksheets/sheet{i}.xml", CONTENT + "worksheet+xml") for i in range(1, len(names) + 1)),
    ]
    relations = [
        *((f"rId{i}", "worksheet", f"worksheets/sheet{i}.xml") for i in range(1, len(names) + 1)),
        (f"rId{len(names) + 1}", "styles", "styles.xml"),
    ]
    if shared_strings is not None:
        overrides.append(("/xl/sharedStrings.xml", CONTENT + "sharedStrings+xml"))
        relations.append((f"rId{len(names) + 2}", "sharedStrings", "sharedStrings.xml"))
    parts: dict[str, Part] = {
        "[Content_Types].xml": (
            '<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            f'<Default Extension="rels" ContentType="{RELS}"/>'
            '<Default Extension="xml" ContentType="application/xml"/>'
            + "".join(f'<Override PartName="{name}" ContentType="{kind}"/>' for name, kind in overrides)
            + "</Types>"
        ),
        "_rels/.rels": (
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}"><Relationship Id="rId1" '
            f'Type="{TYPE}officeDocument" Target="xl/workbook.xml"/></Relationships>'
        ),
        "xl/workbook.xml": (
            f'<workbook xmlns="{MAIN}" xmlns:r="{RELATIONSHIPS}"><sheets>'
            + "".join(
                f"<sheet name={quoteattr(name)} sheetId=\"{i}\" r:id=\"rId{i}\"/>"
                for i, name in enumerate(names, start=1)
            )
            + "</sheets></workbook>"
        ),
        "xl/_rels/workbook.xml.rels": (
            f'<Relationships xmlns="{PACKAGE_RELATIONSHIPS}">'
            + "".join(
                f'<Relationship Id="{rid}" Type="{TYPE}{kind}" Target="{target}"/>'
                for rid, kind, target in relations
            )
            + "</Relationships>"
        ),
        "xl/styles.xml": styles,
        **{f"xl/worksheets/sheet{i}.xml": sheets[name] for i, name in enumerate(names, start=1)},
    }
    if shared_strings is not None:
        parts["xl/sharedStrings.xml"] = shared_strings
    parts.update(extra or {})
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        for name, part in parts.items():
            with archive.open(name, "w") as member:
                for chunk in chunks_of(part):
                    member.write(chunk)
    return buffer.getvalue()


def chunks_of(part: Part) -> Iterator[bytes]:
    if isinstance(part, str):
        yield part.encode()
    elif isinstance(part, bytes):
        yield part
    else:
        yield from part
