from procurement.vendors.models import AIService, Vendor, VendorContact


def vendor_save(*, form, organisation) -> Vendor:
    vendor = form.save(commit=False)
    vendor.organisation = organisation
    vendor.full_clean()
    vendor.save()
    return vendor


def service_save(*, form, vendor: Vendor) -> AIService:
    service = form.save(commit=False)
    service.vendor = vendor
    service.full_clean()
    service.save()
    return service


def contact_save(*, form, vendor: Vendor) -> VendorContact:
    contact = form.save(commit=False)
    contact.vendor = vendor
    contact.full_clean()
    contact.save()
    return contact
