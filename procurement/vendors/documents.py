"""Vendor documents: what a file is, read from its bytes, and storing it once per vendor.

Accepted: PDF, PNG, JPEG, plain text (.txt, .csv, .md), Word (DOCX) and Excel (XLSX).
DOCX and XLSX are ZIP files. They are checked from the ZIP's central directory alone
(``zipfile.ZipFile.infolist``): entry count, total uncompressed size and compression ratio are
bounded, so a zip bomb is refused without being unpacked. Only ``[Content_Types].xml`` is
read (bounded), to find the main part. Macro-enabled files (a ``vbaProject.bin`` part, or a
macro-enabled main part as in .docm/.xlsm) are refused.

Linking a document to answers is the assessments app's business
(procurement/assessments/evidence.py); this module knows vendors and files only.
"""

from __future__ import annotations

import hashlib
import io
import re
import struct
import unicodedata
import zipfile
import zlib
from dataclasses import dataclass

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.http import FileResponse

from procurement.vendors.models import Document, Vendor

SIGNATURES = (
    (b"%PDF-", "application/pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png"),
    (b"\xff\xd8\xff", "image/jpeg"),
)
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# The main part each accepted OOXML type declares in [Content_Types].xml.
OOXML_MAIN_PARTS = {
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml": DOCX,
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml": XLSX,
}
ZIP_MAGIC = b"PK\x03\x04"
# ZIP limits: far above any real DOCX or XLSX of EVIDENCE_MAX_BYTES, far below a bomb.
ZIP_MAX_ENTRIES = 2000
ZIP_MAX_UNCOMPRESSED = 200 * 1024 * 1024
ZIP_MAX_RATIO = 100  # per entry, for entries over ZIP_RATIO_FLOOR
ZIP_RATIO_FLOOR = 1024 * 1024
CONTENT_TYPES_MAX = 256 * 1024

ACCEPTED_WORDS = "PDF, PNG, JPEG, plain text (.txt, .csv, .md), Word (.docx) or Excel (.xlsx)"
NOT_ACCEPTED = f"Only {ACCEPTED_WORDS} files are accepted; this file's content is none of those."
MACROS = (
    "This file contains macros (a macro-enabled Word or Excel file such as .docm or .xlsm); "
    "macro-enabled files are refused. Save it as .docx or .xlsx, or as PDF, and upload it again."
)
BOMB = (
    "This file unpacks to far more than it weighs ({detail}); it looks like a zip bomb and is refused. "
    "Save it again from Word or Excel, or upload a PDF."
)
BROKEN_ZIP = "This file looks like a Word or Excel file but cannot be read as one; save it again or upload a PDF."
# The name endings each accepted type is saved under; the first is added when a name has none of them.
EXTENSIONS = {
    "application/pdf": (".pdf",),
    "image/png": (".png",),
    "image/jpeg": (".jpg", ".jpeg"),
    "text/plain": (".txt",),
    "text/csv": (".csv",),
    "text/markdown": (".md",),
    DOCX: (".docx",),
    XLSX: (".xlsx",),
}
# The accept attribute of every document input.
ACCEPT = ".pdf,.png,.jpg,.jpeg,.txt,.csv,.md,.docx,.xlsx"


class DocumentRejected(Exception):
    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


def _ooxml_type(data: bytes) -> str:
    """DOCX or XLSX for a ZIP whose central directory passes the limits; else DocumentRejected."""
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
    except (zipfile.BadZipFile, zlib.error, ValueError, EOFError, OSError, struct.error, NotImplementedError):
        raise DocumentRejected(BROKEN_ZIP) from None
    with archive:
        entries = archive.infolist()  # the central directory: nothing is decompressed
        if len(entries) > ZIP_MAX_ENTRIES:
            raise DocumentRejected(BOMB.format(detail=f"{len(entries):,} parts"))
        total = sum(e.file_size for e in entries)
        if total > ZIP_MAX_UNCOMPRESSED:
            raise DocumentRejected(BOMB.format(detail=f"{total // (1024 * 1024):,} MiB unpacked"))
        for e in entries:
            if e.file_size > ZIP_RATIO_FLOOR and e.file_size > ZIP_MAX_RATIO * max(e.compress_size, 1):
                raise DocumentRejected(
                    BOMB.format(detail=f"one part compressed {e.file_size // max(e.compress_size, 1):,} to 1")
                )
        names = {e.filename.lower(): e for e in entries}
        if any(name.rsplit("/", 1)[-1] == "vbaproject.bin" for name in names):
            raise DocumentRejected(MACROS)
        info = names.get("[content_types].xml")
        if info is None or info.file_size > CONTENT_TYPES_MAX:
            raise DocumentRejected(NOT_ACCEPTED)
        try:
            with archive.open(info) as handle:
                manifest = handle.read(CONTENT_TYPES_MAX + 1).decode("utf-8", "replace")
        # A damaged part: a bad CRC, a broken deflate stream, an unsupported method or encryption.
        except (zipfile.BadZipFile, zlib.error, OSError, EOFError, NotImplementedError, RuntimeError, ValueError):
            raise DocumentRejected(BROKEN_ZIP) from None
    if "macroenabled" in manifest.lower():
        raise DocumentRejected(MACROS)
    # <Override PartName="/word/document.xml" ContentType="...main+xml"/>, attributes in any order.
    for tag in re.findall(r"<Override\b[^>]*>", manifest):
        part = re.search(r'PartName\s*=\s*"([^"]+)"', tag)
        kind = re.search(r'ContentType\s*=\s*"([^"]+)"', tag)
        if part and kind and kind.group(1) in OOXML_MAIN_PARTS and part.group(1).lstrip("/").lower() in names:
            return OOXML_MAIN_PARTS[kind.group(1)]
    raise DocumentRejected(NOT_ACCEPTED)


def sniff(data: bytes, name: str) -> str:
    """The content type read from the bytes (the name only tells plain-text kinds apart);
    DocumentRejected with the reason when the file is not an accepted type."""
    head = data[:4096]
    for magic, content_type in SIGNATURES:
        if head.startswith(magic):
            return content_type
    if head.startswith(ZIP_MAGIC):
        return _ooxml_type(data)
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix in TEXT_TYPES and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a cut multi-byte sequence at the end is fine
                raise DocumentRejected(NOT_ACCEPTED) from None
        return TEXT_TYPES[suffix]
    raise DocumentRejected(NOT_ACCEPTED)


def clean_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    return (name or "document")[:200]


@dataclass(frozen=True)
class CheckedUpload:
    """An upload that passed the size and type checks, read into memory once."""

    data: bytes
    name: str
    content_type: str
    sha256: str

    @property
    def size(self) -> int:
        return len(self.data)


def upload_check(upload) -> CheckedUpload:
    """Read and check one uploaded file: not empty, within EVIDENCE_MAX_BYTES, an accepted type by content."""
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size == 0:
        raise DocumentRejected("The file is empty.")
    if upload.size > limit:
        raise DocumentRejected(f"The file is {upload.size // 1024} KiB; the limit is {limit // 1024} KiB.")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise DocumentRejected(f"The file is larger than {limit // 1024} KiB.")
    name = clean_name(upload.name or "")
    content_type = sniff(data, name)
    return CheckedUpload(data=data, name=name, content_type=content_type, sha256=hashlib.sha256(data).hexdigest())


def document_for_vendor(vendor: Vendor, sha256: str) -> Document | None:
    return Document.objects.filter(vendor=vendor, sha256=sha256).first()


def document_store(*, vendor: Vendor, checked: CheckedUpload, by, by_label: str = "") -> tuple[Document, bool]:
    """The vendor's document with these bytes: the stored one when the same content was uploaded
    before (by sha256, whatever its name), else a new one. Returns (document, created)."""
    existing = document_for_vendor(vendor, checked.sha256)
    if existing is not None:
        return existing, False
    document = Document(
        vendor=vendor,
        original_name=checked.name,
        content_type=checked.content_type,
        size=checked.size,
        sha256=checked.sha256,
        uploaded_by=by,
        uploaded_by_label=by_label or (by.get_full_name() or by.get_username() if by else ""),
    )
    document.file.save(checked.sha256[:16], ContentFile(checked.data), save=False)
    try:
        with transaction.atomic():
            document.save()
    except IntegrityError:  # the same bytes arrived concurrently: keep the first
        document.file.delete(save=False)
        return Document.objects.get(vendor=vendor, sha256=checked.sha256), False
    return document, True


def download_name(name: str, content_type: str) -> str:
    """The name a download is saved under, ending as its content is: a PDF named "x.html" is
    saved as "x.html.pdf", so opening it from disk never runs it as a web page."""
    endings = EXTENSIONS.get(content_type, ())
    if not endings or name.lower().endswith(endings):
        return name
    return name + endings[0]


def document_response(document: Document) -> FileResponse:
    """The file as a download, never shown inline: attachment, the type read from its content
    (and a name ending that matches it), nosniff, and a sandbox CSP in case a browser renders
    it anyway."""
    response = FileResponse(
        document.file.open("rb"),
        as_attachment=True,
        filename=download_name(document.original_name, document.content_type),
        content_type=document.content_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Content-Security-Policy"] = "default-src 'none'; sandbox"
    return response
