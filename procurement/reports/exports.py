"""XLSX and JSON exports of an assessment record."""

from __future__ import annotations

import io
import json

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from procurement.core.cells import xlsx_append
from procurement.reports.context import report_context_from_record
from procurement.reports.signing import envelope_sign

BAND_FILL = {
    "low": "C8E6C9",
    "moderate": "FFF59D",
    "high": "FFCC80",
    "critical": "EF9A9A",
}


def record_xlsx(record: dict) -> bytes:
    ctx = report_context_from_record(record)
    wb = Workbook()
    summary = wb.active
    summary.title = "Summary"
    score = record["score"]
    rows = [
        ("Vendor", record["vendor"]["name"]),
        ("Service", record["service"]["name"]),
        ("Assessment", f"A-{record['assessment']['id']}"),
        ("Bank", f"{record['bank']['name']} v{record['bank']['version']}"),
        ("Computed decision", ctx["computed_decision_label"]),
        ("Board decision", (record.get("decision") or {}).get("outcome", "not decided")),
        ("Residual rating", score["residual"]),
        ("Inherent tier", score["tier"]),
        ("Overall risk", score["overall_risk"]),
        ("Control band", score["control_band"]),
        ("Incomplete", "yes" if score["incomplete"] else "no"),
    ]
    attestation = ctx["attestation"]
    if attestation:
        rows += [
            ("Attested by", f"{attestation['name']}, {attestation['title']}"),
            ("Attested at (UTC)", f"{attestation['at'][:10]} {attestation['at'][11:16]}"),
            ("Vendor statement", attestation["statement"]),
            ("Through the link for", attestation.get("contact") or ""),
        ]
    else:
        rows.append(("Vendor statement", ctx["no_attestation"]))
    for label, value in rows:
        xlsx_append(summary, [label, value])
    xlsx_append(summary, [])
    xlsx_append(summary, ["Section", "Title", "Risk", "Band"])
    for s in ctx["scored_sections"]:
        xlsx_append(summary, [s["code"], s["title"], s["result"]["risk"], s["result"]["band"]])
        summary.cell(summary.max_row, 4).fill = PatternFill(
            "solid", fgColor=BAND_FILL.get(s["result"]["band"], "FFFFFF")
        )
    xlsx_append(summary, [])
    xlsx_append(summary, ["Knockouts and flags"])
    for h in ctx["hits"]:
        xlsx_append(summary, [h["kind"], h["title"], "; ".join(h["reasons"])])
    summary.column_dimensions["A"].width = 22
    summary.column_dimensions["B"].width = 48
    summary.column_dimensions["C"].width = 60

    answers = wb.create_sheet("Answers")
    header = [
        "Section",
        "Code",
        "Question",
        "Answer",
        "Status",
        "Points",
        "Original points",
        "Override reason",
        "Comments",
        "Evidence",
    ]
    xlsx_append(answers, header)
    for cell in answers[1]:
        cell.font = Font(bold=True)
    for s in ctx["sections"]:
        for row in s["rows"]:
            xlsx_append(
                answers,
                [
                    s["code"],
                    row["code"],
                    row["text"],
                    row["answer"],
                    row["status"],
                    row["points"],
                    row["original_points"],
                    row["override_reason"],
                    " | ".join(f"{c['by']}: {c['body']}" for c in row["comments"]),
                    ", ".join(e["name"] for e in row["evidence"]),
                ],
            )
    for col, width in zip("ABCDEFGHIJ", (8, 9, 60, 40, 11, 7, 9, 40, 40, 30), strict=True):
        answers.column_dimensions[col].width = width
    for row in answers.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    answers.freeze_panes = "C2"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


RECORD_FORMAT = "ai-due-diligence-record"


def record_json(record: dict, *, key: str | None = None) -> str:
    """The record in its export envelope, signed with ``key`` (default: this installation's
    RECORD_SIGNING_KEY) so ``import_assessment`` can tell it was not changed on the way."""
    envelope = envelope_sign({"format": RECORD_FORMAT, "version": 1, "record": record}, key=key)
    return json.dumps(envelope, indent=1, sort_keys=True)
