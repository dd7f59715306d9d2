"""Contracts, the supply chain (providers and links) and the portfolio facts: the same forms,
services and selectors as the service, provider and portfolio pages.

Supply-chain writes go through procurement.portfolio.services, as the pages' do, so a new
provider in a chain, a shorter notice or a changed owner flags the services' assessments
for reassessment and rescores the open ones.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone
from ninja import File, Form, Query, Router, Schema, Status, UploadedFile

from procurement.api import schemas as out
from procurement.api.auth import organisation, writer
from procurement.api.common import (
    PAGE_SIZE,
    choice_filter,
    form_invalid,
    members,
    page_of,
    query_dict,
    reading,
    service_for,
    writing,
)
from procurement.assessments.models import Assessment
from procurement.core.access import EDITORS, require_role
from procurement.portfolio import services as chain_services
from procurement.portfolio.selectors import (
    dependency_table,
    hhi_band,
    portfolio_load,
    review_schedule,
    service_chain_context,
)
from procurement.scoring import supply as pure
from procurement.vendors.contracts import (
    contract_dates,
    contract_document_attach,
    contract_document_detach,
    contract_save,
)
from procurement.vendors.documents import DocumentRejected, upload_check
from procurement.vendors.forms import ContractForm, ProviderForm, SupplyLinkForm
from procurement.vendors.models import Contract, ContractDocument, Provider, SupplyLink
from procurement.vendors.supply import org_chains, provider_delete, provider_save

router = Router(tags=["contracts, supply chain, portfolio"])

SERVICE = "/vendors/{vendor_id}/services/{service_id}"


# --- Contracts ------------------------------------------------------------------------------


class ContractIn(Schema):
    reference: str = ""
    buyer_party: str = ""
    vendor_party: str = ""
    owner: int | None = None
    start_date: str | None = None
    end_date: str | None = None
    auto_renews: bool = False
    renewal_term_months: int | None = None
    renewal_notice_days: int | None = None
    buyer_termination_notice_days: int | None = None
    vendor_termination_notice_days: int | None = None
    pass_through_notice_days: int | None = None
    spend_amount: str | None = None
    spend_currency: str = ""
    spend_period: str = Contract.Period.YEAR.value


def _attachment_out(link: ContractDocument) -> dict:
    return {"id": link.pk, "document": link.document_id, "name": link.document.original_name, "kind": link.kind}


def _contract_out(contract: Contract) -> dict:
    dates = contract_dates(contract, today=timezone.localdate())
    fields = (
        "reference",
        "buyer_party",
        "vendor_party",
        "start_date",
        "end_date",
        "auto_renews",
        "renewal_term_months",
        "renewal_notice_days",
        "buyer_termination_notice_days",
        "vendor_termination_notice_days",
        "pass_through_notice_days",
        "spend_currency",
        "spend_period",
    )
    return {
        "id": contract.pk,
        "service": contract.service_id,
        "owner": contract.owner_id,
        **{f: getattr(contract, f) for f in fields},
        "spend_amount": str(contract.spend_amount) if contract.spend_amount is not None else None,
        "term_end": dates.term_end,
        "notice_by": dates.notice_by,
        "renewals": dates.renewals,
        "documents": [_attachment_out(link) for link in contract.attachments.select_related("document").order_by("pk")],
    }


@router.get(
    SERVICE + "/contract",
    url_name="contract",
    response=reading({200: out.ContractOut}),
    summary="The service's contract, with its current term end and notice date",
    description="404 when the service has no contract recorded (or is not your organisation's).",
)
def contract_read(request, vendor_id: int, service_id: int):
    service = service_for(request, vendor_id, service_id)
    return _contract_out(get_object_or_404(Contract.objects.filter(service=service)))


@router.put(
    SERVICE + "/contract",
    url_name="contract_save",
    response=writing({200: out.ContractOut, 201: out.ContractOut}),
    summary="Record or replace the service's contract",
    description="Every field is sent; a field left out is cleared (or takes its default). Dates and notice "
    "periods that contradict each other are refused by field (400) and nothing is written.",
)
def contract_write(request, vendor_id: int, service_id: int, payload: ContractIn):
    service = service_for(request, vendor_id, service_id)
    require_role(request.user, *EDITORS)
    writer(request)
    saved = Contract.objects.filter(service=service).first()
    form = ContractForm(
        query_dict(payload.dict()),
        instance=saved,
        service=service,
        members=members(service.vendor.organisation),
    )
    if not form.is_valid():
        form_invalid(form)
    contract = contract_save(contract=form.save(commit=False), service=service, by=request.user)
    return Status(200 if saved else 201, _contract_out(contract))


NO_KIND = Form(ContractDocument.Kind.MSA.value)


@router.post(
    SERVICE + "/contract/documents",
    url_name="contract_document_add",
    response=writing({201: out.ContractDocumentOut}),
    summary="Attach a document (MSA, DPA, order form, other) to the service's contract",
    description="multipart/form-data: `file` and `kind` (one of: " + ", ".join(ContractDocument.Kind.values) + "). "
    "The file is checked by content and stored once per vendor, as on the service page; the same document twice "
    "on one contract is refused (400).",
)
def contract_document_add(request, vendor_id: int, service_id: int, file: File[UploadedFile], kind: str = NO_KIND):
    service = service_for(request, vendor_id, service_id)
    contract = get_object_or_404(Contract.objects.filter(service=service))
    require_role(request.user, *EDITORS)
    writer(request)
    try:
        checked = upload_check(file)
    except DocumentRejected as exc:
        raise DjangoValidationError({"file": [exc.message]}) from None
    link = contract_document_attach(contract=contract, checked=checked, kind=kind, by=request.user)
    return Status(201, _attachment_out(link))


@router.delete(
    SERVICE + "/contract/documents/{attachment_id}",
    url_name="contract_document_remove",
    response=writing({204: None}),
    summary="Take a document off the contract (the vendor's document stays in the register)",
)
def contract_document_remove(request, vendor_id: int, service_id: int, attachment_id: int):
    service = service_for(request, vendor_id, service_id)
    contract = get_object_or_404(Contract.objects.filter(service=service))
    require_role(request.user, *EDITORS)
    writer(request)
    link = get_object_or_404(contract.attachments.select_related("document"), pk=attachment_id)
    contract_document_detach(link=link, by=request.user)
    return Status(204, None)


# --- Supply chain ---------------------------------------------------------------------------


def _provider_out(p: Provider) -> dict:
    return {"id": p.pk, "name": p.name, "kind": p.kind, "owner": p.owner, "country": p.country}


def _link_out(link: SupplyLink) -> dict:
    return {
        "id": link.pk,
        "source": "service" if link.service_id else str(link.from_provider_id),
        "from_provider": link.from_provider_id,
        "provider": link.provider_id,
        "provider_name": link.provider.name,
        "role": link.role,
        "share": float(link.share) if link.share is not None else None,
        "arrangement": link.arrangement,
        "notice_days": link.notice_days,
        "regions": list(link.region_list),
        "pass_through": link.pass_through,
        "alternative": link.alternative,
        "competitor": link.competitor,
    }


@router.get(
    SERVICE + "/supply-chain",
    url_name="supply_chain",
    response=reading({200: out.SupplyChainOut}),
    summary="The service's supply chain and the facts the scoring reads from it",
    description="Every link reachable from the service (its own, then deeper tiers), the providers they name, "
    "and the chain facts (exposure, notice, concentration, regions) with the notice inputs of the service's "
    "latest assessment, as the service page shows them.",
)
def supply_chain_read(request, vendor_id: int, service_id: int):
    service = service_for(request, vendor_id, service_id)
    chains = org_chains(service.vendor.organisation)
    links = chains.links_for(service.pk)
    context = service_chain_context(service, chains=chains, diagram=False)
    snapshot = context["snapshot"]
    used = {lk.provider_id for lk in links} | {lk.from_provider_id for lk in links if lk.from_provider_id}
    return {
        "service": service.pk,
        "links": [_link_out(lk) for lk in links],
        "providers": [_provider_out(chains.rows[str(pk)]) for pk in sorted(used)],
        "allowed_regions": list(snapshot["allowed_regions"]),
        "vendor_notice_days": snapshot["vendor_notice_days"],
        "migrate_days": snapshot["migrate_days"],
        "facts": snapshot["facts"],
        "latest_assessment": context["latest"].pk if context["latest"] else None,
    }


class LinkIn(Schema):
    source: str = "service"  # "service", or the id of the provider that depends on this one
    provider: int | None = None
    role: str = ""
    share: float | None = None
    arrangement: str = SupplyLink.Arrangement.UNKNOWN.value
    notice_days: int | None = None
    regions: list[str] = []
    pass_through: bool = False
    alternative: bool = False
    competitor: bool | None = None  # None: not known


@router.post(
    SERVICE + "/supply-chain/links",
    url_name="link_create",
    response=writing({201: out.LinkOut}),
    summary="Add a link to the service's supply chain",
    description="As the service page's form. A new provider in the chain flags the assessments of every service "
    "it reaches for reassessment. A link that would close a loop is refused (400).",
)
def link_create(request, vendor_id: int, service_id: int, payload: LinkIn):
    service = service_for(request, vendor_id, service_id)
    require_role(request.user, *EDITORS)
    writer(request)
    org = service.vendor.organisation
    data = payload.dict()
    data["competitor"] = {None: "unknown", True: "true", False: "false"}[data["competitor"]]
    form = SupplyLinkForm(query_dict(data), service=service, providers=Provider.objects.filter(organisation=org))
    if not form.is_valid():
        form_invalid(form)
    link = chain_services.link_change(link=form.instance, organisation=org, by=request.user)
    return Status(201, _link_out(link))


@router.delete(
    SERVICE + "/supply-chain/links/{link_id}",
    url_name="link_delete",
    response=writing({204: None}),
    summary="Remove a link from the service's supply chain",
    description="Only a link reachable from this service; the services it reached are flagged for reassessment.",
)
def link_delete(request, vendor_id: int, service_id: int, link_id: int):
    service = service_for(request, vendor_id, service_id)
    require_role(request.user, *EDITORS)
    writer(request)
    link = next((lk for lk in org_chains(service.vendor.organisation).links_for(service.pk) if lk.pk == link_id), None)
    if link is None:
        raise Http404
    chain_services.link_remove(link=link, by=request.user)
    return Status(204, None)


class ProviderIn(Schema):
    name: str = ""
    kind: str = Provider.Kind.OTHER.value
    owner: str = ""
    country: str = ""


def _provider(request, provider_id: int) -> Provider:
    return get_object_or_404(Provider.objects.filter(organisation=organisation(request)), pk=provider_id)


@router.get(
    "/providers",
    url_name="providers",
    response=reading({200: out.ProviderPage}, bad_query=True),
    summary="Your organisation's providers (compute, clouds, model labs)",
)
def provider_list(
    request,
    kind: str = Query("", description="One of: " + ", ".join(Provider.Kind.values)),
    q: str = Query("", description="Part of the name", max_length=200),
    page: int = 1,
    page_size: int = PAGE_SIZE,
):
    qs = Provider.objects.filter(organisation=organisation(request)).order_by("name", "pk")
    if choice_filter("kind", kind, Provider.Kind.values):
        qs = qs.filter(kind=kind)
    if q.strip():
        qs = qs.filter(name__icontains=q.strip())
    return page_of(qs, qs, page, page_size, _provider_out)


@router.post(
    "/providers", url_name="provider_create", response=writing({201: out.ProviderOut}), summary="Add a provider"
)
def provider_create(request, payload: ProviderIn):
    org = organisation(request)
    require_role(request.user, *EDITORS)
    writer(request)
    form = ProviderForm(query_dict(payload.dict()), organisation=org)
    if not form.is_valid():
        form_invalid(form)
    return Status(201, _provider_out(provider_save(provider=form.instance, organisation=org, by=request.user)))


@router.get(
    "/providers/{provider_id}", url_name="provider", response=reading({200: out.ProviderOut}), summary="One provider"
)
def provider_read(request, provider_id: int):
    return _provider_out(_provider(request, provider_id))


@router.put(
    "/providers/{provider_id}",
    url_name="provider_update",
    response=writing({200: out.ProviderOut}),
    summary="Change a provider",
    description="Every field is sent. A new owner or kind changes how concentration is counted: every service "
    "reaching the provider is flagged for reassessment.",
)
def provider_update(request, provider_id: int, payload: ProviderIn):
    org = organisation(request)
    provider = _provider(request, provider_id)
    require_role(request.user, *EDITORS)
    writer(request)
    form = ProviderForm(query_dict(payload.dict()), instance=provider, organisation=org)
    if not form.is_valid():
        form_invalid(form)
    return _provider_out(chain_services.provider_change(provider=form.instance, organisation=org, by=request.user))


@router.delete(
    "/providers/{provider_id}",
    url_name="provider_delete",
    response=writing({204: None, 409: out.ErrorOut}),
    summary="Delete a provider no chain uses",
    description="A provider still in a supply chain is refused (409), naming the links that use it.",
)
def provider_remove(request, provider_id: int):
    provider = _provider(request, provider_id)
    require_role(request.user, *EDITORS)
    writer(request)
    try:
        provider_delete(provider=provider, by=request.user)
    except DjangoValidationError as exc:
        return Status(409, {"detail": " ".join(exc.messages)})
    return Status(204, None)


# --- Portfolio ------------------------------------------------------------------------------


def _concentration(portfolio, role: str) -> dict:
    shares, hhi = pure.concentration(portfolio.service_chains, portfolio.chains.providers, role=role)
    return {"shares": dict(sorted(shares.items(), key=lambda kv: -kv[1])), "hhi": hhi, "band": hhi_band(hhi)}


@router.get(
    "/portfolio",
    url_name="portfolio",
    response=reading({200: out.PortfolioOut}),
    summary="The portfolio facts: shared providers and regions, concentration, spend basis",
    description="As the Portfolio page: per provider and per region the services that depend on it and the "
    "spend behind them; spend-weighted concentration (HHI) of inference compute and of model providers. "
    "Spend figures are null when a currency in use has no rate (`spend.missing` names them).",
)
def portfolio(request):
    p = portfolio_load(organisation(request))
    providers, regions = dependency_table(p)
    spend_ok = p.spend.ok
    return {
        "services": len(p.services),
        "services_with_chain": sum(1 for sc in p.service_chains if sc.links),
        "spend": {"currency": p.spend.currency, "missing": p.spend.missing, "as_of": p.spend.as_of},
        "providers": [
            {
                **{k: row[k] for k in ("services", "count", "roles", "shared")},
                "provider": _provider_out(row["provider"]),
                "spend": row["spend"] if spend_ok else None,
                "serving_spend": row["serving_spend"] if spend_ok else None,
            }
            for row in providers
        ],
        "regions": [
            {
                **{k: row[k] for k in ("region", "code", "unknown", "places", "services", "count", "shared")},
                "spend": row["spend"] if spend_ok else None,
            }
            for row in regions
        ],
        "concentration": _concentration(p, "inference_compute"),
        "model_concentration": _concentration(p, "model_provider"),
        "shared_models": pure.shared_providers(p.service_chains, p.chains.providers, role="model_provider"),
    }


@router.get(
    "/portfolio/reviews",
    url_name="reviews",
    response=reading({200: out.ReviewPage}, bad_query=True),
    summary="The review schedule: each service's next review, flagged ones first",
)
def reviews(
    request,
    within_days: int | None = Query(None, ge=0, le=3650, description="Only those due within this many days"),
    page: int = 1,
    page_size: int = PAGE_SIZE,
):
    today = timezone.localdate()
    rows = review_schedule(organisation(request), today=today, within_days=within_days)
    ids = [r["assessment"].pk for r in rows]
    labels = {
        a["pk"]: a for a in Assessment.objects.filter(pk__in=ids).values("pk", "service__name", "service__vendor__name")
    }

    def shape(r: dict) -> dict:
        a = r["assessment"]
        return {
            "assessment": a.pk,
            "vendor": labels[a.pk]["service__vendor__name"],
            "service": labels[a.pk]["service__name"],
            "service_id": a.service_id,
            "status": a.status,
            "tier": r["tier"],
            "months": r["months"],
            "due": r["due"],
            "overdue": r["overdue"],
            "soon": r["soon"],
            "flagged": r["flagged"],
            "reason": a.reassess_reason or "",
        }

    return page_of(None, rows, page, page_size, shape)
