"""The home page and the organisation's AI portfolio: shared dependencies, concentration, what-if scenarios,
comparison, reviews."""

from __future__ import annotations

import csv
import io

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST
from openpyxl import Workbook
from openpyxl.styles import Font

from procurement.assessments.models import Assessment
from procurement.assessments.presentation import decision_summary, score_provisional
from procurement.assessments.selectors import assessment_score, dashboard_for_user
from procurement.core.access import membership_for, organisation_for, require_role
from procurement.core.cells import csv_row, xlsx_append
from procurement.core.forms import CurrencyRateForm, ReportingCurrencyForm
from procurement.core.models import Membership
from procurement.core.money import currency_name
from procurement.core.pagination import CountingPaginator
from procurement.core.polling import poll_schedule
from procurement.core.selectors import currency_rates
from procurement.core.services import (
    currency_rate_remove,
    currency_rate_set,
    organisation_reporting_currency_set,
)
from procurement.core.text import clipped, day_words
from procurement.core.text import html_escaped as _e
from procurement.core.workers import WORKER_MISSING
from procurement.portfolio import board_pack
from procurement.portfolio.forms import ConditionFilterForm
from procurement.portfolio.models import BoardPack
from procurement.portfolio.obligations import (
    DATES_AHEAD_DAYS,
    Item,
    condition_item,
    dates_ahead,
    obligations_for_user,
    open_conditions_qs,
)
from procurement.portfolio.selectors import (
    ScenarioSpec,
    dependency_table,
    hhi_band,
    portfolio_load,
    region_choices,
    review_schedule,
    scenario_run,
    service_chain_context,
)
from procurement.questionbank.selectors import banks_for_user
from procurement.reports.pdf import render_pdf
from procurement.scoring import geo
from procurement.scoring import supply as pure
from procurement.vendors.models import AIService

MAX_NOTICE = 3650


def _org(request):
    org = organisation_for(request.user)
    if org is None:
        raise Http404
    return org


QUEUE_TITLE_CHARS = 110  # a work-queue or dates card's link, as cut before


def _queue_line(item: Item) -> str:
    """One item of a work-queue card: the link, then what it is and when it is due. Drawn here,
    not by a template loop: the home page draws up to 70 of them (bench/run.py,
    ``calendar_home_page_ratio``). Every value escaped."""
    if item.kind in ("condition", "finding"):
        what = f"{_e(item.detail)} · {_e(item.status)}"
    else:
        what = _e(item.detail or item.status)
    due = ""
    if item.due_date:
        d = item.due_date
        red, late = ("text-danger fw-semibold", " (overdue)") if item.overdue else ("", "")
        due = f' · <span class="{red}">due {day_words(d)}{late}</span>'
    return (
        f'<li class="list-group-item"><a href="{_e(item.url)}">{_e(clipped(item.title, QUEUE_TITLE_CHARS))}</a>'
        f'<div class="text-secondary">{what}{due}</div></li>'
    )


def _date_line(item: Item) -> str:
    """One date of the "Evidence and contract dates" card: the link, the day (passed or not),
    what it means (contracts) and the owner."""
    d = item.due_date
    red, late = ("text-danger fw-semibold", " (passed)") if item.overdue else ("", "")
    detail = f" · {_e(item.detail)}" if item.kind != "evidence_expiry" else ""
    owner = f" · {_e(item.owner)}" if item.owner else ""
    return (
        f'<li class="list-group-item"><a href="{_e(item.url)}">{_e(clipped(item.title, QUEUE_TITLE_CHARS))}</a>'
        f'<div class="text-secondary"><span class="{red}">{day_words(d)}{late}</span>{detail}{owner}</div></li>'
    )


@login_required
def home(request: HttpRequest) -> HttpResponse:
    dashboard = dashboard_for_user(request.user)
    org = organisation_for(request.user)
    queue = obligations_for_user(request.user, today=dashboard["today"])
    dates = dates_ahead(org, today=dashboard["today"]) if org else []
    ctx = {
        "banks": banks_for_user(request.user),
        "queue": queue,
        "busy": [(g, mark_safe("".join(map(_queue_line, g.items)))) for g in queue.busy],
        "dates_ahead": [(g, mark_safe("".join(map(_date_line, g.items)))) for g in dates],
        "dates_ahead_days": DATES_AHEAD_DAYS,
        **dashboard,
    }
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
    region = geo.canonical(region) or region if region else ""  # "eu-west-1" names "aws:eu-west-1"
    if region and region not in dict(region_choices(dependency_table(portfolio)[1])):
        problems.append("Choose a region from the list.")
    return (None if problems else ScenarioSpec(provider=provider, region=region, notice_days=notice)), problems


def _scenario_title(spec: ScenarioSpec, portfolio) -> str:
    if spec.region:
        return f"Every site in {geo.name(spec.region)} goes on {spec.notice_days} days' notice"
    p = portfolio.chains.providers.get(spec.provider)
    name = p.name if p else spec.provider
    return f"{name} reclaims its capacity on {spec.notice_days} days' notice"


@login_required
def index(request: HttpRequest) -> HttpResponse:
    org = _org(request)
    portfolio = portfolio_load(org)
    providers, regions = dependency_table(portfolio)
    shares, hhi = pure.concentration(portfolio.service_chains, portfolio.chains.providers)
    model_shares, model_hhi = pure.concentration(
        portfolio.service_chains, portfolio.chains.providers, role="model_provider"
    )
    spec, problems = _scenario_spec(request, portfolio)
    ctx = {
        "providers": providers,
        "regions": regions,
        "shares": sorted(shares.items(), key=lambda kv: -kv[1]),
        "hhi": hhi,
        "hhi_band": hhi_band(hhi),
        "model_shares": sorted(model_shares.items(), key=lambda kv: -kv[1]),
        "model_hhi": model_hhi,
        "model_hhi_band": hhi_band(model_hhi),
        "shared_models": pure.shared_providers(
            portfolio.service_chains, portfolio.chains.providers, role="model_provider"
        ),
        "spend": portfolio.spend,
        "with_chain": sum(1 for sc in portfolio.service_chains if sc.links),
        "services": portfolio.services,
        "provider_choices": sorted(portfolio.chains.rows.values(), key=lambda p: p.name),
        "owner_choices": sorted({p.owner for p in portfolio.chains.rows.values() if p.owner}),
        "region_choices": region_choices(regions),
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
                f"spend at risk ({portfolio.spend.currency})" if portfolio.spend.ok else "spend at risk",
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
                        f"{r.spend_at_risk:.2f}" if portfolio.spend.ok else "",
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
                "spend_total": sum(r.spend_at_risk for r in rows),
                "spend": portfolio.spend,
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


# --- Open conditions ----------------------------------------------------------------------

CONDITIONS_PAGE = 50
CONDITION_COLUMNS = ["Kind", "Condition or finding", "Vendor", "Service", "Assessment", "Owner", "Due date"]
CONDITION_COLUMNS += ["Overdue", "Status", "Link"]


def _conditions_query(request):
    org = _org(request)
    form = ConditionFilterForm(request.GET or None, organisation=org)
    today = timezone.localdate()
    return org, form, today, open_conditions_qs(org, form.filters(), today=today)


@login_required
def conditions(request: HttpRequest) -> HttpResponse:
    """Every open condition and finding of the organisation, filtered by overdue, owner, vendor,
    service, status and kind; CSV and XLSX exports of the same rows."""
    _, form, today, qs = _conditions_query(request)
    problems = form.errors if form.is_bound and not form.is_valid() else {}
    page = CountingPaginator(qs, CONDITIONS_PAGE, count_from=qs.order_by()).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    ctx = {
        "form": form,
        "problems": [str(e) for errors in problems.values() for e in errors],
        "page": page,
        "items": [condition_item(f, today=today) for f in page.object_list],
        "query": query.urlencode(),
        "today": today,
    }
    return render(request, "portfolio/conditions.html", ctx, status=400 if problems else 200)


def _condition_cells(request, item) -> list:
    return [
        item.kind.capitalize(),
        item.title,
        item.vendor,
        item.service,
        f"A-{item.assessment_id}",
        item.owner,
        item.due_date,
        "yes" if item.overdue else "no",
        item.status,
        request.build_absolute_uri(item.url),
    ]


@login_required
def conditions_export(request: HttpRequest, fmt: str) -> HttpResponse:
    _, form, today, qs = _conditions_query(request)
    if form.is_bound and not form.is_valid():
        problems = " ".join(str(e) for errors in form.errors.values() for e in errors)
        return HttpResponse(problems, status=400, content_type="text/plain; charset=utf-8")
    items = [condition_item(f, today=today) for f in qs]
    stamp = today.isoformat()
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(CONDITION_COLUMNS)
        for item in items:
            writer.writerow(csv_row(_condition_cells(request, item)))
        response = HttpResponse(out.getvalue(), content_type="text/csv; charset=utf-8")
    elif fmt == "xlsx":
        wb = Workbook()
        sheet = wb.active
        sheet.title = "Open conditions"
        xlsx_append(sheet, CONDITION_COLUMNS)
        for cell in sheet[1]:
            cell.font = Font(bold=True)
        for item in items:
            xlsx_append(sheet, _condition_cells(request, item))[6].number_format = "yyyy-mm-dd"
        for column, width in zip("ABCDEFGHIJ", (10, 60, 24, 28, 10, 20, 12, 9, 26, 50), strict=True):
            sheet.column_dimensions[column].width = width
        out = io.BytesIO()
        wb.save(out)
        response = HttpResponse(
            out.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )
    else:
        raise Http404
    response["Content-Disposition"] = f'attachment; filename="open-conditions-{stamp}.{fmt}"'
    return response


@login_required
def currency_rates_page(request: HttpRequest) -> HttpResponse:
    """Organisation admins set the reporting currency and the dated rates into it that the
    portfolio uses to add up spend in different currencies."""
    membership = membership_for(request.user)
    if membership is None:
        raise Http404
    require_role(request.user, Membership.Role.ADMIN)
    organisation = membership.organisation
    action = request.POST.get("action", "") if request.method == "POST" else ""
    reporting_form = ReportingCurrencyForm(
        request.POST if action == "reporting" else None, initial={"currency": organisation.reporting_currency}
    )
    rate_form = CurrencyRateForm(request.POST if action == "rate" else None, reporting=organisation.reporting_currency)
    if action == "reporting" and reporting_form.is_valid():
        code = reporting_form.cleaned_data["currency"]
        changed = organisation_reporting_currency_set(organisation=organisation, currency=code, by=request.user)
        messages.success(request, f"Spend is now reported in {code}." if changed else "Nothing changed.")
        return redirect("portfolio:currency_rates")
    if action == "rate" and rate_form.is_valid():
        row = currency_rate_set(organisation=organisation, by=request.user, **rate_form.cleaned_data)
        messages.success(request, f"Saved: 1 {row.currency} = {row.rate.normalize():f} {row.to_currency}.")
        return redirect("portfolio:currency_rates")
    if action == "remove":
        if currency_rate_remove(organisation=organisation, currency=request.POST.get("currency", ""), by=request.user):
            messages.success(request, "Rate removed.")
        return redirect("portfolio:currency_rates")
    rates = currency_rates(organisation)
    in_use = set(
        AIService.objects.filter(vendor__organisation=organisation, annual_spend__isnull=False).values_list(
            "currency", flat=True
        )
    ) - {organisation.reporting_currency}
    ctx = {
        "organisation": organisation,
        "reporting_name": currency_name(organisation.reporting_currency),
        "reporting_form": reporting_form,
        "rate_form": rate_form,
        "rates": sorted(rates.values(), key=lambda r: r.currency),
        "missing": sorted(c for c in in_use if c not in rates),
    }
    invalid = (action == "rate" and rate_form.errors) or (action == "reporting" and reporting_form.errors)
    return render(request, "portfolio/currency_rates.html", ctx, status=400 if invalid else 200)


# --- The board pack ------------------------------------------------------------------------------


def _pack_ctx(pack: BoardPack | None, *, polls: int = 0) -> dict:
    return {
        "pack_ready": pack if pack and pack.status == BoardPack.Status.READY else None,
        "pack_pending": pack is not None and pack.status == BoardPack.Status.PENDING,
        "pack_hash": pack.inputs_hash if pack else "",
        "pack_failed": pack.error if pack and pack.status == BoardPack.Status.FAILED else "",
        "worker_missing": WORKER_MISSING if getattr(pack, "worker_missing", False) else "",
        **poll_schedule(polls),
    }


@login_required
@require_POST
def board_pack_generate(request: HttpRequest) -> HttpResponse:
    """Ask for the board pack of the portfolio as it stands: the cached PDF, or a queued render."""
    org = _org(request)
    pack = board_pack.board_pack_request(organisation=org, today=timezone.localdate())
    # An inline (immediate) backend has already rendered it; the inputs themselves are not needed.
    pack.refresh_from_db(fields=[f for f in board_pack.STATUS_FIELDS if f != "id"])
    return render(request, "portfolio/includes/board_pack_status.html", _pack_ctx(pack))


@login_required
def board_pack_status(request: HttpRequest, digest: str) -> HttpResponse:
    """The spinner polls this with the inputs' hash the generate action gave it: one row read.
    ``n`` counts the polls so far (the page polls quickly at first, then once a second)."""
    org = _org(request)
    try:
        polls = min(int(request.GET.get("n", "0")), 1000)
    except ValueError:
        polls = 0
    pack = board_pack.board_pack_status(org, digest)
    if pack is None:
        raise Http404("No board pack with that hash.")
    return render(request, "portfolio/includes/board_pack_status.html", _pack_ctx(pack, polls=polls))


@login_required
def board_pack_download(request: HttpRequest, digest: str) -> HttpResponse:
    org = _org(request)
    pack = (
        BoardPack.objects.filter(organisation=org, inputs_hash=digest, status=BoardPack.Status.READY)
        .order_by("-format_version")
        .first()
    )
    if pack is None:
        raise Http404("No board pack with that hash.")
    with pack.file.open("rb") as fh:
        data = fh.read()
    response = HttpResponse(data, content_type="application/pdf")
    stamp = pack.inputs["as_of"]
    response["Content-Disposition"] = f'attachment; filename="ai-portfolio-board-pack-{stamp}-{digest[:8]}.pdf"'
    response["Cache-Control"] = "private, max-age=3600"
    return response
