"""Writes for vendors, their AI services and contacts."""

from django.db.models import Model

from procurement.vendors.models import AIService, Vendor, VendorContact


def _save(form, **owner) -> Model:
    """Save a ModelForm's object under its owner (organisation or vendor), validated."""
    obj = form.save(commit=False)
    for field, value in owner.items():
        setattr(obj, field, value)
    obj.full_clean()
    obj.save()
    return obj


def vendor_save(*, form, organisation) -> Vendor:
    return _save(form, organisation=organisation)


def service_save(*, form, vendor: Vendor) -> AIService:
    return _save(form, vendor=vendor)


def contact_save(*, form, vendor: Vendor) -> VendorContact:
    return _save(form, vendor=vendor)
