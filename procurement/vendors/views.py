from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from procurement.assessments.models import Assessment
from procurement.core.access import EDITORS, has_role, organisation_for, require_role
from procurement.vendors import services
from procurement.vendors.forms import AIServiceForm, VendorContactForm, VendorForm
from procurement.vendors.models import Vendor


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
        "assessments": Assessment.objects.filter(service__vendor=vendor)
        .select_related("service", "bank_version__bank")
        .order_by("-created_at"),
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
        services.service_save(form=form, vendor=vendor)
        messages.success(request, "Service saved.")
        return redirect(vendor)
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
