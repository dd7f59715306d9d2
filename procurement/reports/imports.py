"""Loading a JSON record exported from another instance."""

from __future__ import annotations

import json

from django.core.exceptions import ValidationError
from django.db import transaction

from procurement.assessments.models import Answer, Assessment
from procurement.core.models import Organisation
from procurement.questionbank.document import content_hash
from procurement.questionbank.models import BankVersion, QuestionBank
from procurement.questionbank.services import version_create_from_document, version_publish
from procurement.reports.context import record_digest
from procurement.vendors.models import AIService, Vendor


def _version_for(record: dict, organisation: Organisation) -> BankVersion:
    bank_info = record["bank"]
    doc = bank_info["document"]
    digest = content_hash(doc)
    existing = BankVersion.objects.filter(
        bank__slug=bank_info["slug"], content_hash=digest, status__in=["published", "retired"]
    ).filter(bank__organisation__in=[organisation]) | BankVersion.objects.filter(
        bank__slug=bank_info["slug"], bank__organisation__isnull=True, content_hash=digest
    )
    version = existing.first()
    if version is not None:
        return version
    bank, _ = QuestionBank.objects.get_or_create(
        organisation=organisation, slug=bank_info["slug"], defaults={"name": bank_info["name"]}
    )
    return version_publish(version=version_create_from_document(bank=bank, doc=doc))


@transaction.atomic
def assessment_import(*, raw: bytes, organisation: Organisation) -> Assessment:
    try:
        data = json.loads(raw)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        raise ValidationError(f"Not a JSON record: {exc}") from None
    if not isinstance(data, dict) or data.get("format") != "ai-due-diligence-record" or "record" not in data:
        raise ValidationError("Not an exported assessment record (format ai-due-diligence-record).")
    record = data["record"]
    vendor, _ = Vendor.objects.get_or_create(organisation=organisation, name=record["vendor"]["name"])
    service, _ = AIService.objects.get_or_create(
        vendor=vendor,
        name=record["service"]["name"],
        defaults={k: record["service"].get(k) or "" for k in ("model_name", "model_provider", "business_use")},
    )
    version = _version_for(record, organisation)
    decision = record.get("decision") or {}
    final = decision.get("outcome") in (Assessment.Status.APPROVED, Assessment.Status.REJECTED)
    assessment = Assessment.objects.create(
        organisation=organisation,
        service=service,
        bank_version=version,
        status=decision["outcome"] if final else Assessment.Status.IN_PROGRESS,
        frozen_record=record if final else None,
        frozen_hash=record_digest(record) if final else "",
        risk_band=record["score"]["residual"] or "",
        decision=record["score"]["decision"],
        overall_risk=record["score"]["overall_risk"],
    )
    Answer.objects.bulk_create(
        Answer(
            assessment=assessment,
            question_code=code,
            value=a["value"],
            na=a["na"],
            na_reason=a["na_reason"],
            updated_by_label=a.get("by", ""),
        )
        for code, a in record["answers"].items()
    )
    return assessment
