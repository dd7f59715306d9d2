from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from procurement.core.models import Organisation, TimeStampedModel


class Vendor(TimeStampedModel):
    organisation = models.ForeignKey(Organisation, on_delete=models.CASCADE, related_name="vendors")
    name = models.CharField(_("name"), max_length=200)
    website = models.URLField(_("website"), blank=True)
    description = models.TextField(_("description"), blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="owned_vendors"
    )

    class Meta:
        ordering = ["name"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="vendors_vendor_unique_name_per_org"),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("vendors:detail", args=[self.pk])


class VendorContact(TimeStampedModel):
    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="contacts")
    name = models.CharField(_("name"), max_length=200)
    email = models.EmailField(_("email"))
    role = models.CharField(_("role"), max_length=120, blank=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} <{self.email}>"


class AIService(TimeStampedModel):
    class Kind(models.TextChoices):
        API = "api", _("API")
        PRODUCT = "product", _("Product / SaaS")
        HOSTED = "hosted", _("Hosted inference")

    vendor = models.ForeignKey(Vendor, on_delete=models.CASCADE, related_name="services")
    name = models.CharField(_("name"), max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.API)
    model_name = models.CharField(_("underlying model"), max_length=200, blank=True)
    model_provider = models.CharField(_("model provider"), max_length=200, blank=True)
    annual_spend = models.DecimalField(_("annual spend"), max_digits=14, decimal_places=2, null=True, blank=True)
    business_use = models.TextField(_("business use"), blank=True)

    class Meta:
        ordering = ["vendor__name", "name"]
        constraints = [
            models.UniqueConstraint(fields=["vendor", "name"], name="vendors_service_unique_name_per_vendor"),
            models.CheckConstraint(
                condition=models.Q(annual_spend__isnull=True) | models.Q(annual_spend__gte=0),
                name="vendors_service_spend_nonneg",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.vendor.name} — {self.name}"
