from django.contrib import admin

from procurement.vendors.models import AIService, Vendor, VendorContact


class ServiceInline(admin.TabularInline):
    model = AIService
    extra = 0


class ContactInline(admin.TabularInline):
    model = VendorContact
    extra = 0


@admin.register(Vendor)
class VendorAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "owner"]
    list_filter = ["organisation"]
    search_fields = ["name"]
    inlines = [ServiceInline, ContactInline]
