"""The evidence register of a vendor, its documents' details and SOC 2 reviews, a service's
model lifecycle and the import of a vendor's deprecation notice. Views orchestrate: fetch
within the user's organisation (404 otherwise), validate a form, call a service."""

from __future__ import annotations

import base64

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from procurement.assessments.evidence import document_supports
from procurement.core.access import EDITORS, has_role, require_role
from procurement.core.services import person_label
from procurement.portfolio import evidence_services
from procurement.portfolio.vendor_views import _service_for_user, _vendor_for_user
from procurement.vendors import model_notices
from procurement.vendors.documents import document_response
from procurement.vendors.evidence import lifecycle_for, soc2_review_add, subservice_mismatches, vendor_chain_providers
from procurement.vendors.evidence_forms import DocumentDetailsForm, ModelLifecycleForm, SOC2ReviewForm
from procurement.vendors.models import Provider
from procurement.vendors.selectors import register_rows

# Who may record a SOC 2 review: whoever reviews or fills in assessments, not viewers.
SOC2_REVIEWERS = ("admin", "analyst", "reviewer")
NOTICE_SESSION_KEY = "model_notice_file"


def _document_for_user(request, pk: int, doc_pk: int):
    vendor = _vendor_for_user(request, pk)
    return vendor, get_object_or_404(vendor.documents.all(), pk=doc_pk)


@login_required
def vendor_evidence(request: HttpRequest, pk: int) -> HttpResponse:
    """The vendor's evidence register: documents by kind with their expiry status, the answers
    each supports (dates that disagree flagged), and SOC 2 subservice organisations against the
    recorded supply chain."""
    vendor = _vendor_for_user(request, pk)
    today = timezone.localdate()
    groups = register_rows(vendor, today=today)
    chain = vendor_chain_providers(vendor)
    for group in groups:
        for row in group["documents"]:
            d = row["document"]
            row["supports"] = document_supports(d, today=today)
            row["contradictions"] = sum(len(s["notes"]) for s in row["supports"])
            row["mismatches"] = subservice_mismatches(d, chain) if d.is_soc2 else None
            row["review"] = next(iter(d.soc2_reviews.all()), None)
    ctx = {
        "vendor": vendor,
        "groups": groups,
        "today": today,
        "can_edit": has_role(request.user, *EDITORS),
        "can_review": has_role(request.user, *SOC2_REVIEWERS),
    }
    return render(request, "vendors/evidence_register.html", ctx)


@login_required
def document_download(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    _, document = _document_for_user(request, pk, doc_pk)
    return document_response(document)


@login_required
def document_edit(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    vendor, document = _document_for_user(request, pk, doc_pk)
    require_role(request.user, *EDITORS)
    providers = Provider.objects.filter(organisation=vendor.organisation)
    form = DocumentDetailsForm(request.POST or None, document=document, providers=providers)
    if request.method == "POST" and form.is_valid():
        values = {k: v for k, v in form.cleaned_data.items() if k != "subservice_providers"}
        try:
            evidence_services.document_details_update(
                document=document,
                values=values,
                subservice=list(form.cleaned_data["subservice_providers"]),
                by=request.user,
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, f"Saved the details of {document.original_name}.")
            return redirect("vendors:evidence", vendor.pk)
    ctx = {"vendor": vendor, "document": document, "form": form, "chain": vendor_chain_providers(vendor)}
    return render(request, "vendors/document_form.html", ctx, status=400 if form.errors else 200)


@login_required
def soc2_review(request: HttpRequest, pk: int, doc_pk: int) -> HttpResponse:
    vendor, document = _document_for_user(request, pk, doc_pk)
    can_review = has_role(request.user, *SOC2_REVIEWERS)
    if request.method == "POST":
        require_role(request.user, *SOC2_REVIEWERS)
    form = SOC2ReviewForm(request.POST or None) if can_review else None
    if request.method == "POST" and form.is_valid():
        try:
            soc2_review_add(
                document=document,
                reviewer=request.user,
                answers=form.answers(),
                notes=form.notes_by_key(),
                conclusion=form.cleaned_data["conclusion"],
                conclusion_notes=form.cleaned_data["notes"],
            )
        except ValidationError as exc:
            form.add_error(None, exc.messages)
        else:
            messages.success(request, f"Recorded your review of {document.original_name}.")
            return redirect("vendors:soc2_review", vendor.pk, document.pk)
    chain = vendor_chain_providers(vendor)
    ctx = {
        "vendor": vendor,
        "document": document,
        "form": form,
        "reviews": list(document.soc2_reviews.all()),
        "mismatches": subservice_mismatches(document, chain) if document.is_soc2 else None,
        "today": timezone.localdate(),
    }
    return render(request, "vendors/soc2_review.html", ctx, status=400 if form is not None and form.errors else 200)


@login_required
def model_lifecycle_edit(request: HttpRequest, pk: int, service_pk: int) -> HttpResponse:
    service = _service_for_user(request, pk, service_pk)
    require_role(request.user, *EDITORS)
    life = lifecycle_for(service)
    form = ModelLifecycleForm(request.POST or None, lifecycle=life)
    if request.method == "POST" and form.is_valid():
        try:
            evidence_services.model_lifecycle_update(
                service=service, values=form.cleaned_data, by_label=person_label(request.user)
            )
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            messages.success(request, "Saved the model's lifecycle.")
            return redirect(service)
    ctx = {"vendor": service.vendor, "service": service, "form": form}
    return render(request, "vendors/model_lifecycle_form.html", ctx, status=400 if form.errors else 200)


@login_required
def model_notice_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a vendor's deprecation notice (CSV, XLSX or YAML); see which services it changes;
    import all or nothing."""
    vendor = _vendor_for_user(request, pk)
    require_role(request.user, *EDITORS)
    ctx = {"vendor": vendor, "columns": model_notices.COLUMNS}
    if request.method == "POST" and request.POST.get("action") == "import":
        stored = request.session.get(NOTICE_SESSION_KEY)
        if not stored or stored.get("vendor") != vendor.pk:
            messages.error(request, "Upload the file again: the preview is no longer available.")
            return redirect("vendors:model_notice_import", vendor.pk)
        raw = base64.b64decode(stored["data"])
        result = evidence_services.model_notices_import(
            vendor=vendor, raw=raw, filename=stored["filename"], by=request.user, commit=True
        )
        if result.problems:
            ctx.update(result=result, filename=stored["filename"])
            return render(request, "vendors/model_notice_import.html", ctx, status=400)
        del request.session[NOTICE_SESSION_KEY]
        messages.success(
            request, f"Imported {stored['filename']}: {len(result.changed)} service(s) changed and flagged."
        )
        return redirect(vendor)
    if request.method == "POST":
        request.session.pop(NOTICE_SESSION_KEY, None)
        upload = request.FILES.get("file")
        if upload is None:
            ctx["error"] = "Choose a CSV, XLSX or YAML file."
            return render(request, "vendors/model_notice_import.html", ctx, status=400)
        raw = upload.read(model_notices.MAX_BYTES + 1)
        name = (upload.name or "notice")[:200]
        if len(raw) > model_notices.MAX_BYTES:
            ctx["error"] = f"The file is larger than {model_notices.MAX_BYTES // 1024} KiB."
            return render(request, "vendors/model_notice_import.html", ctx, status=400)
        result = evidence_services.model_notices_import(
            vendor=vendor, raw=raw, filename=name, by=request.user, commit=False
        )
        if not result.problems:
            request.session[NOTICE_SESSION_KEY] = {
                "vendor": vendor.pk,
                "filename": name,
                "data": base64.b64encode(raw).decode("ascii"),
            }
        ctx.update(result=result, filename=name)
        return render(request, "vendors/model_notice_import.html", ctx, status=400 if result.problems else 200)
    return render(request, "vendors/model_notice_import.html", ctx)


@login_required
def model_notice_template(request: HttpRequest, pk: int) -> HttpResponse:
    _vendor_for_user(request, pk)
    response = HttpResponse(model_notices.template_csv(), content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="model-deprecation-notice.csv"'
    return response
