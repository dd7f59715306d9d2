"""Page checks on rendered PDFs, as a reader sees them: text through pdftotext, and how full
each page is from its image (pdftoppm + Pillow)."""

from __future__ import annotations

import io
import subprocess
import tempfile
from pathlib import Path

from PIL import Image
from pypdf import PdfReader

A4_HEIGHT_MM = 297.0


def pdf_text(data: bytes) -> str:
    """The whole document's text layer, page after page (pypdf)."""
    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


def pdf_text_pages(data: bytes) -> list[str]:
    """Each page's text by poppler's pdftotext (what a reader copies out of the PDF)."""
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "doc.pdf")
        path.write_bytes(data)
        out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True, text=True)  # noqa: S603, S607
    return out.stdout.split("\f")[:-1] if out.stdout.endswith("\f") else out.stdout.split("\f")


def page_fill(data: bytes, *, top_mm: float, bottom_mm: float, dpi: int = 30) -> list[float]:
    """How far down each page's body its content reaches, 0 (empty) to 1 (full): the lowest
    row with ink between the top and bottom margins (running headers and footers sit outside
    them), over the body's height."""
    fills = []
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp, "doc.pdf")
        path.write_bytes(data)
        subprocess.run(["pdftoppm", "-r", str(dpi), "-gray", "-png", str(path), str(Path(tmp, "p"))], check=True)  # noqa: S603, S607
        for png in sorted(Path(tmp).glob("p-*.png"), key=lambda p: int(p.stem.split("-")[-1])):
            image = Image.open(png).convert("L")
            width, height = image.size
            top = round(height * top_mm / A4_HEIGHT_MM)
            bottom = round(height * (1 - bottom_mm / A4_HEIGHT_MM))
            body = image.crop((0, top, width, bottom)).point(lambda v: 255 if v < 200 else 0)
            box = body.getbbox()
            fills.append(0.0 if box is None else box[3] / (bottom - top))
    return fills


def half_empty_pages(data: bytes, *, top_mm: float, bottom_mm: float, last_pages: set[int] = frozenset()) -> list:
    """Pages (1-based) whose content stops above half the body, except the last page and
    ``last_pages`` (each chapter's last page), with how full they are."""
    fills = page_fill(data, top_mm=top_mm, bottom_mm=bottom_mm)
    allowed = {len(fills), *last_pages}
    return [(n, round(f, 2)) for n, f in enumerate(fills, start=1) if f < 0.5 and n not in allowed]
