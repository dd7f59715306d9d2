"""The assessment record: everything a decision rests on, as plain JSON. Reads only.

``assessment_decide`` freezes one onto the assessment; reports, exports and
imports read it through ``assessment_record``, which builds a live one for an
assessment that is not decided yet, so both look the same.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.utils import timezone

from procurement.assessments.authority import AUTHORITY_LABELS, difference_words
from procurement.assessments.models import Answer, Assessment, Decision, Evidence, Override, RiskAcceptance
from procurement.assessments.selectors import (
    accepted_acceptances,
    assessment_score,
    bank_structure,
    chain_scoring_facts,
    evidence_dates,
    knockout_waivers,
    supply_chain_snapshot,
)

# 2: the decision names role, authority and how it differs from the recommendation, and
# the record lists the risk acceptances it rests on. Renderers read both formats.
RECORD_FORMAT = 2


def person_label(user) -> str:
    """How a user is named in records and on the timeline ("" for nobody)."""
    if user is None:
        return ""
    return user.get_full_name() or user.get_username()


def stored_answer(answer: Answer | None) -> dict:
    """An answer as it is stored and compared: value, N/A flag and reason, ``undisclosed``
    only when the vendor does not disclose it, and ``basis`` only when the answer rests on more
    than the vendor's statement (so every earlier record and history row keeps its shape)."""
    if answer is None:
        return {"value": None, "na": False, "na_reason": ""}
    stored = {"value": answer.value, "na": answer.na, "na_reason": answer.na_reason}
    if answer.undisclosed:
        return stored | {"undisclosed": True}
    if answer.basis != Answer.Basis.STATEMENT and not answer.na and answer.value not in (None, "", []):
        return stored | {"basis": answer.basis}
    return stored


def recorded_answer(answer: Answer) -> dict:
    """An answer as the record keeps it: as stored, who gave it, and, once a reviewer has
    confirmed what it rests on, who confirmed it and when."""
    recorded = stored_answer(answer) | {"by": answer.updated_by_label}
    if answer.basis_confirmed_at is not None and "basis" in recorded:
        recorded |= {
            "basis_confirmed_by": person_label(answer.basis_confirmed_by),
            "basis_confirmed_at": answer.basis_confirmed_at.isoformat(),
        }
    return recorded


def assessment_record(assessment: Assessment) -> dict:
    """The frozen record of a decided assessment, or a live one built now."""
    if assessment.is_final and assessment.frozen_record:
        return assessment.frozen_record
    return record_build(assessment)


def record_hash(record: dict) -> str:
    """SHA-256 of the record's canonical JSON: the frozen hash and the report's document id."""
    return hashlib.sha256(json.dumps(record, sort_keys=True, default=str).encode()).hexdigest()


def record_build(
    assessment: Assessment, *, decision: Decision | None = None, acceptances: list[RiskAcceptance] | None = None
) -> dict:
    """The record as plain JSON (dates as text), exactly what the database keeps once frozen.

    Without a decision it is the live record of an undecided assessment (reports of drafts).
    ``acceptances`` are the risk acceptances in force (by default, those in force today).
    """
    structure = bank_structure(assessment.bank_version)
    today = timezone.localdate()
    # Read once each, for the record and for the chain and score it holds.
    answers = list(assessment.answers.select_related("basis_confirmed_by"))
    overrides = list(assessment.overrides.filter(active=True).select_related("by"))
    evidence = list(assessment.evidence.select_related("document"))
    in_force = accepted_acceptances(assessment, today)
    chain = supply_chain_snapshot(assessment, {a.question_code: a for a in answers})
    result = assessment_score(
        assessment,
        answers=answers,
        overrides=overrides,
        as_of=today,
        facts=chain_scoring_facts(chain),
        waivers=knockout_waivers(assessment, today, in_force),
        evidence=evidence_dates(assessment, evidence),
    )
    record = {
        "format": RECORD_FORMAT,
        "assessment": _assessment_part(assessment),
        **_service_parts(assessment),
        "bank": _bank_part(assessment, structure.document),
        "answers": {a.question_code: recorded_answer(a) for a in answers},
        **_review_parts(assessment, overrides=overrides, evidence=evidence),
        "supply_chain": chain,
        "score": result.as_dict(),
        "scored_as_of": today.isoformat(),
        "rule_params": structure.document["version"]["rule_params"],
        "decision": _decision_part(decision),
        "acceptances": _acceptances_part(in_force if acceptances is None else acceptances),
        "attestation": _attestation_part(assessment),
        "timeline": _timeline_part(assessment),
    }
    # Through JSON once, so the record in memory is exactly what the database keeps.
    return json.loads(json.dumps(record, default=str))


def _assessment_part(assessment: Assessment) -> dict[str, Any]:
    return {
        "id": assessment.pk,
        "organisation": assessment.organisation.name,
        "status": assessment.status,
        "created_at": assessment.created_at.isoformat(),
        "due_date": assessment.due_date.isoformat() if assessment.due_date else None,
        "owner": person_label(assessment.owner),
        "reviewers": [person_label(u) for u in assessment.reviewers.all()],
    }


def _service_parts(assessment: Assessment) -> dict[str, Any]:
    service = assessment.service
    return {
        "vendor": {"name": service.vendor.name, "website": service.vendor.website},
        "service": {
            "name": service.name,
            "kind": service.kind,
            "model_name": service.model_name,
            "model_provider": service.model_provider,
            "business_use": service.business_use,
            # Text, so the JSON record keeps the Decimal exact; absent from records frozen before.
            "annual_spend": None if service.annual_spend is None else str(service.annual_spend),
            "currency": service.currency,
        },
    }


def _bank_part(assessment: Assessment, document: dict) -> dict[str, Any]:
    version = assessment.bank_version
    return {
        "slug": version.bank.slug,
        "name": version.bank.name,
        "version": version.number,
        "content_hash": version.content_hash,
        "document": document,
    }


def _review_parts(assessment: Assessment, *, overrides: list[Override], evidence: list[Evidence]) -> dict[str, list]:
    """Overrides (the active ones, with who made them), internal comments, evidence (every
    link, with its document), findings and the clarification thread."""
    return {
        "overrides": [
            {
                "question": o.question_code,
                "points": o.points,
                "reason": o.reason,
                "by": person_label(o.by),
                "at": o.at.isoformat(),
            }
            for o in overrides
        ],
        "comments": [
            {"question": c.question_code, "by": person_label(c.author), "at": c.created_at.isoformat(), "body": c.body}
            for c in assessment.comments.select_related("author")
        ],
        "evidence": [
            {
                "question": e.question_code,
                "name": e.document.original_name,
                "size": e.document.size,
                "sha256": e.document.sha256,
                "type": e.document.content_type,
            }
            for e in evidence
        ],
        # Each item's state at the decision; the row goes on living (services/findings.py).
        "findings": [
            {
                "id": f.pk,
                "kind": f.kind,
                "text": f.text,
                "owner": f.owner_label,
                "due_date": f.due_date.isoformat() if f.due_date else None,
                "status": f.status,
            }
            for f in assessment.findings.select_related("owner_user")
        ],
        "clarifications": [
            {
                "question": c.question_code,
                "by": c.author_label,
                "from_vendor": c.from_vendor,
                "at": c.created_at.isoformat(),
                "body": c.body,
            }
            for c in assessment.clarifications.all()
        ],
    }


def _decision_part(decision: Decision | None) -> dict[str, Any] | None:
    if decision is None:
        return None
    return {
        "outcome": decision.outcome,
        "by": decision.by_label,
        "role": decision.role,
        "authority": decision.authority,
        "authority_label": AUTHORITY_LABELS.get(decision.authority, ""),
        "note": decision.note,
        "at": decision.at.isoformat(),
        "recommendation": decision.recommendation,
        "residual": decision.residual,
        "differs": decision.differs,
        "difference": difference_words(
            outcome=decision.outcome,
            recommendation=decision.recommendation,
            differs=decision.differs,
            separation_relaxed=decision.separation_relaxed,
        ),
        "separation_relaxed": decision.separation_relaxed,
    }


def _acceptances_part(acceptances: list[RiskAcceptance]) -> list[dict[str, Any]]:
    return [
        {
            "scope": a.scope,
            "rule": a.rule,
            "title": a.title,
            "reason": a.reason,
            "compensating_controls": a.compensating_controls,
            "conditions": [f.text for f in a.conditions.all()],
            "by": a.accepted_by_label,
            "authority": a.accepted_authority,
            "authority_label": AUTHORITY_LABELS.get(a.accepted_authority, ""),
            "at": a.accepted_at.isoformat() if a.accepted_at else None,
            "expires_on": a.expires_on.isoformat() if a.expires_on else None,
            "requested_by": person_label(a.requested_by),
            "separation_relaxed": a.separation_relaxed,
        }
        for a in acceptances
    ]


def _attestation_part(assessment: Assessment) -> dict[str, Any] | None:
    """The vendor respondent's latest attestation (given on submitting), or None.

    Records frozen before attestations existed have no "attestation" key at all; readers
    treat a missing key like None.
    """
    attestation = assessment.attestations.order_by("-at", "-pk").first()
    if attestation is None:
        return None
    return {
        "name": attestation.name,
        "title": attestation.title,
        "statement": attestation.statement,
        "contact": attestation.contact_label,
        "at": attestation.at.isoformat(),
    }


def _timeline_part(assessment: Assessment) -> list[dict[str, Any]]:
    return [
        {
            "kind": e.kind,
            "from": e.from_status,
            "to": e.to_status,
            "by": e.by_label,
            "at": e.at.isoformat(),
            "note": e.note,
        }
        for e in assessment.timeline.all()
    ]
