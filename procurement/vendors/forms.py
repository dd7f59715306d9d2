from django import forms

from procurement.core.forms import CurrencyField, MoneyField, StorableTextMixin, money_with_currency
from procurement.vendors.models import AIService, Provider, SupplyLink, Vendor, VendorContact


class VendorForm(StorableTextMixin, forms.ModelForm):
    class Meta:
        model = Vendor
        fields = ["name", "website", "description", "owner"]

    def __init__(self, *args, members, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        self.fields["owner"].queryset = members

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Vendor.objects.filter(organisation=self.organisation, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A vendor with this name already exists.")
        return name


class AIServiceForm(StorableTextMixin, forms.ModelForm):
    annual_spend = MoneyField(label="Annual spend", required=False)
    currency = CurrencyField(label="Currency", required=False, help_text="Of the annual spend.")

    class Meta:
        model = AIService
        fields = [
            "name",
            "kind",
            "model_name",
            "model_provider",
            "annual_spend",
            "currency",
            "business_use",
            "required_regions",
        ]
        widgets = {"business_use": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.vendor = vendor
        if not self.instance.currency:
            self.initial.setdefault("currency", vendor.organisation.reporting_currency)

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("currency") and "currency" not in self.errors:
            cleaned["currency"] = self.vendor.organisation.reporting_currency
        money_with_currency(self, "annual_spend", "currency")
        return cleaned

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if AIService.objects.filter(vendor=self.vendor, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This vendor already has a service with this name.")
        return name


class VendorContactForm(StorableTextMixin, forms.ModelForm):
    class Meta:
        model = VendorContact
        fields = ["name", "email", "role"]


class ProviderForm(StorableTextMixin, forms.ModelForm):
    class Meta:
        model = Provider
        fields = ["name", "kind", "owner", "country"]

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Provider.objects.filter(organisation=self.organisation, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A provider with this name already exists.")
        return name


class SupplyLinkForm(StorableTextMixin, forms.ModelForm):
    """A link from this service, or (deeper tier) from one of the organisation's providers."""

    source = forms.ChoiceField(label="Who depends on the provider")

    class Meta:
        model = SupplyLink
        fields = [
            "provider",
            "role",
            "share",
            "arrangement",
            "notice_days",
            "regions",
            "pass_through",
            "alternative",
            "competitor",
        ]

    def __init__(self, *args, service: AIService, providers, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.fields["provider"].queryset = providers
        self.fields["source"].choices = [("service", f"{service.name} (this service)")] + [
            (str(p.pk), f"{p.name} (deeper tier)") for p in providers
        ]
        self.fields["regions"].help_text = "Comma-separated, e.g. eu-west-1, us-east."
        self.order_fields(["source"])

    def clean(self):
        cleaned = super().clean()
        source = cleaned.get("source")
        if source and source != "service":
            match = [p for p in self.fields["provider"].queryset if str(p.pk) == source]
            if not match:
                self.add_error("source", "Choose one of the listed providers.")
            else:
                self.instance.service = None
                self.instance.from_provider = match[0]
                if cleaned.get("provider") == match[0]:
                    self.add_error("provider", "A provider cannot supply itself.")
        elif source == "service":
            self.instance.service = self.service
            self.instance.from_provider = None
        return cleaned
