"""Loading a JSON record exported by this or another installation.

The record file is untrusted input. Its signature (reports.signing) must verify
with this installation's key, or the key given for the installation that
exported it; otherwise the import is refused unless the operator passes
``trust=True``, and then the assessment is marked as imported without a
verified signature wherever it shows.

An import never adds a version to an existing bank: the record's bank either
matches a published or retired version exactly (reused), or it is loaded into a
separate "<slug>-imported-<n>" bank, published and at once retired so the
record can pin it while new assessments cannot pick it.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from procurement.assessments.models import Answer, Assessment, Decision
from procurement.assessments.records import record_hash
from procurement.assessments.services import assessments_newest_refresh
from procurement.core.models import Organisation
from procurement.questionbank.document import BankFileError, content_hash
from procurement.questionbank.models import BankVersion, QuestionBank
from procurement.questionbank.services import version_create_from_document, version_publish, version_retire
from procurement.reports.exports import RECORD_FORMAT
from procurement.reports.signing import Verdict, envelope_verify
from procurement.vendors.models import AIService, Vendor

NOT_JSON = "Not a JSON record: {error}"
NOT_A_RECORD = "Not an exported assessment record (format ai-due-diligence-record)."
INCOMPLETE = "The record is incomplete or malformed (missing or wrong-typed {error})."
BAD_BANK = "The record's question bank is not valid: {problems}"
_TRUST_HINT = (
    " To load it anyway, pass --trust: the assessment is then marked"
    " “Imported without a verified signature” everywhere it shows."
)
REFUSED = {
    Verdict.UNSIGNED: "The record carries no signature, so where it came from and whether it was changed"
    " cannot be checked." + _TRUST_HINT,
    Verdict.OTHER_KEY: "The record was signed by another installation (or with a key this one does not have)."
    " Pass that installation's record-signing key with --key." + _TRUST_HINT,
    Verdict.MISMATCH: "The record's signature does not match its content: it was changed after it was exported."
    + _TRUST_HINT,
}
IMPORTED_BANK_DESCRIPTION = (
    "Created by import_assessment: the bank version an imported record was answered against."
    " Retired, so new assessments cannot use it."
)
IMPORTED_SLUG_MARK = "-imported-"


@dataclass(frozen=True)
class ImportResult:
    assessment: Assessment
    verdict: Verdict
    bank_created: QuestionBank | None  # the separate imported bank, when one was made

    @property
    def verified(self) -> bool:
        return self.verdict is Verdict.VERIFIED


def _version_for(record: dict, organisation: Organisation) -> tuple[BankVersion, QuestionBank | None]:
    """A frozen version with exactly the record's bank content, or a new imported bank holding it."""
    bank_info = record["bank"]
    doc = bank_info["document"]
    slug = bank_info["slug"]
    digest = content_hash(doc)
    same_bank = Q(bank__slug=slug) | Q(bank__slug__startswith=slug + IMPORTED_SLUG_MARK)
    own_or_shipped = Q(bank__organisation=organisation) | Q(bank__organisation__isnull=True)
    existing = (
        BankVersion.objects.filter(same_bank, own_or_shipped, content_hash=digest)
        .exclude(status=BankVersion.Status.DRAFT)
        .order_by("pk")
        .first()
    )
    if existing is not None:
        return existing, None
    bank = _imported_bank_create(slug=slug, name=bank_info["name"], organisation=organisation)
    version = version_publish(version=version_create_from_document(bank=bank, doc=doc, changelog="Imported."))
    return version_retire(version=version), bank


def _imported_bank_create(*, slug: str, name: str, organisation: Organisation) -> QuestionBank:
    base = slug[: 80 - len(IMPORTED_SLUG_MARK) - 6] + IMPORTED_SLUG_MARK
    taken = set(
        QuestionBank.objects.filter(organisation=organisation, slug__startswith=base).values_list("slug", flat=True)
    )
    n = 1
    while f"{base}{n}" in taken:
        n += 1
    return QuestionBank.objects.create(
        organisation=organisation,
        slug=f"{base}{n}",
        name=f"{name} (imported)"[:200],
        description=IMPORTED_BANK_DESCRIPTION,
    )


def _parse(raw: bytes) -> dict:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(NOT_JSON.format(error=exc), code="not_json") from None
    if not isinstance(data, dict) or data.get("format") != RECORD_FORMAT or not isinstance(data.get("record"), dict):
        raise ValidationError(NOT_A_RECORD, code="not_a_record")
    return data


@transaction.atomic
def assessment_import(
    *, raw: bytes, organisation: Organisation, key: str | None = None, trust: bool = False
) -> ImportResult:
    """Load an exported record into ``organisation``.

    The signature is checked with ``key`` (the exporting installation's
    record-signing key), by default this installation's. A record that does
    not verify raises ValidationError unless ``trust`` is set; then it loads
    marked ``Origin.IMPORTED_UNVERIFIED``.
    """
    data = _parse(raw)
    verdict = envelope_verify(data, key=key)
    if verdict is not Verdict.VERIFIED and not trust:
        raise ValidationError(REFUSED[verdict], code=verdict.value)
    try:
        return _load(data["record"], organisation=organisation, verdict=verdict)
    except BankFileError as exc:
        raise ValidationError(BAD_BANK.format(problems=exc), code="bad_bank") from None
    except (KeyError, TypeError, AttributeError) as exc:
        raise ValidationError(INCOMPLETE.format(error=exc), code="incomplete") from None


def _load(record: dict, *, organisation: Organisation, verdict: Verdict) -> ImportResult:
    vendor, _ = Vendor.objects.get_or_create(organisation=organisation, name=record["vendor"]["name"])
    service, _ = AIService.objects.get_or_create(
        vendor=vendor,
        name=record["service"]["name"],
        defaults={k: record["service"].get(k) or "" for k in ("model_name", "model_provider", "business_use")},
    )
    version, bank_created = _version_for(record, organisation)
    decision = record.get("decision") or {}
    final = decision.get("outcome") in (Assessment.Status.APPROVED, Assessment.Status.REJECTED)
    assessment = Assessment.objects.create(
        organisation=organisation,
        service=service,
        bank_version=version,
        status=decision["outcome"] if final else Assessment.Status.IN_PROGRESS,
        frozen_record=record if final else None,
        frozen_hash=record_hash(record) if final else "",
        risk_band=record["score"]["residual"] or "",
        recommendation=record["score"]["decision"],
        overall_risk=record["score"]["overall_risk"],
        recommendation_unanswered=len(record["score"].get("unanswered") or ()),
        origin=Assessment.Origin.IMPORTED if verdict is Verdict.VERIFIED else Assessment.Origin.IMPORTED_UNVERIFIED,
    )
    assessments_newest_refresh(service_ids=[service.pk])
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question_code=code,
            value=a["value"],
            na=a["na"],
            na_reason=a["na_reason"],
            undisclosed=bool(a.get("undisclosed")),  # absent from records made before it existed
            updated_by_label=a.get("by", ""),
            # What it rests on (absent: the vendor's statement), confirmed when the record says so.
            basis=a["basis"] if a.get("basis") in Answer.Basis.values else Answer.Basis.STATEMENT,
            basis_confirmed_at=_when(a.get("basis_confirmed_at")),
        )
        for code, a in record["answers"].items()
    )
    if final:
        _decision_from_record(assessment, record)
    return ImportResult(assessment=assessment, verdict=verdict, bank_created=bank_created)


def _decision_from_record(assessment: Assessment, record: dict) -> Decision:
    """The decision row of an imported decided record, as the record states it (the person
    who decided has no account here; format-1 records carry no role or authority)."""
    part = record["decision"]
    try:
        at = parse_datetime(str(part.get("at") or "")) or timezone.now()
    except ValueError:
        at = timezone.now()
    if timezone.is_naive(at):
        at = timezone.make_aware(at)
    return Decision.objects.create(
        assessment=assessment,
        outcome=part["outcome"],
        by_label=str(part.get("by") or "not recorded")[:200],
        role=str(part.get("role") or "")[:16],
        authority=part.get("authority") if part.get("authority") in (1, 2, 3) else None,
        note=str(part.get("note") or "") or ("Recorded without a note." if part.get("differs") else ""),
        at=at,
        recommendation=str(record["score"]["decision"]),
        residual=str(record["score"].get("residual") or ""),
        differs=bool(part.get("differs")),
        separation_relaxed=bool(part.get("separation_relaxed")),
    )


def _when(text) -> dt.datetime | None:
    """An ISO date-time of the record, aware, or None when absent or unreadable."""
    if not text:
        return None
    try:
        at = parse_datetime(str(text))
    except ValueError:
        return None
    if at is not None and timezone.is_naive(at):
        at = timezone.make_aware(at)
    return at
