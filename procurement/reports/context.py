"""The report context: everything the report shows, materialised once from the record.

A decided assessment reports its frozen record; any other assessment reports
a record built now. Rendering afterwards runs no database queries.
"""

from __future__ import annotations

import hashlib
import json
from typing import Any

from procurement.assessments.presentation import (
    acceptance_rows,
    answer_label,
    decision_summary,
    recommendation_words,
    score_provisional,
)
from procurement.assessments.records import record_hash
from procurement.reports.charts import section_bars
from procurement.scoring.explain import DECISION_LABELS
from procurement.vendors.diagram import chain_diagram

TIER_MEANING = {1: "critical use", 2: "important use", 3: "limited use"}
STATUS_TEXT = {
    "intake": "buyer intake (sets the tier)",
    "unscored": "not scored",
    "hidden": "not shown",
    "na": "not applicable",
    "unanswered": "unanswered",
}
# A reviewer-only question nobody has answered: before the decision it is the reviewer's to
# answer, so "Not answered" would blame the vendor; after it, say plainly that none was given.
REVIEWER_PENDING = "To be answered by the reviewer"
REVIEWER_NONE = "No reviewer answer was recorded"
NO_ATTESTATION = "No attestation was recorded."
UNVERIFIED_IMPORT_WARNING = (
    "Imported without a verified signature. This assessment was loaded from a record file whose signature"
    " could not be checked, so its answers, scores and decision may have been changed outside this system."
)


def report_context_from_record(
    record: dict, *, status_label: str = "", unverified_import: bool = False
) -> dict[str, Any]:
    """Pure: a record in, a fully materialised context out.

    ``unverified_import`` (``Assessment.is_unverified_import``) puts a warning on the cover:
    the record is not part of itself, so the caller passes it from the assessment.
    """
    doc = record["bank"]["document"]
    score = record["score"]
    answers = record["answers"]
    q_results = {q["code"]: q for q in score["questions"]}
    s_results = {s["code"]: s for s in score["sections"]}
    comments: dict[str, list] = {}
    for c in record.get("comments", []):
        comments.setdefault(c["question"], []).append(c)
    evidence: dict[str, list] = {}
    for e in record.get("evidence", []):
        evidence.setdefault(e["question"], []).append(e)
    question_index = {q["code"]: q for s in doc["sections"] for q in s["questions"]}
    decision = record.get("decision") or {}

    sections = []
    for section in doc["sections"]:
        rows = []
        for q in section["questions"]:
            r = q_results[q["code"]]
            kind, text = answer_label(q, answers.get(q["code"]))
            if r["status"] == "hidden":
                kind, text = "hidden", "Not shown (its condition was not met)"
            elif kind == "empty" and q.get("audience") == "reviewer":
                kind, text = "reviewer", REVIEWER_NONE if decision else REVIEWER_PENDING
            rows.append(
                {
                    "code": q["code"],
                    "text": q["text"],
                    "critical": q["critical"],
                    "reviewer_only": q.get("audience") == "reviewer",
                    "answer_kind": kind,
                    "answer": text,
                    "status": r["status"],
                    "status_label": STATUS_TEXT.get(r["status"], r["status"]),
                    "points": r["points"],
                    "original_points": r["original_points"],
                    "override_reason": r["override_reason"],
                    "override_by": r["override_by"],
                    "by": (answers.get(q["code"]) or {}).get("by", ""),
                    "comments": comments.get(q["code"], []),
                    "evidence": evidence.get(q["code"], []),
                }
            )
        sections.append(
            {"code": section["code"], "title": section["title"], "result": s_results[section["code"]], "rows": rows}
        )

    hits = [dict(k, kind="Knockout") for k in score["knockouts"]] + [dict(f, kind="Flag") for f in score["flags"]]
    # The decision people recorded (format 2, or format 1 with the difference worked out) and
    # the engine's recommendation are two things: the cover states both, and how they differ.
    summary = decision_summary(decision, score=score)
    params = record["rule_params"]
    return {
        "record": record,
        "doc_id": f"DD-{record['assessment']['id']:05d}-{record_hash(record)[:8].upper()}",
        "is_draft": not decision,
        "status_label": status_label,
        "unverified_import": unverified_import,
        "unverified_import_warning": UNVERIFIED_IMPORT_WARNING if unverified_import else "",
        "outcome": decision.get("outcome", ""),
        "decision": decision,
        "computed_decision": score["decision"],
        "computed_decision_label": DECISION_LABELS[score["decision"]],
        "summary": summary,
        # The PDF's subject: "Approved; engine recommendation: Reject".
        "subject": (f"{summary.outcome_label}; " if summary else "Not decided; ")
        + f"engine recommendation: {DECISION_LABELS[score['decision']]}",
        "recommendation_words": recommendation_words(score["decision"], score["residual"]),
        "provisional": "" if summary else score_provisional(score),
        # Records frozen before acceptances were recorded (format 1) have no such key.
        "acceptances": acceptance_rows(record.get("acceptances")),
        "acceptances_recorded": "acceptances" in record,
        "tier": score["tier"],
        "tier_meaning": TIER_MEANING.get(score["tier"], ""),
        "score": score,
        "sections": sections,
        "scored_sections": [s for s in sections if s["result"]["risk"] is not None],
        "hits": hits,
        "chart": section_bars(
            score["sections"], cutoffs=params.get("bands", {"moderate": 25, "high": 45, "critical": 65})
        ),
        "top_risks": top_risks(score, question_index),
        "supply": supply_chain_facts(answers, question_index, hits) | chain_view(record),
        "params": params_view(params, [s["code"] for s in doc["sections"]]),
        "findings": record.get("findings", []),
        "timeline": record.get("timeline", []),
        # Records frozen before attestations existed have no such key.
        "attestation": record.get("attestation"),
        "no_attestation": NO_ATTESTATION,
    }


def top_risks(score: dict, questions: dict[str, dict], limit: int = 3) -> list[dict]:
    """The three most important risks as short paragraphs, generated from the rules and scores."""
    items: list[dict] = []
    for k in score["knockouts"]:
        state = (
            "waived: accepted as a risk"
            if k.get("waived")
            else "a knockout: the engine recommends reject unless it is accepted as a risk"
        )
        items.append(
            {
                "title": k["title"],
                "text": f"{k.get('explain') or k['title']} This is {state}. " + "; ".join(k["reasons"]) + ".",
            }
        )
    for f in score["flags"]:
        items.append(
            {"title": f["title"], "text": f"{f.get('explain') or f['title']} " + "; ".join(f["reasons"]) + "."}
        )
    worst = sorted(
        (
            q
            for q in score["questions"]
            if q["points"] is not None and q["points"] >= 3 and q["status"] in ("scored", "unanswered")
        ),
        key=lambda q: (-(q["points"] * q["weight"]), q["code"]),
    )
    for q in worst:
        spec = questions[q["code"]]
        why = spec["help"].split(".")[0].strip() if spec["help"] else ""
        answer = "was not answered" if q["status"] == "unanswered" else f"scored {q['points']} of 4"
        items.append({"title": f"{q['code']}: {spec['text']}", "text": f"The answer {answer}. {why}."})
    return items[:limit]


SUPPLY_CODES = (
    "LOC-01",
    "LOC-02",
    "LOC-03",
    "LOC-04",
    "SUP-02",
    "SUP-03",
    "SUP-04",
    "SUP-05",
    "CON-01",
    "CON-03",
    "RES-06",
    "INT-06",
)


def supply_chain_facts(answers: dict, questions: dict[str, dict], hits: list[dict]) -> dict:
    rows = []
    for code in SUPPLY_CODES:
        q = questions.get(code)
        if q is None:
            continue
        _, text = answer_label(q, answers.get(code))
        rows.append({"code": code, "question": q["text"], "answer": text})
    gap = next((h for h in hits if h["name"] == "notice_gap"), None)
    return {"rows": rows, "notice_gap": gap}


def chain_view(record: dict) -> dict:
    """The recorded supply chain as the record froze it (records made before chains existed have none)."""
    chain = record.get("supply_chain") or {}
    diagram = chain_diagram(chain, service_name=record["service"]["name"], vendor_name=record["vendor"]["name"])
    return {"chain": chain, "facts": chain.get("facts"), "diagram": diagram}


def params_view(params: dict, section_codes: list[str]) -> dict:
    """The rule parameters as short tables for the methodology appendix."""
    weights = params.get("section_weights", {})
    tiers = ("tier_1", "tier_2", "tier_3")
    residual = params.get("residual", {})
    return {
        "bands": params.get("bands", {}),
        "critical_floor": params.get("critical_floor", "high"),
        "tier": params.get("tier", {}),
        "weight_rows": [
            {"code": code, "weights": [weights.get(t, {}).get(code, "—") for t in tiers]}
            for code in section_codes
            if any(code in weights.get(t, {}) for t in tiers)
        ],
        "residual_rows": [
            {"band": band, "cells": [residual.get(t, {}).get(band, "—") for t in tiers]}
            for band in ("low", "moderate", "high", "critical")
        ],
        "decisions": [
            (band, params.get("decisions", {}).get(band, "—")) for band in ("low", "moderate", "high", "critical")
        ],
        "rules": [
            {
                "name": name,
                "title": rule.get("title", name),
                "severity": rule.get("severity", "knockout"),
                "tiers": ", ".join(str(t) for t in rule.get("knockout_tiers", [1, 2, 3])),
                "definition": json.dumps(
                    {k: v for k, v in rule.items() if k not in ("title", "severity", "knockout_tiers", "explain")},
                    separators=(", ", ": "),
                    sort_keys=True,  # stable whatever order the database returns keys in (jsonb sorts them)
                ),
            }
            for name, rule in sorted(params.get("rules", {}).items())
        ],
        "hash": hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest(),
    }
