"""The report context: everything the report shows, materialised once from the record.

A decided assessment reports its frozen record; any other assessment reports
a record built now. Rendering afterwards runs no database queries.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections import Counter
from typing import Any

from procurement.assessments.presentation import (
    BASIS_LABELS,
    acceptance_rows,
    answer_label,
    decision_summary,
    recommendation_words,
    score_provisional,
    stale_sentence,
    timeline_words,
)
from procurement.assessments.records import record_hash
from procurement.reports.charts import section_bars
from procurement.scoring.explain import DECISION_LABELS
from procurement.scoring.params import JUDGEMENT_KEYS
from procurement.scoring.wording import (
    SELF_ATTESTED_EXPLAIN,
    SELF_ATTESTED_METHOD,
    judgement_fires,
    number_words,
    self_attested_count_words,
    sentences,
)
from procurement.vendors.diagram import chain_diagram
from procurement.vendors.models import DOCUMENT_TYPE_LABELS

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
        # Records before documents had types carry no "type": the line then omits it.
        evidence.setdefault(e["question"], []).append({**e, "type_label": DOCUMENT_TYPE_LABELS.get(e.get("type"), "")})
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
            elif kind == "empty" and q["type"] == "evidence" and evidence.get(q["code"]):
                # An evidence question's answer is its file, listed below it.
                n = len(evidence[q["code"]])
                kind, text = "answered", "Document attached" if n == 1 else f"{n} documents attached"
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
                    "evidence_question": q["type"] == "evidence",
                    "basis": basis_line(answers.get(q["code"])),
                    # Records scored before evidence-weighted credit carry no such key.
                    "self_attested": SELF_ATTESTED_EXPLAIN if r.get("self_attested") else "",
                }
            )
        # Who answered, said once per section: the most frequent answerer; an answer from anyone
        # else names them at the answer. A hidden question was answered by nobody.
        answered = Counter(r["by"] for r in rows if r["by"] and r["answer_kind"] != "hidden")
        main = answered.most_common(1)[0][0] if answered else ""
        for r in rows:
            if r["answer_kind"] == "hidden" or r["by"] == main:
                r["by"] = ""
        sections.append(
            {
                "code": section["code"],
                "title": section["title"],
                "result": s_results[section["code"]],
                "rows": rows,
                "answered_by": main,
                "others": any(r["by"] for r in rows),
            }
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
        "top_risks": top_risks(score, question_index, answers),
        "supply": supply_chain_facts(answers, question_index, hits) | chain_view(record),
        "params": params_view(params, [s["code"] for s in doc["sections"]], question_index),
        "self_attested": self_attested_count_words(sum(1 for q in score["questions"] if q.get("self_attested"))),
        "self_attested_method": SELF_ATTESTED_METHOD if params.get("self_attested_point") else "",
        "findings": record.get("findings", []),
        "timeline": [
            {**e, "what": timeline_words(e.get("kind", ""), e.get("from", ""), e.get("to", ""))}
            for e in record.get("timeline", [])
        ],
        # Records frozen before attestations existed have no such key.
        "attestation": record.get("attestation"),
        "no_attestation": NO_ATTESTATION,
    }


def basis_line(answer: dict | None) -> str:
    """ "Rests on: a document, confirmed by Rita Reviewer on 3 Dec 2026." for an answer resting on
    more than the vendor's statement ("" otherwise, and for records from before answers had one)."""
    basis = (answer or {}).get("basis")
    if basis not in BASIS_LABELS:
        return ""
    words = {"document": "a document", "attestation": "an independent attestation"}.get(basis, basis)
    if answer.get("basis_confirmed_at"):
        by = answer.get("basis_confirmed_by") or "a reviewer"
        return f"Rests on {words}, confirmed by {by} on {_day(answer['basis_confirmed_at'][:10])}."
    return f"Rests on {words}, as claimed; not confirmed by a reviewer, so it counts as the vendor's statement."


def top_risks(score: dict, questions: dict[str, dict], answers: dict | None = None, limit: int = 3) -> list[dict]:
    """The three most important risks as short paragraphs, generated from the rules and scores.

    Each paragraph is whole sentences: a rule's explanation and its reasons, or a question's
    answer quoted with its points and the first full sentence of its help. Codes and rule
    names are references (``ref``), not part of the text.
    """
    answers = answers or {}
    items: list[dict] = []
    for k in score["knockouts"]:
        state = (
            "It is waived: accepted as a risk."
            if k.get("waived")
            else "It is a knockout: the engine recommends reject unless it is accepted as a risk."
        )
        items.append(
            {
                "title": k["title"],
                "ref": k["name"],
                "text": sentences([k.get("explain") or k["title"], state, *k["reasons"]]),
            }
        )
    for f in score["flags"]:
        items.append(
            {"title": f["title"], "ref": f["name"], "text": sentences([f.get("explain") or f["title"], *f["reasons"]])}
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
        kind, label = answer_label(spec, answers.get(q["code"]))
        if q["status"] == "unanswered" or kind == "empty":
            answer = f"It was not answered, so it counts at its worst: {q['points']} of 4 risk points."
        else:
            answer = f"The answer “{label}” scores {q['points']} of 4 risk points."
        parts = [answer, stale_sentence(q.get("explanation", "")), first_sentence(spec.get("help", ""))]
        items.append({"title": spec["text"], "ref": q["code"], "text": sentences([p for p in parts if p])})
    return items[:limit]


# A sentence ends at ., ! or ? followed by a space and a capital or an opening quote, never
# inside a number such as "1.0" or an abbreviation such as "e.g. the EU".
_SENTENCE_END = re.compile(r"(?<!\be\.g\.)(?<!\bi\.e\.)(?<=[.!?])\s+(?=[A-Z“\"(])")


def first_sentence(text: str) -> str:
    """The first whole sentence of a help text ("" for none)."""
    text = " ".join((text or "").split())
    if not text:
        return ""
    return _SENTENCE_END.split(text, maxsplit=1)[0]


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
    return {"chain": chain, "facts": chain.get("facts"), "diagram": diagram, "contract": contract_view(chain)}


def _days(value) -> str:
    if value is None:
        return "not stated"
    return "1 day" if value == 1 else f"{value:g} days"


def _day(text: str | None) -> str:
    """An ISO date of the record as "1 Jan 2027" ("" for none)."""
    if not text:
        return ""
    try:
        return f"{dt.date.fromisoformat(text):%-d %b %Y}"
    except ValueError:
        return text


def contract_view(chain: dict) -> dict | None:
    """The signed contract's figures the score used, in words, or None (no contract, or a record
    frozen before contracts were recorded). The vendor's notice stands beside its answer."""
    contract = chain.get("contract")
    if not contract:
        return None
    start = _day(contract.get("start_date"))
    end = _day(contract.get("end_date"))
    answered = chain.get("vendor_notice_days")
    vendor = contract.get("vendor_notice_days")
    upstream = contract.get("pass_through_notice_days")
    if vendor is None:
        vendor_words = "not stated in the contract"
    elif answered is None:
        vendor_words = f"{_days(vendor)} (the vendor has not answered)"
    elif vendor < answered:
        vendor_words = f"{_days(vendor)}, less than the {_days(answered)} the vendor's answer said: the contract counts"
    else:
        vendor_words = f"{_days(vendor)} (the vendor's answer: {_days(answered)})"
    return {
        "reference": contract.get("reference") or "no reference",
        "parties": f"{contract.get('buyer_party', '')} and {contract.get('vendor_party', '')}",
        "term": f"from {start}"
        + (f" to {end}" if end else ", open-ended")
        + (", renews automatically" if contract.get("auto_renews") else ""),
        "vendor_notice": vendor_words,
        "upstream_notice": "no commitment"
        if upstream == 0
        else (_days(upstream) if upstream is not None else "not stated in the contract"),
        "shorter_than_answer": vendor is not None and answered is not None and vendor < answered,
    }


def params_view(params: dict, section_codes: list[str], questions: dict[str, dict] | None = None) -> dict:
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
            (band, DECISION_LABELS.get(params.get("decisions", {}).get(band), "—").lower())
            for band in ("low", "moderate", "high", "critical")
        ],
        "rules": [rule_row(name, rule, questions or {}) for name, rule in sorted(params.get("rules", {}).items())],
        "hash": hashlib.sha256(json.dumps(params, sort_keys=True).encode()).hexdigest(),
    }


# --- Named rules in words, for the appendix -----------------------------------------------

COMPARISON = {"lt": "below", "le": "at most", "gt": "above", "ge": "at least"}
FACT_NOUNS = {
    "competitor_or_leased_share": ("the share of serving capacity on competitor-owned or leased providers", "%"),
    "upstream_notice_days": ("the shortest notice a material upstream provider can give", " days"),
    "effective_notice_days": ("the shortest notice we can rely on", " days"),
    "notice_gap_days": ("the notice gap", " days"),
    "largest_provider_share": ("the largest compute provider's share", "%"),
    "independent_compute_providers": ("the number of independent compute providers", ""),
    "regions_outside": ("the number of regions outside the required geography", ""),
    "single_points_of_failure": ("the number of single points of failure", ""),
    "contract_notice_days": ("the notice the signed contract requires of the vendor", " days"),
    "contract_pass_through_days": ("the notice of upstream changes the signed contract commits the vendor to", " days"),
}


def _number(value, unit: str = "") -> str:
    return number_words(value, unit.strip())  # 1 provider, 40%


def condition_words(cond: dict, questions: dict[str, dict], top: bool = True) -> str:
    """A rule condition in words: questions by their text, choices by their labels."""
    if "all" in cond or "any" in cond:
        parts = [condition_words(c, questions, top=False) for c in cond.get("all") or cond.get("any")]
        if "all" in cond:
            return "; and ".join(parts) if top else " and ".join(parts)
        return ("either " if len(parts) > 1 else "") + " or ".join(parts) if not top else " or ".join(parts)
    op = next((k for k in COMPARISON if k in cond), None)
    if "fact" in cond:
        noun, unit = FACT_NOUNS.get(cond["fact"], (cond["fact"].replace("_", " "), ""))
        return f"{noun} in the recorded supply chain is {COMPARISON[op]} {_number(cond[op], unit)}"
    q = questions.get(cond["question"], {})
    text = f"“{q['text']}” ({cond['question']})" if q.get("text") else cond["question"]
    if "in" in cond:
        labels = {c["value"]: c["label"] for c in q.get("choices", [])}
        return f"{text} is " + " or ".join(f"“{labels.get(v, v)}”" for v in cond["in"])
    return f"{text} is {COMPARISON[op]} {_number(cond[op], q.get('unit', ''))}"


def _condition_codes(cond: dict) -> list[str]:
    if "all" in cond or "any" in cond:
        return [code for c in cond.get("all") or cond.get("any") for code in _condition_codes(c)]
    return [cond["question"]] if "question" in cond else []


def rule_row(name: str, rule: dict, questions: dict[str, dict]) -> dict:
    """One named rule as a table row: what it is, when it fires, where it knocks out, what it reads."""
    severity = rule.get("severity", "knockout")
    tiers = rule.get("knockout_tiers", [1, 2, 3])
    if rule.get("kind") == "notice_gap":

        def text(code):
            q = questions.get(code, {})
            return f"“{q['text']}” ({code})" if q.get("text") else code

        labels = {c["value"]: c["label"] for c in questions.get(rule.get("alternative_channel"), {}).get("choices", [])}
        fires = (
            "Fires when the shortest notice we can rely on is shorter than the days we need to move,"
            f" {text(rule['migrate_days'])}."
            f" That notice is the shorter of the vendor's own notice, {text(rule['vendor_notice'])}, and the"
            " upstream notice: the notice the vendor commits to pass on,"
            f" {text(rule['pass_through_notice'])}, or without such a commitment the shortest upstream notice,"
            f" {text(rule['upstream_notice'])}"
            + (" or the recorded supply chain's, whichever is shorter" if rule.get("upstream_fact") else "")
            + "."
        )
        if rule.get("alternative_channel"):
            fires += (
                f" It is only a flag when {text(rule['alternative_channel'])} is "
                + " or ".join(f"“{labels.get(v, v)}”" for v in rule.get("alternative_values", []))
                + "."
            )
        codes = [rule[k] for k in NOTICE_KEYS if rule.get(k)]
    elif rule.get("kind") in JUDGEMENT_KEYS:

        def quoted(code):
            q = questions.get(code, {})
            return f"“{q['text']}” ({code})" if q.get("text") else code

        fires = judgement_fires(rule["kind"], rule, quoted)
        keys = JUDGEMENT_KEYS[rule["kind"]]
        codes = [rule[k] for k, spec in keys.items() if spec.what == "question" and rule.get(k)]
    else:
        fires = "Fires when " + condition_words(rule["condition"], questions) + "."
        codes = list(dict.fromkeys(_condition_codes(rule["condition"])))
    return {
        "name": name,
        "title": rule.get("title", name),
        "severity": severity,
        "explain": rule.get("explain", ""),
        "fires_when": fires,
        "knockout_in": (
            "never (a flag)"
            if severity != "knockout"
            else "all tiers"
            if set(tiers) >= {1, 2, 3}
            else "tier" + ("s " if len(tiers) > 1 else " ") + " and ".join(str(t) for t in tiers) + "; a flag otherwise"
        ),
        "questions": ", ".join(codes) or "—",
    }


NOTICE_KEYS = ("migrate_days", "vendor_notice", "upstream_notice", "pass_through_notice", "alternative_channel")
