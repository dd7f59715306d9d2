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
from procurement.portfolio import lifecycle
from procurement.portfolio import services as chain_services
from procurement.portfolio.selectors import service_chain_context
from procurement.vendors import bulk, services
from procurement.vendors.contracts import (
    contract_dates,
    contract_document_attach,
    contract_document_detach,
    contract_save,
)
from procurement.vendors.documents import ACCEPT, DocumentRejected, document_response, upload_check
from procurement.vendors.evidence import lifecycle_for
from procurement.vendors.forms import (
    AccessRevokedForm,
    AIServiceForm,
    CertificateForm,
    ContractDocumentForm,
    ContractForm,
    EndServiceForm,
    ProviderForm,
    StatusForm,
    SupplyLinkForm,
    VendorContactForm,
    VendorForm,
)
from procurement.vendors.history import chain_changes_for_provider, chain_changes_for_service
from procurement.vendors.models import Contract, ContractDocument, Lifecycle, Offboarding, Provider, Vendor
from procurement.vendors.selectors import services_with_status
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


def _status_filter(request) -> str:
    status = request.GET.get("status", "")
    return status if status in Lifecycle.values else ""


@login_required
def vendor_list(request: HttpRequest) -> HttpResponse:
    status = _status_filter(request)
    vendors = (
        Vendor.objects.filter(organisation=_org(request))
        .annotate(service_count=Count("services", distinct=True), assessment_count=Count("services__assessments"))
        .select_related("owner")
    )
    if status:
        vendors = vendors.filter(status=status)
    ctx = {
        "vendors": vendors,
        "can_edit": has_role(request.user, *EDITORS),
        "statuses": Lifecycle.choices,
        "status": status,
    }
    return render(request, "vendors/vendor_list.html", ctx)


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
    status = _status_filter(request)
    ctx = {
        "vendor": vendor,
        "services": services_with_status(vendor.services.all(), status),
        "statuses": Lifecycle.choices,
        "status": status,
        "status_form": StatusForm(initial={"status": vendor.status}),
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


def _service_page(request, service, *, link_form=None, provider_form=None, lifecycle_forms=None) -> HttpResponse:
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
        **_contract_context(service),
        **_lifecycle_context(service, **(lifecycle_forms or {})),
    }
    invalid = [f for f in (link_form, provider_form, *(lifecycle_forms or {}).values()) if f is not None and f.errors]
    return render(request, "vendors/service_detail.html", ctx, status=400 if invalid else 200)


def _contract_context(service) -> dict:
    contract = Contract.objects.filter(service=service).select_related("owner").first()
    if contract is None:
        return {"contract": None}
    return {
        "contract": contract,
        "contract_dates": contract_dates(contract, today=timezone.localdate()),
        "contract_documents": contract.attachments.select_related("document"),
        "document_form": ContractDocumentForm(),
        "accept": ACCEPT,
    }


def _lifecycle_context(service, *, certificate_form=None, access_form=None, end_form=None) -> dict:
    ctx = {
        "statuses": Lifecycle,
        "moves": lifecycle.service_moves(service),
        "service_history": service.changes.select_related("by")[:HISTORY_ROWS],
        "end_form": end_form or EndServiceForm(),
    }
    if service.status in (Lifecycle.OFFBOARDING, Lifecycle.ENDED):
        ctx["offboarding"] = Offboarding.objects.filter(service=service).first()
        ctx["checklist"] = lifecycle.offboarding_checklist(service)
        ctx["checklist_done"] = all(step.done for step in ctx["checklist"])
        ctx["certificate_form"] = certificate_form or CertificateForm()
        ctx["access_form"] = access_form or AccessRevokedForm()
        ctx["accept"] = ACCEPT
    return ctx


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


# --- Contracts ---------------------------------------------------------------------------------


@login_required
def contract_edit(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    """Record or change the service's contract. An invalid form comes back with every value as
    typed and a message on each field in trouble; the saved contract is untouched."""
    service = _service_for_user(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    org = service.vendor.organisation
    saved = Contract.objects.filter(service=service).first()
    # A copy: an invalid form must not change the contract the rest of the page shows.
    editing = Contract.objects.get(pk=saved.pk) if saved else None
    members = get_user_model().objects.filter(memberships__organisation=org)
    form = ContractForm(request.POST or None, instance=editing, service=service, members=members)
    if request.method == "POST" and form.is_valid():
        try:
            contract_save(contract=form.save(commit=False), service=service, by=request.user)
        except ValidationError as exc:
            form.add_error(None, exc)
        else:
            messages.success(request, "Contract saved.")
            return redirect(service.get_absolute_url() + "#contract")
    ctx = {"form": form, "vendor": service.vendor, "service": service, "contract": saved}
    return render(request, "vendors/contract_form.html", ctx, status=400 if form.errors else 200)


def _contract_for(request, pk: int, service_pk: int) -> tuple:
    service = _service_for_user(request, pk, service_pk)
    contract = Contract.objects.filter(service=service).first()
    if contract is None:
        raise Http404
    return service, contract


@login_required
@require_POST
def contract_document_add(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    service, contract = _contract_for(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    form = ContractDocumentForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, " ".join(e for errors in form.errors.values() for e in errors))
        return redirect(service.get_absolute_url() + "#contract")
    try:
        checked = upload_check(form.cleaned_data["file"])
        link = contract_document_attach(
            contract=contract, checked=checked, kind=form.cleaned_data["kind"], by=request.user
        )
    except DocumentRejected as exc:
        messages.error(request, exc.message)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Attached {link.document.original_name} as: {link.get_kind_display()}.")
    return redirect(service.get_absolute_url() + "#contract")


def _attachment(contract, link_pk: int) -> ContractDocument:
    return get_object_or_404(contract.attachments.select_related("document"), pk=link_pk)


@login_required
def contract_document(request: HttpRequest, pk: int, service_pk: int, link_pk: int) -> HttpResponse:
    _, contract = _contract_for(request, pk, service_pk)
    return document_response(_attachment(contract, link_pk).document)


@login_required
@require_POST
def contract_document_remove(request: HttpRequest, pk: int, service_pk: int, link_pk: int) -> HttpResponse:
    service, contract = _contract_for(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    link = _attachment(contract, link_pk)
    contract_document_detach(link=link, by=request.user)
    messages.success(request, f"Took {link.document.original_name} off the contract (the vendor's document stays).")
    return redirect(service.get_absolute_url() + "#contract")


# --- Lifecycle -----------------------------------------------------------------------------------


@login_required
@require_POST
def vendor_status(request: HttpRequest, pk: int) -> HttpResponse:
    vendor = _vendor_for_user(request, pk)
    require_role(request.user, *EDITORS)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the statuses.")
        return redirect(vendor)
    try:
        lifecycle.vendor_status_set(vendor=vendor, status=form.cleaned_data["status"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{vendor.name} is now {Lifecycle(form.cleaned_data['status']).label.lower()}.")
    return redirect(vendor)


@login_required
@require_POST
def service_status(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    """Prospect, active or offboarding (which starts the checklist); ending is ``service_end``."""
    service = _service_for_user(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    form = StatusForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Choose one of the statuses.")
        return redirect(service)
    try:
        lifecycle.service_status_set(service=service, status=form.cleaned_data["status"], by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"{service.name} is now {Lifecycle(form.cleaned_data['status']).label.lower()}.")
    return redirect(service.get_absolute_url() + "#lifecycle")


@login_required
@require_POST
def offboarding_step(request: HttpRequest, pk: int, service_pk: int, step: str) -> HttpResponse:
    """One step of the offboarding checklist: the deletion certificate, access revoked, the
    vendor's links revoked, or the final report archived."""
    service = _service_for_user(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    forms = {}
    try:
        if step == "deletion":
            form = forms["certificate_form"] = CertificateForm(request.POST, request.FILES)
            if form.is_valid():
                try:
                    checked = upload_check(form.cleaned_data["file"])
                except DocumentRejected as exc:
                    form.add_error("file", exc.message)
                else:
                    lifecycle.offboarding_deletion_confirm(service=service, checked=checked, by=request.user)
                    messages.success(request, "Data deletion confirmed; the certificate is kept with the vendor.")
        elif step == "access":
            form = forms["access_form"] = AccessRevokedForm(request.POST)
            if form.is_valid():
                lifecycle.offboarding_access_confirm(service=service, note=form.cleaned_data["note"], by=request.user)
                messages.success(request, "Access revoked.")
        elif step == "links":
            count = lifecycle.offboarding_links_revoke(service=service, by=request.user)
            messages.success(request, f"Revoked {count} portal link{'s' if count != 1 else ''} of the vendor.")
        elif step == "report":
            report = lifecycle.offboarding_report_archive(service=service)
            messages.success(
                request,
                "No decided assessment: there is no report to keep."
                if report is None
                else "The final report is being rendered; this step is done once it is ready.",
            )
        else:
            raise Http404
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    if any(f.errors for f in forms.values()):
        return _service_page(request, service, lifecycle_forms=forms)
    return redirect(service.get_absolute_url() + "#lifecycle")


@login_required
def offboarding_certificate(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    service = _service_for_user(request, pk, service_pk)
    off = Offboarding.objects.filter(service=service, deletion_certificate__isnull=False).first()
    if off is None:
        raise Http404
    return document_response(off.deletion_certificate)


@login_required
@require_POST
def service_end(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    service = _service_for_user(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    form = EndServiceForm(request.POST)
    if form.is_valid():
        try:
            lifecycle.service_end(service=service, by=request.user, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            for field, errors in exc.message_dict.items() if hasattr(exc, "error_dict") else [(None, exc.messages)]:
                for error in errors:
                    form.add_error(field if field in form.fields else None, error)
        else:
            messages.success(request, f"{service.name} has ended. Its assessments, reports and history stay.")
            return redirect(service.get_absolute_url() + "#lifecycle")
    service.refresh_from_db()
    return _service_page(request, service, lifecycle_forms={"end_form": form})
