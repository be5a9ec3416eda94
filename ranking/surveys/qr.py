"""QR codes of the survey links, to print on paper invitations (segno, pure Python)."""

import io
import zipfile

import segno


def qr_png(url: str, *, scale: int = 8) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="png", scale=scale, border=4)
    return out.getvalue()


def qr_svg(url: str, *, scale: int = 4) -> bytes:
    out = io.BytesIO()
    segno.make(url, error="m").save(out, kind="svg", scale=scale, border=4, xmldecl=True, title=url)
    return out.getvalue()


def qr_svg_data_uri(url: str, *, scale: int = 4) -> str:
    """The QR code as an <img src> the page carries itself (the CSP allows data: images)."""
    return segno.make(url, error="m").svg_data_uri(scale=scale, border=4)


def qr_zip(links: list[tuple[str, str]]) -> bytes:
    """A zip of a PNG and an SVG per (file stem, url), for printing an agency's invitations."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, url in links:
            archive.writestr(f"{stem}.png", qr_png(url))
            archive.writestr(f"{stem}.svg", qr_svg(url))
    return out.getvalue()
