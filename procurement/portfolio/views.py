"""The home page and the organisation's AI portfolio: shared dependencies, concentration, what-if scenarios,
comparison, reviews."""

from __future__ import annotations

import csv
import io

from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from procurement.assessments.models import Assessment
from procurement.assessments.presentation import decision_summary, score_provisional
from procurement.assessments.selectors import assessment_score, dashboard_for_user
from procurement.core.access import organisation_for
from procurement.core.cells import csv_row
from procurement.portfolio.selectors import (
    ScenarioSpec,
    dependency_table,
    hhi_band,
    portfolio_load,
    review_schedule,
    scenario_run,
    service_chain_context,
)
from procurement.questionbank.selectors import banks_for_user
from procurement.reports.pdf import render_pdf
from procurement.scoring import supply as pure

MAX_NOTICE = 3650


def _org(request):
    org = organisation_for(request.user)
    if org is None:
        raise Http404
    return org


@login_required
def home(request: HttpRequest) -> HttpResponse:
    ctx = {"banks": banks_for_user(request.user), **dashboard_for_user(request.user)}
    return render(request, "portfolio/home.html", ctx)


def _scenario_spec(request, portfolio) -> tuple[ScenarioSpec | None, list[str]]:
    """Read ?provider= or ?region= and ?notice= ; an unknown provider or region is a message, not a 500."""
    provider, region = request.GET.get("provider", "").strip(), request.GET.get("region", "").strip()
    if not provider and not region:
        return None, []
    problems = []
    try:
        notice = int(request.GET.get("notice", "90"))
        if not 0 <= notice <= MAX_NOTICE:
            raise ValueError
    except ValueError:
        problems.append(f"Notice must be a whole number of days between 0 and {MAX_NOTICE}.")
        notice = 90
    owners = {p.group for p in portfolio.chains.providers.values()}
    if provider and provider not in portfolio.chains.providers and provider not in owners:
        problems.append("Choose a provider from the list.")
    regions = {r.lower() for sc in portfolio.service_chains for link in sc.links for r in link.regions}
    if region and region.lower() not in regions:
        problems.append("Choose a region from the list.")
    return (None if problems else ScenarioSpec(provider=provider, region=region, notice_days=notice)), problems


def _scenario_title(spec: ScenarioSpec, portfolio) -> str:
    if spec.region:
        return f"Every site in {spec.region} goes on {spec.notice_days} days' notice"
    p = portfolio.chains.providers.get(spec.provider)
    name = p.name if p else spec.provider
    return f"{name} reclaims its capacity on {spec.notice_days} days' notice"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    portfolio = portfolio_load(org)
    providers, regions = dependency_table(portfolio)
    shares, hhi = pure.concentration(portfolio.service_chains, portfolio.chains.providers)
    spec, problems = _scenario_spec(request, portfolio)
    ctx = {
        "providers": providers,
        "regions": regions,
        "shares": sorted(shares.items(), key=lambda kv: -kv[1]),
        "hhi": hhi,
        "hhi_band": hhi_band(hhi),
        "with_chain": sum(1 for sc in portfolio.service_chains if sc.links),
        "services": portfolio.services,
        "provider_choices": sorted(portfolio.chains.rows.values(), key=lambda p: p.name),
        "owner_choices": sorted({p.owner for p in portfolio.chains.rows.values() if p.owner}),
        "region_choices": sorted({r["region"] for r in regions}),
        "problems": problems,
        "spec": spec,
        "title": _scenario_title(spec, portfolio) if spec else "",
        "rows": scenario_run(portfolio, spec) if spec else None,
        "query": request.GET.urlencode(),
    }
    return render(request, "portfolio/portfolio.html", ctx, status=400 if problems else 200)


@login_required
def scenario_export(request: HttpRequest, fmt: str) -> HttpResponse:
    org = _org(request)
    portfolio = portfolio_load(org)
    spec, problems = _scenario_spec(request, portfolio)
    if spec is None:
        return HttpResponse(
            " ".join(problems) or "Choose a provider or a region.", status=400, content_type="text/plain"
        )
    rows = scenario_run(portfolio, spec)
    title = _scenario_title(spec, portfolio)
    stamp = timezone.localdate().isoformat()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(csv_row(["scenario", title]))
        writer.writerow(
            [
                "service",
                "share affected (%)",
                "warning reaching us (days)",
                "days to migrate",
                "gap (days)",
                "alternative channel",
                "spend at risk",
                "via",
            ]
        )
        for r in rows:
            writer.writerow(
                csv_row(
                    [
                        r.name,
                        r.exposure,
                        r.warning_days,
                        r.migrate_days,
                        r.gap_days,
                        "yes" if r.alternative else "no",
                        r.spend_at_risk,
                        "; ".join(r.via),
                    ]
                )
            )
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="scenario-{stamp}.csv"'
        return response
    if fmt == "pdf":
        html = render_to_string(
            "portfolio/scenario_pdf.html",
            {
                "title": title,
                "rows": rows,
                "organisation": org,
                "date": stamp,
                "spend": sum(r.spend_at_risk for r in rows),
            },
        )
        data, _ = render_pdf(html)
        response = HttpResponse(data, content_type="application/pdf")
        response["Content-Disposition"] = f'attachment; filename="scenario-{stamp}.pdf"'
        return response
    raise Http404


@login_required
def compare(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    portfolio = portfolio_load(org)
    by_id = {str(s.pk): s for s in portfolio.services}
    chosen = [by_id[k] for k in dict.fromkeys(request.GET.getlist("s")) if k in by_id]
    problems = []
    if request.GET.getlist("s") and not 2 <= len(chosen) <= 4:
        problems.append("Choose between 2 and 4 services to compare.")
    columns = []
    if not problems:
        for service in chosen:
            a = portfolio.latest.get(service.pk)
            score, summary, provisional = None, None, ""
            if a is not None and a.is_final:
                # What was decided, beside the recommendation it was decided on (format 1 or 2).
                score = a.frozen_record["score"]
                summary = decision_summary(a.frozen_record.get("decision"), score=score)
            elif a is not None:
                score = assessment_score(a).as_dict()  # the current recommendation, scored now
                provisional = score_provisional(score)
            columns.append(
                {
                    "service": service,
                    "assessment": a,
                    "score": score,
                    "summary": summary,
                    "provisional": provisional,
                    **service_chain_context(service, chains=portfolio.chains),
                }
            )
    section_codes = []
    for c in columns:
        for s in (c["score"] or {}).get("sections", []):
            if (s["code"], s["title"]) not in section_codes:
                section_codes.append((s["code"], s["title"]))
    by_column = [{s["code"]: s for s in (c["score"] or {}).get("sections", [])} for c in columns]
    section_rows = [(code, title, [sections.get(code) for sections in by_column]) for code, title in section_codes]
    ctx = {
        "services": portfolio.services,
        "chosen": {str(s.pk) for s in chosen},
        "columns": columns,
        "section_rows": section_rows,
        "problems": problems,
    }
    return render(request, "portfolio/compare.html", ctx, status=400 if problems else 200)


@login_required
def reviews(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    today = timezone.localdate()
    ctx = {"rows": review_schedule(org, today=today), "today": today, "Status": Assessment.Status}
    return render(request, "portfolio/reviews.html", ctx)
