"""The decision announcing a publication (quyết định công bố), with its annexes.

Generated from the publication's frozen snapshot alone (`PublishedResults`), never from the
live tables: renaming an agency after publishing changes nothing in the decision, exactly as
on the public site. The Word document comes from the active `DecisionTemplate` an
administrator uploaded, or the default one; the PDF from it, with LibreOffice where the server
has it. The template's variables are listed in docs/decision.md (`decision_context`).
"""

from __future__ import annotations

import datetime
import logging
import os
import re
import shutil
import signal
import subprocess
import tempfile
import zipfile
from decimal import ROUND_HALF_UP, Decimal
from io import BytesIO
from pathlib import Path

from django.conf import settings
from django.utils import timezone, translation
from django.utils.formats import number_format
from django.utils.translation import gettext as _
from docxtpl import DocxTemplate
from jinja2 import TemplateError
from jinja2.sandbox import SandboxedEnvironment

from ranking.documents.default_template import default_template
from ranking.enums import Subject
from ranking.errors import ServiceError
from ranking.models import DecisionTemplate, Period, Publication
from ranking.numbers import vietnamese_date
from ranking.reports.exports.conference import SUBJECT_TITLES
from ranking.results.publications import PublishedResults
from ranking.text import clean_text

logger = logging.getLogger(__name__)

DOCX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
CENT = Decimal("0.01")
# What XML 1.0 cannot carry beside the C0 controls `clean_text` drops: surrogates, U+FFFE/U+FFFF.
NOT_XML = re.compile("[\ud800-\udfff\ufffe\uffff]")
# Shown where the council has not recorded the decision yet: the document can be printed for signing.
BLANK_NUMBER = "……/QĐ-UBND"
BLANK_DATE = "ngày …… tháng …… năm ……"


class DocumentError(ServiceError):
    """The decision could not be generated or converted; the message says what to do."""


# --- text and numbers as the document shows them -------------------------------------------------


def line(value) -> str:
    """One line of text safe in the document's XML: no control character, no line break.

    The template escapes `<`, `&` and quotes (autoescape); what XML cannot carry at all is
    dropped here, and a line break or tab (which docxtpl would turn into a break or a tab
    stop) becomes one space.
    """
    text = NOT_XML.sub("", clean_text(str(value if value is not None else "")))
    return " ".join(text.split())


def vn_number(value: Decimal | None) -> str:
    """1234.5 → "1.234,50": two decimals, rounded half up as on every page, Vietnamese separators."""
    if value is None:
        return ""
    with translation.override("vi"):
        return number_format(
            value.quantize(CENT, rounding=ROUND_HALF_UP), decimal_pos=2, use_l10n=True, force_grouping=True
        )


def vn_date(value: datetime.date | None) -> str:
    return value.strftime("%d/%m/%Y") if value else ""


def vn_date_long(value: datetime.date | None) -> str:
    """As an administrative document writes it: days below 10 and the months 1 and 2 with a
    leading zero ("ngày 05 tháng 02 năm 2020", "ngày 01 tháng 6 năm 2018")."""
    if value is None:
        return BLANK_DATE
    return vietnamese_date(value)


# --- the template's variables ------------------------------------------------------------------


# An official document: Vietnamese whatever the reader's language, as the rest of the decision.
NOT_RANKED = "Không xếp hạng"


def decision_context(publication: Publication) -> dict:
    """Everything the template may show, as text (docs/decision.md lists every key)."""
    shown = PublishedResults(publication)
    period = publication.period
    subject = SUBJECT_TITLES[period.subject]
    groups = []
    for block in shown.by_group():
        groups.append(
            {
                "name": line(block.group.name),
                "code": line(block.group.code),
                "tier_summary": ", ".join(f"{n} {line(label)}" for label, n in block.tier_counts),
                "rows": [
                    {
                        # Assessed but not ranked: the annex says so where the rank would be.
                        "rank": NOT_RANKED if r.rank is None else str(r.rank),
                        "agency": line(r.agency.name),
                        "code": line(r.agency.code),
                        "total": vn_number(r.total),
                        "maximum": vn_number(r.maximum),
                        "index": vn_number(r.index),
                        "tier": line(r.tier.label),
                        "tier_before_demotion": line(r.tier_before_demotion.label),
                        "demoted": r.demoted,
                        "previous_rank": "" if r.previous_rank is None else str(r.previous_rank),
                        "field_scores": [
                            {"code": line(f.code), "score": vn_number(_decimal(r.field_scores.get(f.code)))}
                            for f in shown.fields
                        ],
                        "field_indices": [
                            {"code": line(f.code), "index": vn_number(_decimal(r.field_indices.get(f.code)))}
                            for f in shown.fields
                        ],
                    }
                    for r in block.results
                ],
            }
        )
    awards = [
        {
            "number": str(number),
            "agency": line(entry.agency.name),
            "code": line(entry.agency.code),
            "group": line(entry.group.name),
            "rank": "" if entry.result is None or entry.result.rank is None else str(entry.result.rank),
            "index": vn_number(entry.result.index) if entry.result else "",
            "tier": line(entry.result.tier.label) if entry.result else "",
        }
        for number, entry in enumerate(shown.awards, start=1)
    ]
    # Agencies the council left out (không đánh giá): the decision names them with the reason.
    excluded = [
        {
            "agency": line(item.agency.name),
            "code": line(item.agency.code),
            "group": line(item.group.name),
            "reason": line(item.standing_reason),
        }
        for item in shown.excluded
    ]
    signer_title = line(publication.signer_title)
    return {
        "period": {
            "code": line(period.code),
            "name": line(period.name),
            "year": str(period.year),
            "subject": line(period.subject),
            "version": str(publication.version),
        },
        "subject": subject.lower(),
        "subject_upper": subject,
        "published_at": vn_date(timezone.localdate(publication.published_at)),
        "decision": {
            "number": line(publication.decision_number) or BLANK_NUMBER,
            "date": vn_date(publication.decision_date),
            "date_long": vn_date_long(publication.decision_date),
            "signer_name": line(publication.signer_name),
            "signer_title": signer_title,
            "signer_title_upper": signer_title.upper(),
        },
        "fields": [line(f.code) for f in shown.fields],
        "groups": groups,
        "agency_count": str(len(shown.results)),
        "awards": awards,
        "award_count": str(len(awards)),
        "excluded": excluded,
        "excluded_count": str(len(excluded)),
    }


def _decimal(value) -> Decimal | None:
    return None if value is None or value == "" else Decimal(str(value))


# --- the Word document --------------------------------------------------------------------------


def active_template() -> DecisionTemplate | None:
    """The template in use: the newest active upload, or None for the default. One query."""
    return DecisionTemplate.objects.filter(active=True).order_by("-uploaded_at", "-pk").first()


def template_bytes() -> bytes:
    """The template in use, as a .docx file's bytes."""
    uploaded = active_template()
    if uploaded is None:
        return default_template()
    try:
        with uploaded.file.open("rb") as handle:
            return handle.read()
    except OSError as error:
        logger.error("Decision template %s cannot be read: %s", uploaded.file.name, error)
        raise DocumentError(
            _(
                "The decision template uploaded by the administrator cannot be read. Ask an "
                "administrator to upload it again or to turn it off (the default template is then used)."
            )
        ) from error


def render_docx(template: bytes, context: dict) -> bytes:
    """`template` (a .docx with docxtpl tags) filled with `context`, as a .docx file's bytes.

    Sandboxed and autoescaped: an uploaded template reaches no Python attribute beyond the
    context, and text with `<`, `&` or quotes stays text.
    """
    document = DocxTemplate(BytesIO(template))
    try:
        document.render(context, jinja_env=SandboxedEnvironment(autoescape=True), autoescape=True)
    except TemplateError as error:
        raise DocumentError(
            _("The decision template has an error in its tags: %(error)s") % {"error": line(error)[:300]}
        ) from error
    except (ValueError, KeyError, zipfile.BadZipFile) as error:
        raise DocumentError(
            _("The decision template is not a Word document this application can fill (%(error)s).")
            % {"error": line(error)[:300]}
        ) from error
    out = BytesIO()
    document.save(out)
    return out.getvalue()


def decision_docx(*, publication: Publication) -> bytes:
    """The decision of `publication` as a Word document, from the template in use."""
    return render_docx(template_bytes(), decision_context(publication))


def decision_filename(publication: Publication, extension: str) -> str:
    return f"quyet-dinh-{publication.period.code}-v{publication.version}.{extension}"


# --- an uploaded template, checked before it is used --------------------------------------------


def sample_context() -> dict:
    """The context of a made-up publication, to try an uploaded template on: every key of
    `decision_context`, built by it."""
    row = {"group": "Khối sở, ban, ngành", "group_code": "SBN", "group_order": 1, "agency": "SNV",
           "agency_id": None, "name": "Sở Nội vụ", "rank": 1, "total": "95.5", "maximum": "100",
           "index": "95.5", "field_scores": {"1": "9.5"}, "tier": "Rất tốt", "previous_rank": 2}  # fmt: skip
    sample = Publication(
        period=Period(code="CCHC-2025", name="CCHC 2025", year=2025, subject=Subject.CCHC),
        version=1,
        published_at=timezone.now(),
        results=[row],
        awards=[{key: row[key] for key in ("agency", "agency_id", "name", "group", "group_code")}],
        tier_labels=["Rất tốt"],
        field_codes=["1"],
        decision_number="1898/QĐ-UBND",
        decision_date=datetime.date(2026, 6, 1),
        signer_name="Nguyễn Văn A",
        signer_title="Chủ tịch",
    )
    return decision_context(sample)


def template_problem(content: bytes) -> str | None:
    """Why `content` cannot be the decision template, or None.

    Bounded first (size, unpacked size: a small zip can unpack to gigabytes), then read as a
    Word document and filled with a sample, so that a broken tag is refused at upload, not
    when the council needs the decision.
    """
    limit = settings.DECISION_TEMPLATE_MAX_BYTES
    if len(content) > limit:
        return _("The template is larger than %(size)d MB.") % {"size": limit // (1024 * 1024)}
    try:
        with zipfile.ZipFile(BytesIO(content)) as archive:
            names = set(archive.namelist())
            unpacked = sum(info.file_size for info in archive.infolist())
    except zipfile.BadZipFile:
        return _("The file is not a Word document (.docx).")
    if "word/document.xml" not in names or "[Content_Types].xml" not in names:
        return _("The file is not a Word document (.docx).")
    if unpacked > settings.DECISION_TEMPLATE_MAX_UNPACKED_BYTES:
        return _("The template unpacks to more than %(size)d MB.") % {
            "size": settings.DECISION_TEMPLATE_MAX_UNPACKED_BYTES // (1024 * 1024)
        }
    try:
        render_docx(content, sample_context())
    except DocumentError as error:
        return " ".join(error.messages)
    except Exception as error:
        # Whatever a crafted file makes the parsers raise, it is not a template to keep.
        return _("The decision template is not a Word document this application can fill (%(error)s).") % {
            "error": line(error)[:300]
        }
    return None


# --- PDF -----------------------------------------------------------------------------------------


def pdf_converter() -> str | None:
    """The LibreOffice program converting to PDF: DECISION_PDF_CONVERTER, or soffice/libreoffice
    found on the PATH; None when the server has none."""
    configured = settings.DECISION_PDF_CONVERTER
    if configured:
        return shutil.which(configured)
    return shutil.which("soffice") or shutil.which("libreoffice")


def docx_to_pdf(content: bytes) -> bytes:
    """A Word document converted to PDF by LibreOffice, in a temporary directory, in bounded time.

    Each conversion has its own LibreOffice profile, so that conversions running at the same
    time do not wait on one another's lock; on timeout the whole process group is killed
    (soffice starts soffice.bin as a child).
    """
    program = pdf_converter()
    if program is None:
        raise DocumentError(_("PDF is not available on this server: LibreOffice is not installed."))
    with tempfile.TemporaryDirectory(prefix="decision-") as folder:
        work = Path(folder)
        source = work / "quyet-dinh.docx"
        source.write_bytes(content)
        command = [
            program,
            f"-env:UserInstallation={(work / 'profile').as_uri()}",
            "--headless",
            "--norestore",
            "--convert-to",
            "pdf",
            "--outdir",
            str(work),
            str(source),
        ]
        process = subprocess.Popen(  # noqa: S603 - a fixed program and arguments, no shell
            command,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            start_new_session=True,
            env={**os.environ, "HOME": str(work)},
        )
        try:
            _out, errors = process.communicate(timeout=settings.DECISION_PDF_TIMEOUT)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise DocumentError(
                _("The PDF conversion took longer than %(seconds)d seconds; download the Word document.")
                % {"seconds": settings.DECISION_PDF_TIMEOUT}
            ) from None
        target = work / "quyet-dinh.pdf"
        if process.returncode != 0 or not target.exists():
            logger.error(
                "PDF conversion failed (%s): %s", process.returncode, errors.decode(errors="replace")
            )
            raise DocumentError(_("The PDF conversion failed; download the Word document."))
        return target.read_bytes()
