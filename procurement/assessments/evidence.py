"""Evidence uploads: size and type limits, with the type read from the content."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.conf import settings
from django.core.files.base import ContentFile

from procurement.assessments.models import Assessment, Evidence

SIGNATURES = (
    (b"%PDF-", "application/pdf", ".pdf"),
    (b"\x89PNG\r\n\x1a\n", "image/png", ".png"),
    (b"\xff\xd8\xff", "image/jpeg", ".jpg"),
)
TEXT_TYPES = {".txt": "text/plain", ".csv": "text/csv", ".md": "text/markdown"}


class EvidenceRejected(Exception):
    def __init__(self, field: str, message: str):
        self.field, self.message = field, message
        super().__init__(message)


def sniff(head: bytes, name: str) -> str | None:
    for magic, content_type, _ in SIGNATURES:
        if head.startswith(magic):
            return content_type
    suffix = ("." + name.rsplit(".", 1)[-1].lower()) if "." in name else ""
    if suffix in TEXT_TYPES and b"\x00" not in head:
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a cut multi-byte sequence at the end is fine
                return None
        return TEXT_TYPES[suffix]
    return None


def clean_name(name: str) -> str:
    name = name.replace("\\", "/").rsplit("/", 1)[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", name).strip().lstrip(".")
    return (name or "evidence")[:200]


def evidence_store(
    *, assessment: Assessment, question_code: str, upload, by, field: str, by_label: str = ""
) -> Evidence:
    limit = settings.EVIDENCE_MAX_BYTES
    if upload.size == 0:
        raise EvidenceRejected(field, "The file is empty.")
    if upload.size > limit:
        raise EvidenceRejected(field, f"The file is {upload.size // 1024} KiB; the limit is {limit // 1024} KiB.")
    data = upload.read(limit + 1)
    if len(data) > limit:
        raise EvidenceRejected(field, f"The file is larger than {limit // 1024} KiB.")
    name = clean_name(upload.name or "")
    content_type = sniff(data[:4096], name)
    if content_type is None:
        raise EvidenceRejected(
            field,
            "Only PDF, PNG, JPEG or plain-text (.txt, .csv, .md) files are accepted; "
            "this file's content is none of those.",
        )
    digest = hashlib.sha256(data).hexdigest()
    item = Evidence(
        assessment=assessment,
        question_code=question_code,
        original_name=name,
        content_type=content_type,
        size=len(data),
        sha256=digest,
        uploaded_by=by,
        uploaded_by_label=by_label or (by.get_full_name() or by.get_username() if by else ""),
    )
    item.file.save(digest[:16], ContentFile(data), save=False)
    item.save()
    return item
