"""XLSX and JSON exports of an assessment record."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill

from procurement.assessments.models import Assessment, Finding
from procurement.core.cells import xlsx_append
from procurement.core.money import xlsx_number_format
from procurement.reports.context import report_context_from_record
from procurement.reports.signing import envelope_sign
from procurement.scoring import geo
from procurement.vendors.models import Provider, SupplyLink
from procurement.vendors.supply import SOURCE_SERVICE

BAND_FILL = {
    "low": "C8E6C9",
    "moderate": "FFF59D",
    "high": "FFCC80",
    "critical": "EF9A9A",
}

# One style object for every cell that has it: openpyxl looks each assigned one up by its hash,
# and building a new one per cell was most of an export's time.
BOLD = Font(bold=True)
WRAPPED = Alignment(wrap_text=True, vertical="top")


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
        ("Residual rating", (score["residual"] or "").capitalize()),
        ("Inherent tier", score["tier"]),
        ("Overall risk (0-100)", _number(score["overall_risk"])),
        ("Control band", score["control_band"]),
        ("Incomplete", "yes" if score["incomplete"] else "no"),
        ("Scored as of", _date(record.get("scored_as_of"))),
    ]
    attestation = ctx["attestation"]
    if attestation:
        rows += [
            ("Attested by", f"{attestation['name']}, {attestation['title']}"),
            ("Attested at (UTC)", _utc(_datetime(attestation["at"]))),
            ("Vendor statement", attestation["statement"]),
            ("Through the link for", attestation.get("contact") or ""),
        ]
    else:
        rows.append(("Vendor statement", ctx["no_attestation"]))
    for label, value in rows:
        xlsx_append(summary, [label, value])
    spend = record["service"].get("annual_spend")
    if spend is not None:  # a number with a currency format, e.g. "EUR" #,##0.00
        cells = xlsx_append(summary, ["Annual spend", float(Decimal(spend))])
        cells[1].number_format = xlsx_number_format(record["service"].get("currency", ""))
    xlsx_append(summary, [])
    xlsx_append(summary, ["Section", "Title", "Risk", "Band"])
    for s in ctx["scored_sections"]:
        cells = xlsx_append(summary, [s["code"], s["title"], _number(s["result"]["risk"]), s["result"]["band"]])
        cells[3].fill = PatternFill("solid", fgColor=BAND_FILL.get(s["result"]["band"], "FFFFFF"))
    xlsx_append(summary, [])
    xlsx_append(summary, ["Knockouts and flags"])
    for h in ctx["hits"]:
        xlsx_append(summary, [h["kind"], h["title"], "; ".join(h["reasons"])])
    _finish(summary, (22, 48, 60), freeze=None)
    answers_sheet(wb, ctx)
    findings_sheet(wb, ctx)
    acceptances_sheet(wb, ctx)
    supply_chain_sheet(wb, record)
    contract_sheet(wb, record)
    audit_sheet(wb, ctx)
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


ANSWERS_HEADER = (
    "Section",
    "Code",
    "Question",
    "Answer",
    "Status",
    "Points",
    "Points before override",
    "Override reason",
    "Comments",
    "Evidence",
    "Self-attested",
    "Rests on",
)


def answers_sheet(wb: Workbook, ctx: dict) -> None:
    """One row per question: the answer as a person reads it (labels), points and overrides."""
    answers = wb.create_sheet("Answers")
    _header(answers, ANSWERS_HEADER)
    for s in ctx["sections"]:
        for row in s["rows"]:
            xlsx_append(
                answers,
                [
                    s["code"],
                    row["code"],
                    row["text"],
                    row["answer"],
                    row["status_label"].capitalize(),
                    row["points"],
                    row["original_points"],
                    row["override_reason"],
                    " | ".join(f"{c['by']}: {c['body']}" for c in row["comments"]),
                    ", ".join(e["name"] for e in row["evidence"]),
                    # One more point: the favourable critical answer rests only on the vendor's word.
                    "Yes, one more point" if row["self_attested"] else "",
                    row["basis"],
                ],
            )
    _finish(answers, (8, 9, 60, 40, 16, 7, 9, 40, 40, 30, 18, 40), freeze="C2")


def decision_rows(ctx: dict) -> list[tuple[str, object]]:
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


def _utc(at: dt.datetime | None) -> dt.datetime | None:
    """A time as a spreadsheet date-time cell: UTC, without a zone (Excel keeps none)."""
    if at is None:
        return None
    if at.tzinfo is not None:
        at = at.astimezone(dt.UTC).replace(tzinfo=None)
    return at.replace(microsecond=0)


def _datetime(value) -> dt.datetime | None:
    if not value:
        return None
    try:
        return value if isinstance(value, dt.datetime) else dt.datetime.fromisoformat(str(value))
    except ValueError:
        return None


def _date(value) -> dt.date | None:
    if not value:
        return None
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value)[:10])
    except ValueError:
        return None


def _number(value) -> int | float | None:
    """A number cell (None stays empty): text such as "42.5" from an older record is converted."""
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = value
    else:
        try:
            number = float(str(value))
        except ValueError:
            return None
    if isinstance(number, float):
        number = round(number, 1)
        return int(number) if number.is_integer() else number
    return number


def _header(sheet, names) -> None:
    xlsx_append(sheet, list(names))
    for cell in sheet[1]:
        cell.font = BOLD


def _finish(sheet, widths: tuple[int, ...], *, freeze: str | None = "A2") -> None:
    for i, width in enumerate(widths):
        sheet.column_dimensions[chr(ord("A") + i)].width = width
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            cell.alignment = WRAPPED
            if isinstance(cell.value, dt.datetime):
                cell.number_format = "yyyy-mm-dd hh:mm"
            elif isinstance(cell.value, dt.date):
                cell.number_format = "yyyy-mm-dd"
    sheet.freeze_panes = freeze


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
    _header(sheet, ACCEPTANCE_HEADER)
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
                a["expires_on"],
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
    _finish(sheet, (40, 22, 50, 50, 40, 24, 16, 17, 12, 24))


FINDINGS_HEADER = ("Kind", "Text", "Owner", "Due date", "Status at the decision")
KIND_LABELS = dict(Finding.Kind.choices)
FINDING_STATUS_LABELS = dict(Finding.Status.choices)


def findings_sheet(wb: Workbook, ctx: dict) -> None:
    """Conditions and findings as the record froze them (their rows go on living)."""
    sheet = wb.create_sheet("Findings and conditions")
    _header(sheet, FINDINGS_HEADER)
    for f in ctx["findings"]:
        status = f.get("status") or Finding.Status.OPEN  # records frozen before statuses: open
        xlsx_append(
            sheet,
            [
                KIND_LABELS.get(f.get("kind", ""), f.get("kind", "")),
                f.get("text", ""),
                f.get("owner") or "Unassigned",
                _date(f.get("due_date")),
                FINDING_STATUS_LABELS.get(status, status),
            ],
        )
    if not ctx["findings"]:
        xlsx_append(sheet, ["None recorded."])
    _finish(sheet, (12, 60, 24, 12, 24))


SUPPLY_HEADER = (
    "Provider",
    "Owner",
    "Kind",
    "Supplies",
    "Role",
    "Share (%)",
    "Arrangement",
    "Notice (days)",
    "Notice passed on",
    "Alternative channel",
    "Competitor",
    "Regions",
)
ROLE_LABELS = dict(SupplyLink.Role.choices)
ARRANGEMENT_LABELS = dict(SupplyLink.Arrangement.choices)
PROVIDER_KIND_LABELS = dict(Provider.Kind.choices)


def supply_chain_sheet(wb: Workbook, record: dict) -> None:
    """One row per link of the supply chain the record froze (records before chains have none)."""
    sheet = wb.create_sheet("Supply chain")
    _header(sheet, SUPPLY_HEADER)
    chain = record.get("supply_chain") or {}
    providers = chain.get("providers") or {}
    links = chain.get("links") or []
    for link in links:
        provider = providers.get(str(link.get("provider")), {})
        source = str(link.get("source", ""))
        supplies = record["service"]["name"] if source == SOURCE_SERVICE else providers.get(source, {}).get("name", "")
        xlsx_append(
            sheet,
            [
                provider.get("name", ""),
                provider.get("owner", ""),
                PROVIDER_KIND_LABELS.get(provider.get("kind", ""), provider.get("kind", "")),
                supplies,
                ROLE_LABELS.get(link.get("role", ""), link.get("role", "")),
                _number(link.get("share")),
                ARRANGEMENT_LABELS.get(link.get("arrangement", ""), link.get("arrangement", "")),
                _number(link.get("notice_days")),
                _yes_no(link.get("pass_through")),
                _yes_no(link.get("alternative")),
                "not known" if link.get("competitor", False) is None else _yes_no(link.get("competitor")),
                ", ".join(geo.name(r) for r in link.get("regions") or ()),
            ],
        )
    if not links:
        xlsx_append(sheet, ["No supply chain was recorded for this service."])
    _finish(sheet, (28, 22, 22, 28, 18, 10, 14, 10, 10, 12, 11, 24))


# The contract facts the record keeps (procurement.vendors.contracts.contract_snapshot), in order.
CONTRACT_ROWS = (
    ("reference", "Contract reference"),
    ("buyer_party", "Our contracting entity"),
    ("vendor_party", "Vendor's contracting entity"),
    ("start_date", "Start date"),
    ("end_date", "End or renewal date"),
    ("auto_renews", "Renews automatically"),
    ("renewal_notice_days", "Notice to stop the renewal (days)"),
    ("buyer_notice_days", "Our termination notice (days)"),
    ("vendor_notice_days", "Vendor's termination notice (days)"),
    ("pass_through_notice_days", "Committed notice of upstream changes (days)"),
)


def contract_sheet(wb: Workbook, record: dict) -> None:
    """The signed contract of the assessed service as the record holds it (the figures the
    notice-gap rule read beside the vendor's answers), one fact per row."""
    sheet = wb.create_sheet("Contract")
    _header(sheet, ("Contract", "Value"))
    chain = record.get("supply_chain") or {}
    if "contract" not in chain:
        xlsx_append(sheet, ["This record was made before contracts were recorded."])
    elif not chain["contract"]:
        xlsx_append(sheet, ["No contract was recorded for this service."])
    else:
        contract = chain["contract"]
        for key, label in CONTRACT_ROWS:
            value = contract.get(key)
            if key.endswith("_date"):
                value = _date(value)
            elif key == "auto_renews":
                value = _yes_no(value)
            elif key.endswith("_days"):
                value = "not stated" if value is None else _number(value)
            xlsx_append(sheet, [label, value if value is not None else ""])
    _finish(sheet, (44, 40))


def _yes_no(value) -> str:
    return "yes" if value else "no"


AUDIT_HEADER = ("When (UTC)", "Who", "What", "Note")
STATUS_LABELS = dict(Assessment.Status.choices)


def audit_sheet(wb: Workbook, ctx: dict) -> None:
    """The timeline as the record froze it, then the decision and the risk acceptances."""
    sheet = wb.create_sheet("Audit")
    _header(sheet, AUDIT_HEADER)
    for e in ctx["timeline"]:
        if e.get("kind") == "status":
            before = STATUS_LABELS.get(e.get("from") or "", e.get("from") or "New")
            what = f"Status: {before} → {STATUS_LABELS.get(e.get('to') or '', e.get('to') or '')}"
        else:
            what = (e.get("kind") or "").capitalize()
        xlsx_append(sheet, [_utc(_datetime(e.get("at"))), e.get("by") or "System", what, e.get("note", "")])
    summary = ctx["summary"]
    if summary is not None:
        xlsx_append(
            sheet,
            [
                _utc(summary.at),
                summary.who,
                f"Decision: {summary.outcome_label.lower()}; engine recommendation: "
                f"{summary.recommendation_label.lower()}",
                summary.note,
            ],
        )
    for a in ctx["acceptances"]:
        until = f", until {a['expires_on'].isoformat()}" if a["expires_on"] else ""
        what = f"Risk accepted: {a.get('title', '')}{until}"
        xlsx_append(sheet, [_utc(a["at"]), a["who"], what, a.get("reason", "")])
    _finish(sheet, (17, 28, 50, 60))


RECORD_FORMAT = "ai-due-diligence-record"


def record_json(record: dict, *, key: str | None = None) -> str:
    """The record in its export envelope, signed with ``key`` (default: this installation's
    RECORD_SIGNING_KEY) so ``import_assessment`` can tell it was not changed on the way."""
    envelope = envelope_sign({"format": RECORD_FORMAT, "version": 1, "record": record}, key=key)
    return json.dumps(envelope, indent=1, sort_keys=True)
