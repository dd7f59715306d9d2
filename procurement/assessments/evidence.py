"""Evidence uploads: size and type limits, with the type read from the content."""

from __future__ import annotations

import hashlib
import re
import unicodedata

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import transaction
from django.db.models import Count, Sum

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


def _quota_problem(used: dict, *, size: int, files: int, total: int, whose: str) -> str | None:
    if (used["files"] or 0) + 1 > files:
        return f"{whose} already holds {files} files, the most allowed; ask the assessment's owner for help."
    if (used["bytes"] or 0) + size > total:
        return (
            f"{whose} already holds {(used['bytes'] or 0) // (1024 * 1024)} MiB of files; "
            f"this one would pass the {total // (1024 * 1024)} MiB limit."
        )
    return None


def _check_quotas(assessment: Assessment, *, size: int, by, by_label: str, field: str) -> None:
    """Per assessment, and per vendor link (an upload without a user, under the contact's label)."""
    stored = Evidence.objects.filter(assessment=assessment)
    used = stored.aggregate(files=Count("pk"), bytes=Sum("size"))
    problem = _quota_problem(
        used,
        size=size,
        files=settings.EVIDENCE_MAX_FILES_PER_ASSESSMENT,
        total=settings.EVIDENCE_MAX_BYTES_PER_ASSESSMENT,
        whose="This assessment",
    )
    if problem is None and by is None and by_label:
        used = stored.filter(uploaded_by=None, uploaded_by_label=by_label).aggregate(
            files=Count("pk"), bytes=Sum("size")
        )
        problem = _quota_problem(
            used,
            size=size,
            files=settings.EVIDENCE_MAX_FILES_PER_LINK,
            total=settings.EVIDENCE_MAX_BYTES_PER_LINK,
            whose="Your link",
        )
    if problem:
        raise EvidenceRejected(field, problem)


def evidence_store(
    *, assessment: Assessment, question_code: str, upload, by, field: str, by_label: str = "", finding=None
) -> Evidence:
    """Store one upload for one question, once: the same content on the same question returns the
    stored file (by sha256) instead of a second copy. Size, type and quotas are checked first.

    With ``finding`` the file is closure evidence for that condition or finding (no question),
    kept once per finding by content."""
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
    with transaction.atomic():
        # The row lock makes the duplicate and quota checks hold against concurrent uploads.
        Assessment.objects.select_for_update().filter(pk=assessment.pk).first()
        existing = Evidence.objects.filter(
            assessment=assessment, question_code=question_code, finding=finding, sha256=digest
        ).first()
        if existing is not None:
            return existing
        by_label = by_label or (by.get_full_name() or by.get_username() if by else "")
        _check_quotas(assessment, size=len(data), by=by, by_label=by_label, field=field)
        item = Evidence(
            assessment=assessment,
            question_code=question_code,
            finding=finding,
            original_name=name,
            content_type=content_type,
            size=len(data),
            sha256=digest,
            uploaded_by=by,
            uploaded_by_label=by_label,
        )
        item.file.save(digest[:16], ContentFile(data), save=False)
        item.save()
        return item
