"""Evidence files: which uploads are allowed, judged by their content, not their name."""

from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _

PDF = "application/pdf"
ZIP = "application/zip"
OLE = "application/x-ole-storage"
PNG = "image/png"
JPEG = "image/jpeg"
GIF = "image/gif"
WEBP = "image/webp"

# What each accepted extension must contain. Office documents (docx, xlsx, pptx, odt, …)
# are ZIP containers; the old binary ones (doc, xls, ppt) are OLE compound files.
EXTENSIONS = {
    ".pdf": PDF,
    ".zip": ZIP,
    ".docx": ZIP,
    ".xlsx": ZIP,
    ".pptx": ZIP,
    ".odt": ZIP,
    ".ods": ZIP,
    ".odp": ZIP,
    ".doc": OLE,
    ".xls": OLE,
    ".ppt": OLE,
    ".png": PNG,
    ".jpg": JPEG,
    ".jpeg": JPEG,
    ".gif": GIF,
    ".webp": WEBP,
}

# The type a download is served as: never one a browser would render as a page.
CONTENT_TYPES = {
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    ".pptx": "application/vnd.openxmlformats-officedocument.presentationml.presentation",
    ".odt": "application/vnd.oasis.opendocument.text",
    ".ods": "application/vnd.oasis.opendocument.spreadsheet",
    ".odp": "application/vnd.oasis.opendocument.presentation",
    ".doc": "application/msword",
    ".xls": "application/vnd.ms-excel",
    ".ppt": "application/vnd.ms-powerpoint",
}


def sniff(head: bytes) -> str | None:
    """The kind of file its first bytes announce, or None."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"PK\x03\x04") or head.startswith(b"PK\x05\x06"):
        return ZIP
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):
        return OLE
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith((b"GIF87a", b"GIF89a")):
        return GIF
    if head[:4] == b"RIFF" and head[8:12] == b"WEBP":
        return WEBP
    return None


@dataclass(frozen=True)
class CheckedFile:
    extension: str
    content_type: str


class EvidenceRefused(ValueError):
    pass


def evidence_check(upload: UploadedFile) -> CheckedFile:
    """Accept PDF, Office documents, images and ZIP up to the size limit; refuse the rest.

    HTML, SVG and anything else a browser could run are refused whatever they are named.
    """
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size > limit:
        raise EvidenceRefused(
            _("The file is %(size)s; the limit is %(limit)s.")
            % {"size": filesizeformat(upload.size), "limit": filesizeformat(limit)}
        )
    if upload.size == 0:
        raise EvidenceRefused(_("The file is empty."))
    name = upload.name or ""
    extension = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    expected = EXTENSIONS.get(extension)
    if expected is None:
        raise EvidenceRefused(
            _("Files of this type are not accepted. Upload PDF, Word, Excel, PowerPoint, images or ZIP.")
        )
    upload.seek(0)
    head = upload.read(16)
    upload.seek(0)
    if sniff(head) != expected:
        raise EvidenceRefused(_("The content of “%(name)s” does not match its type.") % {"name": name})
    return CheckedFile(extension=extension, content_type=CONTENT_TYPES.get(extension, expected))
