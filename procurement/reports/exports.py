"""XLSX and JSON exports of an assessment record."""

from __future__ import annotations

import datetime as dt
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
        *decision_rows(ctx),
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
    acceptances_sheet(wb, ctx)

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


def decision_rows(ctx: dict) -> list[tuple[str, str]]:
    """The summary's recommendation and decision rows: two things, and how they differ."""
    summary = ctx["summary"]
    recommendation = ctx["recommendation_words"] or ctx["computed_decision_label"]
    if ctx["provisional"]:
        recommendation += f" ({ctx['provisional']})"
    if summary is None:
        return [("Recommendation", recommendation), ("Decision", "Not decided")]
    return [
        ("Recommendation", recommendation),
        ("Decision", summary.outcome_label),
        ("Decided by", summary.who),
        ("Decided at (UTC)", _utc(summary.at)),
        ("Decision note", summary.note),
        ("Difference", summary.difference or "None: the decision follows the recommendation."),
        ("Risk acceptances", str(len(ctx["acceptances"])) if ctx["acceptances_recorded"] else "Not recorded"),
    ]


def _utc(at: dt.datetime | None) -> str:
    return at.astimezone(dt.UTC).strftime("%Y-%m-%d %H:%M") if at else ""


ACCEPTANCE_HEADER = (
    "Risk accepted",
    "Scope",
    "Reason",
    "Compensating controls",
    "Conditions",
    "Accepted by",
    "Authority",
    "Accepted at (UTC)",
    "Expires on",
    "Requested by",
)


def acceptances_sheet(wb: Workbook, ctx: dict) -> None:
    """One row per risk acceptance the decision rests on (a format-1 record says it kept none)."""
    sheet = wb.create_sheet("Risk acceptances")
    xlsx_append(sheet, list(ACCEPTANCE_HEADER))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for a in ctx["acceptances"]:
        xlsx_append(
            sheet,
            [
                a.get("title", ""),
                a["scope_label"],
                a.get("reason", ""),
                a.get("compensating_controls", ""),
                "; ".join(a["conditions"]),
                a.get("by", ""),
                a.get("authority_label", ""),
                _utc(a["at"]),
                a["expires_on"].isoformat() if a["expires_on"] else "",
                a.get("requested_by", ""),
            ],
        )
    if not ctx["acceptances"]:
        xlsx_append(
            sheet,
            [
                "None: the decision rests on no risk acceptance."
                if ctx["acceptances_recorded"]
                else "This record was frozen before risk acceptances were recorded with decisions."
            ],
        )
    for col, width in zip("ABCDEFGHIJ", (40, 22, 50, 50, 40, 24, 16, 17, 12, 24), strict=True):
        sheet.column_dimensions[col].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = Alignment(wrap_text=True, vertical="top")
    sheet.freeze_panes = "A2"


RECORD_FORMAT = "ai-due-diligence-record"


def record_json(record: dict, *, key: str | None = None) -> str:
    """The record in its export envelope, signed with ``key`` (default: this installation's
    RECORD_SIGNING_KEY) so ``import_assessment`` can tell it was not changed on the way."""
    envelope = envelope_sign({"format": RECORD_FORMAT, "version": 1, "record": record}, key=key)
    return json.dumps(envelope, indent=1, sort_keys=True)
