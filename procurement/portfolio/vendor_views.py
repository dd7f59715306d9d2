"""Vendor, service and provider pages: records from vendors beside the assessments that read them."""

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from procurement.assessments.models import Assessment
from procurement.assessments.selectors import list_rows
from procurement.core import tables
from procurement.core.access import EDITORS, has_role, organisation_for, require_role
from procurement.core.tables import Row, TableError, table_read
from procurement.portfolio import services as chain_services
from procurement.portfolio.selectors import service_chain_context
from procurement.vendors import bulk, services
from procurement.vendors.evidence import lifecycle_for
from procurement.vendors.forms import AIServiceForm, ProviderForm, SupplyLinkForm, VendorContactForm, VendorForm
from procurement.vendors.history import chain_changes_for_provider, chain_changes_for_service
from procurement.vendors.models import Provider, Vendor
from procurement.vendors.supply import org_chains, provider_delete, provider_save

# The newest changes shown on a service or provider page.
HISTORY_ROWS = 50


def _org(request):
    org = organisation_for(request.user)
    if org is None:
        raise Http404
    return org


def _vendor_for_user(request, pk: int) -> Vendor:
    return get_object_or_404(Vendor.objects.filter(organisation=_org(request)), pk=pk)


@login_required
def vendor_list(request: HttpRequest) -> HttpResponse:
    vendors = (
        Vendor.objects.filter(organisation=_org(request))
        .annotate(service_count=Count("services", distinct=True), assessment_count=Count("services__assessments"))
        .select_related("owner")
    )
    return render(
        request, "vendors/vendor_list.html", {"vendors": vendors, "can_edit": has_role(request.user, *EDITORS)}
    )


@login_required
def vendor_edit(request: HttpRequest, pk: int | None = None) -> HttpResponse:
    org = _org(request)
    require_role(request.user, *EDITORS)
    vendor = _vendor_for_user(request, pk) if pk else None
    members = get_user_model().objects.filter(memberships__organisation=org)
    form = VendorForm(request.POST or None, instance=vendor, members=members, organisation=org)
    if request.method == "POST" and form.is_valid():
        vendor = services.vendor_save(form=form, organisation=org)
        messages.success(request, f"Saved {vendor}.")
        return redirect(vendor)
    return render(request, "vendors/vendor_form.html", {"form": form, "vendor": vendor})


@login_required
def vendor_detail(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = _vendor_for_user(request, pk)
    ctx = {
        "vendor": vendor,
        "services": vendor.services.all(),
        "contacts": vendor.contacts.all(),
        "contact_form": VendorContactForm(),
        "assessments": list_rows(Assessment.objects.filter(service__vendor=vendor)).order_by("-created_at", "-id"),
        "can_edit": has_role(request.user, *EDITORS),
    }
    return render(request, "vendors/vendor_detail.html", ctx)


@login_required
def service_edit(request: HttpRequest, pk: int, service_pk: int | None = None) -> HttpResponse:
    vendor = _vendor_for_user(request, pk)
    require_role(request.user, *EDITORS)
    service = get_object_or_404(vendor.services, pk=service_pk) if service_pk else None
    form = AIServiceForm(request.POST or None, instance=service, vendor=vendor)
    if request.method == "POST" and form.is_valid():
        service = services.service_save(form=form, vendor=vendor)
        messages.success(request, "Service saved.")
        return redirect(service)
    return render(request, "vendors/service_form.html", {"form": form, "vendor": vendor, "service": service})


@login_required
def contact_add(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = _vendor_for_user(request, pk)
    require_role(request.user, *EDITORS)
    form = VendorContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        services.contact_save(form=form, vendor=vendor)
        messages.success(request, "Contact added.")
        return redirect(vendor)
    return render(request, "vendors/service_form.html", {"form": form, "vendor": vendor, "title": "New contact"})


def _service_for_user(request, pk: int, service_pk: int):
    vendor = _vendor_for_user(request, pk)
    return get_object_or_404(vendor.services.select_related("vendor__organisation"), pk=service_pk)


@login_required
def service_detail(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    return _service_page(request, _service_for_user(request, pk, service_pk))


def _service_page(request, service, *, link_form=None, provider_form=None) -> HttpResponse:
    org = service.vendor.organisation
    chains = org_chains(org)
    providers = Provider.objects.filter(organisation=org)
    rows = chains.links_for(service.pk)
    ctx = {
        "service": service,
        "vendor": service.vendor,
        "links": rows,
        "providers": {p.pk: p for p in providers},
        "can_edit": has_role(request.user, *EDITORS),
        "link_form": link_form or SupplyLinkForm(service=service, providers=providers),
        "chain_history": chain_changes_for_service(service)[:HISTORY_ROWS],
        "provider_form": provider_form or ProviderForm(organisation=org),
        "assessments": list_rows(service.assessments.all()).order_by("-created_at", "-id"),
        "model_lifecycle": lifecycle_for(service),
        "today": timezone.localdate(),
        **service_chain_context(service, chains=chains),
    }
    status = 400 if (link_form and link_form.errors) or (provider_form and provider_form.errors) else 200
    return render(request, "vendors/service_detail.html", ctx, status=status)


@login_required
def link_add(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    service = _service_for_user(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    if request.method != "POST":
        return redirect(service)
    org = service.vendor.organisation
    form = SupplyLinkForm(request.POST, service=service, providers=Provider.objects.filter(organisation=org))
    if form.is_valid():
        try:
            chain_services.link_change(link=form.instance, organisation=org, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added {form.instance}.")
            return redirect(service)
    return _service_page(request, service, link_form=form)


@login_required
@require_POST
def link_remove(request: HttpRequest, pk: int, service_pk: int, link_pk: int) -> HttpResponse:
    service = _service_for_user(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    link = next((lk for lk in org_chains(service.vendor.organisation).links_for(service.pk) if lk.pk == link_pk), None)
    if link is None:
        raise Http404
    chain_services.link_remove(link=link, by=request.user)
    messages.success(request, f"Removed {link}.")
    return redirect(service)


@login_required
def provider_add(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    service = _service_for_user(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    if request.method != "POST":
        return redirect(service)
    org = service.vendor.organisation
    form = ProviderForm(request.POST, organisation=org)
    if form.is_valid():
        try:
            provider = provider_save(provider=form.instance, organisation=org, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, f"Added provider {provider}. Link it to the chain below.")
            return redirect(service)
    return _service_page(request, service, provider_form=form)


# --- Providers -------------------------------------------------------------------------


@login_required
def provider_list(request: HttpRequest) -> HttpResponse:
    providers = (
        Provider.objects.filter(organisation=_org(request))
        .annotate(
            supplies_count=Count("supplies", distinct=True),
            upstream_count=Count("upstream_links", distinct=True),
        )
        .order_by("name")
    )
    return render(request, "vendors/provider_list.html", {"providers": providers})


@login_required
def provider_detail(request: HttpRequest, provider_pk: int) -> HttpResponse:
    org = _org(request)
    provider = get_object_or_404(Provider.objects.filter(organisation=org), pk=provider_pk)
    form = ProviderForm(instance=provider, organisation=org)
    if request.method == "POST":
        require_role(request.user, *EDITORS)
        # A copy: an invalid form must not rename the provider the page shows.
        edited = Provider.objects.get(pk=provider.pk)
        form = ProviderForm(request.POST, instance=edited, organisation=org)
        if form.is_valid():
            saved = chain_services.provider_change(provider=form.instance, organisation=org, by=request.user)
            messages.success(request, f"Saved {saved}.")
            return redirect(provider)
    ctx = {
        "provider": provider,
        "form": form,
        "can_edit": has_role(request.user, *EDITORS),
        "supplies": provider.supplies.select_related("service__vendor", "from_provider", "provider"),
        "upstream": provider.upstream_links.select_related("provider", "from_provider"),
        "chain_history": chain_changes_for_provider(provider)[:HISTORY_ROWS],
    }
    return render(request, "vendors/provider_detail.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def provider_remove(request: HttpRequest, provider_pk: int) -> HttpResponse:
    provider = get_object_or_404(Provider.objects.filter(organisation=_org(request)), pk=provider_pk)
    require_role(request.user, *EDITORS)
    try:
        provider_delete(provider=provider, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(provider)
    messages.success(request, f"Deleted provider {provider.name}.")
    return redirect("vendors:providers")


IMPORT_SESSION_KEY = "vendor_import_rows"


@login_required
def vendor_import(request: HttpRequest) -> HttpResponse:
    """Upload a CSV or XLSX of vendors, services and contacts; see what it will do; import all or nothing."""
    org = _org(request)
    require_role(request.user, *EDITORS)
    members = get_user_model().objects.filter(memberships__organisation=org)
    ctx = {"columns": bulk.columns()}
    if request.method == "POST" and request.POST.get("action") == "import":
        stored = request.session.get(IMPORT_SESSION_KEY)
        if not stored or stored.get("organisation") != org.pk:
            messages.error(request, "Upload the file again: the preview is no longer available.")
            return redirect("vendors:import")
        rows = [Row(number, cells) for number, cells in stored["rows"]]
        plan = bulk.vendors_import(organisation=org, rows=rows, members=members, commit=True)
        if plan.problems:
            ctx.update(plan=plan, filename=stored["filename"])
            return render(request, "vendors/import.html", ctx, status=400)
        del request.session[IMPORT_SESSION_KEY]
        messages.success(
            request,
            f"Imported {stored['filename']}: {len(plan.created)} created, {len(plan.updated)} updated, "
            f"{plan.unchanged} unchanged.",
        )
        return redirect("vendors:list")
    if request.method == "POST":
        # A new upload replaces any earlier preview, so Import never commits a file not last shown.
        request.session.pop(IMPORT_SESSION_KEY, None)
        upload = request.FILES.get("file")
        if upload is None:
            ctx["error"] = "Choose a CSV or XLSX file."
            return render(request, "vendors/import.html", ctx, status=400)
        try:
            rows = table_read(upload.read(tables.MAX_BYTES + 1), filename=upload.name)
        except TableError as exc:
            ctx["error"] = str(exc)
            return render(request, "vendors/import.html", ctx, status=400)
        plan = bulk.vendors_import(organisation=org, rows=rows, members=members, commit=False)
        if not plan.problems:
            request.session[IMPORT_SESSION_KEY] = {
                "organisation": org.pk,
                "filename": upload.name[:200],
                "rows": [[r.number, r.cells] for r in rows],
            }
        ctx.update(plan=plan, filename=upload.name)
        return render(request, "vendors/import.html", ctx, status=400 if plan.problems else 200)
    return render(request, "vendors/import.html", ctx)


@login_required
def vendor_import_template(request: HttpRequest) -> HttpResponse:
    _org(request)
    response = HttpResponse(bulk.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="vendors-import-template.csv"'
    return response
