"""The portfolio board pack: one PDF of the organisation's AI portfolio for its board.

``board_pack_inputs`` reads everything the pack shows (a fixed number of queries plus one per
what-if scenario run in memory) into plain JSON: decisions by tier and residual, risk
acceptances and their expiry, overdue conditions and reviews, concentration, the top what-if
exposures and one line per service. The digest of those inputs and ``BOARD_PACK_FORMAT`` is the
cache key: any change to the portfolio (or a new day, which moves what is overdue) asks for a
new PDF, and the same inputs are never rendered twice. The worker renders the stored inputs
(``board_pack_pdf``, no queries), under the same lease as reports.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import time

from django.core.files.base import ContentFile
from django.db import transaction
from django.template.loader import render_to_string

from procurement.assessments.models import Assessment, Decision, RiskAcceptance
from procurement.assessments.presentation import RECOMMENDATION_LABELS, ROLE_WORDS, SCOPE_WORDS
from procurement.core.models import Organisation
from procurement.core.money import currency_name, money_format
from procurement.portfolio.models import BoardPack
from procurement.portfolio.obligations import ConditionFilters, open_conditions
from procurement.portfolio.selectors import (
    ScenarioSpec,
    dependency_table,
    hhi_band,
    portfolio_load,
    review_schedule,
    scenario_run,
)
from procurement.reports.charts import BAND_COLOURS, hbars
from procurement.reports.pdf import render_pdf
from procurement.reports.services import (
    RENDER_FAILED,
    STORE_FAILED,
    failure_reason,
    lease_claim,
    lease_fail,
    lease_held,
    lease_revive,
)
from procurement.scoring import geo
from procurement.scoring import supply as pure

# The pack's design: bump it when the template, the context or the stylesheet changes what a set
# of inputs renders to (cached packs are then rendered again).
BOARD_PACK_FORMAT = 1
# The notice a what-if scenario assumes, and how many of the worst the pack shows.
SCENARIO_NOTICE_DAYS = 90
TOP_EXPOSURES = 5
STYLESHEETS = ("css/board-pack.css",)

BANDS = ("low", "moderate", "high", "critical")
TIER_WORDS = {1: "Tier 1: critical use", 2: "Tier 2: important use", 3: "Tier 3: limited use"}
OPEN_STATUSES = dict(Assessment.Status.choices)


# --- Reading the inputs ------------------------------------------------------------------------


def _day(value) -> str | None:
    if value is None:
        return None
    return (value.date() if isinstance(value, dt.datetime) else value).isoformat()


def _scenario_title(spec: ScenarioSpec, providers: dict) -> str:
    if spec.region:
        return f"Every site in {geo.name(spec.region)} gives {spec.notice_days} days' notice"
    return f"{spec.provider} reclaims its capacity on {spec.notice_days} days' notice"


def _exposures(portfolio, regions: list[dict], *, spend_ok: bool) -> list[dict]:
    """What if each provider owner, or each region, gave ``SCENARIO_NOTICE_DAYS`` notice: the
    worst ones, by spend at risk (when spend can be added up), then by services left with a gap."""
    specs = [
        ScenarioSpec(provider=owner, notice_days=SCENARIO_NOTICE_DAYS)
        for owner in sorted({p.group for p in portfolio.chains.providers.values()})
    ]
    specs += [ScenarioSpec(region=r["code"], notice_days=SCENARIO_NOTICE_DAYS) for r in regions if r["code"]]
    found = []
    for spec in specs:
        rows = [r for r in scenario_run(portfolio, spec) if r.exposure > 0]
        if not rows:
            continue
        gaps = [r for r in rows if r.gap_days is None or r.gap_days > 0]
        found.append(
            {
                "title": _scenario_title(spec, portfolio.chains.providers),
                "label": f"Sites in {geo.name(spec.region)}" if spec.region else spec.provider,
                "services": len(rows),
                "with_gap": len(gaps),
                "gap_names": sorted(r.name for r in gaps),
                "worst_gap_days": max((r.gap_days for r in gaps if r.gap_days is not None), default=None),
                "unknown_warning": sum(1 for r in gaps if r.warning_days is None),
                "no_alternative": sum(1 for r in rows if not r.alternative),
                "spend_at_risk": round(sum(r.spend_at_risk for r in rows), 2) if spend_ok else None,
            }
        )
    found.sort(key=lambda e: (-(e["spend_at_risk"] or 0), -e["with_gap"], -e["services"], e["title"]))
    return found[:TOP_EXPOSURES]


def board_pack_inputs(organisation: Organisation, *, today: dt.date) -> dict:
    """Every figure the board pack shows, as JSON-ready values (no model instances)."""
    portfolio = portfolio_load(organisation)
    spend_ok = portfolio.spend.ok
    converted = {sc.key: sc.annual_spend for sc in portfolio.service_chains}
    latest = portfolio.latest
    decisions = {d.assessment_id: d for d in Decision.objects.filter(assessment__in=list(latest.values()))}
    reviews = {r["assessment"].pk: r for r in review_schedule(organisation, today=today)}

    services = []
    for s in sorted(portfolio.services, key=lambda s: (s.vendor.name.lower(), s.name.lower())):
        a = latest.get(s.pk)
        d = decisions.get(a.pk) if a else None
        review = reviews.get(a.pk) if a else None
        row = {
            "name": s.name,
            "vendor": s.vendor.name,
            "assessment": a.pk if a else None,
            "status": str(OPEN_STATUSES.get(a.status, "")) if a else "",
            "tier": (a.frozen_tier or None) if a and a.is_final else None,
            "recommendation": a.recommendation if a else "",
            "residual": a.risk_band if a else "",
            "provisional": bool(a and not a.is_final),
            "decision": d.outcome if d else "",
            "decided_by": d.by_label if d else "",
            "decided_role": ROLE_WORDS.get(d.role, d.role) if d else "",
            "decided_on": _day(d.at) if d else None,
            "decision_residual": d.residual if d else "",
            "decision_recommendation": d.recommendation if d else "",
            "differs": bool(d and d.differs),
            "spend": round(converted.get(str(s.pk), 0.0), 2) if spend_ok and s.annual_spend is not None else None,
            "next_review": _day(review["due"]) if review and review["due"] else None,
            "review_overdue": bool(review and review["overdue"]),
            "reassess": bool(a and a.reassess_reason),
        }
        if d:  # what was decided on, not what a later rescore says
            row["recommendation"], row["residual"] = d.recommendation, d.residual or row["residual"]
        services.append(row)

    acceptances = []
    rows = (
        RiskAcceptance.objects.filter(assessment__organisation=organisation, status=RiskAcceptance.Status.ACCEPTED)
        .exclude(assessment__status=Assessment.Status.REJECTED)
        .select_related("assessment__service__vendor")
        .order_by("expires_on", "pk")
    )
    for r in rows:
        service = r.assessment.service
        acceptances.append(
            {
                "service": f"{service.vendor.name} — {service.name}",
                "assessment": r.assessment_id,
                "scope": str(SCOPE_WORDS.get(r.scope, r.scope)),
                "title": r.title,
                "by": r.accepted_by_label,
                "accepted_on": _day(r.accepted_at),
                "expires_on": _day(r.expires_on),
                "days_left": (r.expires_on - today).days if r.expires_on else None,
            }
        )
    requested = RiskAcceptance.objects.filter(
        assessment__organisation=organisation,
        status=RiskAcceptance.Status.REQUESTED,
        assessment__status__in=[Assessment.Status.SUBMITTED, Assessment.Status.IN_REVIEW],
    ).count()

    overdue_conditions = [
        {
            "kind": item.kind,
            "title": item.title,
            "service": f"{item.vendor} — {item.service}",
            "assessment": item.assessment_id,
            "owner": item.owner,
            "due": _day(item.due_date),
            "days_overdue": (today - item.due_date).days,
            "status": str(item.status),
        }
        for item in open_conditions(organisation, ConditionFilters(overdue=True), today=today)
    ]
    names = {s.pk: f"{s.vendor.name} — {s.name}" for s in portfolio.services}
    reviews_due = [
        {
            "service": names.get(r["assessment"].service_id, ""),
            "assessment": r["assessment"].pk,
            "due": _day(r["due"]),
            "days_overdue": (today - r["due"]).days if r["due"] else None,
            "flagged": r["flagged"],
            "reason": (r["assessment"].reassess_reason.splitlines() or [""])[-1] if r["flagged"] else "",
        }
        for r in reviews.values()
        if r["overdue"] or r["flagged"]
    ]

    providers, regions = dependency_table(portfolio)
    shares, hhi = pure.concentration(portfolio.service_chains, portfolio.chains.providers)
    _, model_hhi = pure.concentration(portfolio.service_chains, portfolio.chains.providers, role="model_provider")
    return {
        "organisation": organisation.name,
        "as_of": today.isoformat(),
        "currency": portfolio.spend.currency,
        "spend": {
            "ok": spend_ok,
            "missing": portfolio.spend.missing,
            "rates_as_of": _day(portfolio.spend.as_of),
            "total": round(sum(s["spend"] or 0 for s in services), 2) if spend_ok else None,
        },
        "services": services,
        "acceptances": acceptances,
        "requested_acceptances": requested,
        "overdue_conditions": overdue_conditions,
        "reviews": reviews_due,
        "concentration": {
            "with_chain": sum(1 for sc in portfolio.service_chains if sc.links),
            "hhi": round(hhi, 1) if spend_ok else None,
            "band": hhi_band(hhi) if spend_ok else "",
            "shares": [[owner, round(v, 1)] for owner, v in sorted(shares.items(), key=lambda kv: (-kv[1], kv[0]))]
            if spend_ok
            else [],
            "model_hhi": round(model_hhi, 1) if spend_ok else None,
            "model_band": hhi_band(model_hhi) if spend_ok else "",
            "shared_models": sorted(
                pure.shared_providers(
                    portfolio.service_chains, portfolio.chains.providers, role="model_provider"
                ).items()
            ),
            "providers": [
                {
                    "name": r["provider"].name,
                    "owner": r["provider"].owner,
                    "services": r["services"],
                    "spend": round(r["spend"], 2) if spend_ok else None,
                }
                for r in providers
                if r["shared"]
            ],
            "regions": [
                {
                    "region": r["region"],
                    "places": r["places"],
                    "unknown": r["unknown"],
                    "services": r["services"],
                    "spend": round(r["spend"], 2) if spend_ok else None,
                }
                for r in regions
            ],
        },
        "exposures": _exposures(portfolio, regions, spend_ok=spend_ok),
        "scenario_notice_days": SCENARIO_NOTICE_DAYS,
    }


def inputs_digest(inputs: dict) -> str:
    canonical = json.dumps(inputs, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode()).hexdigest()


# --- From inputs to the page (pure: no queries) --------------------------------------------------


def _money(amount, currency: str) -> str:
    return "—" if amount is None else money_format(amount, currency)


def _date_words(iso: str | None) -> str:
    return dt.date.fromisoformat(iso).strftime("%-d %b %Y") if iso else ""


def _recommendation(rec: str, residual: str) -> str:
    label = RECOMMENDATION_LABELS.get(rec, "")
    if not label:
        return "Not scored yet"
    return f"{label} ({residual} residual)" if residual else label


def board_pack_context(inputs: dict) -> dict:
    currency = inputs["currency"]
    spend_ok = inputs["spend"]["ok"]
    services = []
    for s in inputs["services"]:
        if s["decision"]:
            decision = f"{s['decision'].capitalize()} by {s['decided_by']}"
            if s["decided_role"]:
                decision += f" ({s['decided_role']})"
            decision += f", {_date_words(s['decided_on'])}"
        elif s["assessment"]:
            decision = f"Not decided yet ({s['status'].lower()})"
        else:
            decision = "Not assessed yet"
        services.append(
            {
                **s,
                "label": f"{s['vendor']} — {s['name']}",
                "tier_words": TIER_WORDS.get(s["tier"], "—"),
                "recommendation_words": _recommendation(s["recommendation"], s["residual"])
                + (" so far" if s["provisional"] and s["recommendation"] else ""),
                "decision_words": decision,
                "spend_words": _money(s["spend"], currency) if spend_ok else "—",
                "next_review_words": _date_words(s["next_review"]) or "—",
            }
        )

    # Decisions by tier and residual: decided services by their tier; open ones in a row of their own.
    grid_rows = []
    for tier, label in (*TIER_WORDS.items(), (None, "Not decided yet")):
        picked = [
            s for s in inputs["services"] if s["assessment"] and (s["tier"] == tier if tier else not s["decision"])
        ]
        if tier and not picked:
            continue
        cells = []
        for band in BANDS:
            here = [s for s in picked if s["residual"] == band]
            if tier:
                counts = [(sum(s["decision"] == word for s in here), word) for word in ("approved", "rejected")]
                counts = [(n, word) for n, word in counts if n]
            else:
                counts = [(len(here), "open")] if here else []
            cells.append(", ".join(f"{n} {word}" for n, word in counts))
        if tier is None and not picked:
            continue
        grid_rows.append({"label": label, "cells": cells})

    by_band = {b: sum(1 for s in inputs["services"] if s["residual"] == b) for b in BANDS}
    residual_chart = hbars(
        [
            {"label": b.capitalize(), "value": by_band[b], "text": str(by_band[b]), "colour": BAND_COLOURS[b]}
            for b in BANDS
        ],
        title="Services by residual rating (decided, or so far for open assessments)",
    )
    conc = dict(inputs["concentration"])
    for key in ("providers", "regions"):
        conc[key] = [{**r, "spend_words": _money(r["spend"], currency) if spend_ok else "—"} for r in conc[key]]
    share_chart = (
        hbars(
            [{"label": owner, "value": share, "text": f"{share:.1f}%"} for owner, share in conc["shares"]],
            title="Share of AI spend running on each owner's inference compute",
            maximum=100,
        )
        if conc["shares"]
        else None
    )
    exposures = []
    for e in inputs["exposures"]:
        exposures.append({**e, "spend_words": _money(e["spend_at_risk"], currency) if spend_ok else "—"})
    exposure_chart = None
    if spend_ok and any(e["spend_at_risk"] for e in exposures):
        exposure_chart = hbars(
            [
                {"label": e["label"], "value": e["spend_at_risk"], "text": e["spend_words"], "colour": "#a04600"}
                for e in exposures
            ],
            title=f"Annual spend at risk if a provider or region gave {inputs['scenario_notice_days']} days' notice",
        )

    acceptances = [
        {
            **a,
            "expires_words": _date_words(a["expires_on"]) or "No expiry set",
            "accepted_words": _date_words(a["accepted_on"]),
            "expired": a["days_left"] is not None and a["days_left"] < 0,
            "soon": a["days_left"] is not None and 0 <= a["days_left"] <= 60,
        }
        for a in inputs["acceptances"]
    ]
    conditions = [{**c, "due_words": _date_words(c["due"])} for c in inputs["overdue_conditions"]]
    reviews = [{**r, "due_words": _date_words(r["due"])} for r in inputs["reviews"]]
    decided = [s for s in inputs["services"] if s["decision"]]
    return {
        "pack": inputs,
        "as_of_words": _date_words(inputs["as_of"]),
        "currency": currency,
        "currency_name": currency_name(currency),
        "spend_ok": spend_ok,
        "missing_words": ", ".join(f"{c} ({currency_name(c)})" for c in inputs["spend"]["missing"]),
        "total_spend_words": _money(inputs["spend"]["total"], currency) if spend_ok else "",
        "rates_as_of_words": _date_words(inputs["spend"]["rates_as_of"]),
        "services": services,
        "grid_rows": grid_rows,
        "bands": [b.capitalize() for b in BANDS],
        "residual_chart": residual_chart,
        "share_chart": share_chart,
        "exposure_chart": exposure_chart,
        "exposures": exposures,
        "acceptances": acceptances,
        "expiring": [a for a in acceptances if a["expired"] or a["soon"]],
        "conditions": conditions,
        "reviews": reviews,
        "conc": conc,
        "counts": {
            "services": len(services),
            "decided": len(decided),
            "approved": sum(1 for s in decided if s["decision"] == "approved"),
            "rejected": sum(1 for s in decided if s["decision"] == "rejected"),
            "open": sum(1 for s in inputs["services"] if s["assessment"] and not s["decision"]),
            "unassessed": sum(1 for s in inputs["services"] if not s["assessment"]),
            "high_or_worse": sum(1 for s in inputs["services"] if s["residual"] in ("high", "critical")),
        },
    }


def board_pack_html(inputs: dict) -> str:
    return render_to_string("portfolio/board_pack.html", board_pack_context(inputs))


def board_pack_pdf(inputs: dict) -> tuple[bytes, int]:
    """PDF bytes and page count of a pack's stored inputs; runs no queries."""
    return render_pdf(board_pack_html(inputs), stylesheets=STYLESHEETS)


# --- Asking for it, rendering it -----------------------------------------------------------------

STATUS_FIELDS = (
    "id",
    "organisation_id",
    "inputs_hash",
    "format_version",
    "status",
    "pages",
    "error",
    "claimed_until",
    "attempts",
    "created_at",
    "updated_at",
)


def _enqueue(pack_id: int) -> None:
    from procurement.portfolio.tasks import render_board_pack

    transaction.on_commit(lambda: render_board_pack.enqueue(pack_id))


def board_pack_revive(pack: BoardPack | None) -> BoardPack | None:
    return lease_revive(pack, enqueue=_enqueue)


@transaction.atomic
def board_pack_request(*, organisation: Organisation, today: dt.date) -> BoardPack:
    """The pack of the portfolio as it stands: a cached one, or a queued render."""
    inputs = board_pack_inputs(organisation, today=today)
    digest = inputs_digest(inputs)
    existing = board_pack_revive(
        BoardPack.objects.filter(organisation=organisation, inputs_hash=digest, format_version=BOARD_PACK_FORMAT)
        .only(*STATUS_FIELDS)
        .first()
    )
    if existing is not None and existing.status in (BoardPack.Status.READY, BoardPack.Status.PENDING):
        return existing
    pack, _ = BoardPack.objects.update_or_create(
        organisation=organisation,
        inputs_hash=digest,
        format_version=BOARD_PACK_FORMAT,
        defaults={
            "inputs": inputs,
            "status": BoardPack.Status.PENDING,
            "error": "",
            "claimed_until": None,
            "attempts": 0,
        },
    )
    _enqueue(pack.pk)
    return pack


def board_pack_status(organisation: Organisation, digest: str) -> BoardPack | None:
    """The pack a status poll waits for (one row read); a pending one whose worker died is queued again."""
    pack = (
        BoardPack.objects.filter(organisation=organisation, inputs_hash=digest, format_version=BOARD_PACK_FORMAT)
        .only(*STATUS_FIELDS)
        .first()
    )
    return board_pack_revive(pack)


def board_pack_render(pack_id: int) -> BoardPack | None:
    """Render a queued pack (the worker calls this): claim it, render, store. None when there was
    nothing to do. A failure, rendering or storing, marks it failed with the reason."""
    if not lease_claim(BoardPack, pack_id):
        return None
    pack = BoardPack.objects.get(pk=pack_id)
    started = time.perf_counter()
    with lease_held(BoardPack, pack_id):
        try:
            data, pages = board_pack_pdf(pack.inputs)
        except Exception as exc:
            lease_fail(BoardPack, pack_id, RENDER_FAILED.format(reason=failure_reason(exc)))
            raise
        render_ms = round((time.perf_counter() - started) * 1000)
        try:
            pack.file.save(f"{pack.inputs_hash}.pdf", ContentFile(data), save=False)
        except Exception as exc:
            lease_fail(BoardPack, pack_id, STORE_FAILED.format(reason=failure_reason(exc)))
            raise
    pack.render_ms, pack.pages = render_ms, pages
    pack.status, pack.error, pack.claimed_until = BoardPack.Status.READY, "", None
    pack.save(update_fields=["file", "render_ms", "pages", "status", "error", "claimed_until", "updated_at"])
    return pack
