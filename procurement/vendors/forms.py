from django import forms

from procurement.core.forms import CurrencyField, MoneyField, StorableTextMixin, money_with_currency
from procurement.scoring import geo
from procurement.vendors.models import (
    AIService,
    Contract,
    ContractDocument,
    Lifecycle,
    Provider,
    SupplyLink,
    Vendor,
    VendorContact,
)

# --- Locations from the geography taxonomy (procurement/scoring/geo.py) ---------------------

KEPT_AS_TYPED = "Not recognised (kept as typed; choose a place from the list instead)"
LOCATIONS_HELP = "Type to filter, then pick one or more: a group (EU), a country or a cloud region."


class LocationPicker(forms.SelectMultiple):
    """A list box with a filter box and the picked places as removable chips (static/js/geo-picker.js)."""

    def __init__(self, attrs=None):
        super().__init__({"data-geo-picker": "multi", "size": 8, "class": "form-select", **(attrs or {})})


class LocationsField(forms.MultipleChoiceField):
    """Places from the taxonomy, stored as canonical codes joined by commas ("eu,de,aws:eu-west-1")."""

    widget = LocationPicker
    max_length = 500

    def __init__(self, *, kinds=(geo.GROUP, geo.COUNTRY, geo.CLOUD), **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", LOCATIONS_HELP)
        super().__init__(choices=geo.choices(kinds=kinds), **kwargs)

    def keep_unrecognised(self, stored: str) -> list[str]:
        """The picked codes for a stored value; text the taxonomy does not know stays as a choice of its own,
        so saving the form again loses nothing."""
        codes, unknown = geo.parse_list(stored)
        if unknown:
            self.choices = [*self.choices, (KEPT_AS_TYPED, [(u, u) for u in unknown])]
        return codes + unknown

    default_error_messages = {
        "invalid_choice": "%(value)s is not a place the list knows: pick a group, a country or a cloud region from it.",
    }

    def to_python(self, value):
        """Posted codes, or names and codes typed by hand ("Germany", "eu-west-1, us-east"), as codes."""
        items = []
        for raw in super().to_python(value):
            for item in geo.split(raw):
                items.append(geo.canonical(item) or item)
        return items

    def valid_value(self, value):
        """Any place the taxonomy knows (region families such as "us-east" are not listed but are places),
        or text kept as typed from before the taxonomy."""
        place = geo.parse(value)
        return (place is not None and place.code == value) or super().valid_value(value)

    def clean(self, value):
        picked = super().clean(value)
        stored = ",".join(dict.fromkeys(picked))
        if len(stored) > self.max_length:
            raise forms.ValidationError("Too many places: pick a group (such as EU) instead of each country.")
        return stored


class CountryPicker(forms.Select):
    def __init__(self, attrs=None):
        super().__init__({"data-geo-picker": "single", "class": "form-select", **(attrs or {})})


class CountryField(forms.ChoiceField):
    """One country, stored as its ISO 3166 alpha-2 code in lower case ("de")."""

    widget = CountryPicker

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        super().__init__(choices=[("", "—"), *geo.choices(kinds=(geo.COUNTRY,))[0][1]], **kwargs)

    default_error_messages = {"invalid_choice": "%(value)s is not a country the list knows: pick one from it."}

    def to_python(self, value):
        """A posted code, or a country typed by hand ("IE", "Ireland", "IRL"), as its code."""
        text = super().to_python(value).strip()
        return geo.normalise_country(text)[0] if text else ""

    def keep_unrecognised(self, stored: str) -> str:
        if not stored:
            return ""
        place = geo.parse(stored)
        if place is not None and place.kind == geo.COUNTRY:
            return place.code
        self.choices = [*self.choices, (KEPT_AS_TYPED, [(stored, stored)])]
        return stored


def _locations_initial(form: forms.ModelForm, *names: str) -> None:
    """Show the instance's stored value as picked places; text the taxonomy does not know stays a
    valid choice, so posting the form back keeps it."""
    for name in names:
        form.initial[name] = form.fields[name].keep_unrecognised(getattr(form.instance, name) or "")


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

    required_regions = LocationsField(
        label="Required geography",
        help_text="Where inference must stay. Type to filter, then pick a group (EU), countries or cloud regions. "
        "None picked: no requirement.",
    )

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.vendor = vendor
        _locations_initial(self, "required_regions")
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

    country = CountryField(label="Country", help_text="Where the company is established. Type to filter.")

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        _locations_initial(self, "country")

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        clash = Provider.objects.filter(organisation=self.organisation, name__iexact=name).exclude(pk=self.instance.pk)
        if clash.exists():
            raise forms.ValidationError("A provider with this name already exists.")
        return name


class _KnownOrNot(forms.NullBooleanField):
    """Yes, no or not known; a ticked checkbox ("on") from older pages still means yes."""

    def to_python(self, value):
        return True if value == "on" else super().to_python(value)


class SupplyLinkForm(StorableTextMixin, forms.ModelForm):
    """A link from this service, or (deeper tier) from one of the organisation's providers."""

    source = forms.ChoiceField(label="Who depends on the provider")
    regions = LocationsField(label="Regions or countries")

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
        _locations_initial(self, "regions")
        # Not known is an answer of its own: the upstream-notice rule counts it as a finding.
        self.fields["competitor"] = _KnownOrNot(
            label="Provider competes with whom it supplies",
            required=False,
            widget=forms.Select(choices=[("unknown", "Not known"), ("true", "Yes"), ("false", "No")]),
            help_text=SupplyLink._meta.get_field("competitor").help_text,
        )
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


# --- Contracts and lifecycle ----------------------------------------------------------------

DATE_INPUT = {"type": "date"}


class ContractForm(StorableTextMixin, forms.ModelForm):
    """A service's contract. Dates and notice periods that contradict each other are refused
    with a message on the field concerned (procurement.vendors.contracts.contract_problems)."""

    spend_amount = MoneyField(label="Spend", required=False)
    spend_currency = CurrencyField(label="Currency", required=False, help_text="Of the spend.")

    class Meta:
        model = Contract
        fields = [
            "reference",
            "buyer_party",
            "vendor_party",
            "owner",
            "start_date",
            "end_date",
            "auto_renews",
            "renewal_term_months",
            "renewal_notice_days",
            "buyer_termination_notice_days",
            "vendor_termination_notice_days",
            "pass_through_notice_days",
            "spend_amount",
            "spend_currency",
            "spend_period",
        ]
        widgets = {
            "start_date": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
            "end_date": forms.DateInput(attrs=DATE_INPUT, format="%Y-%m-%d"),
        }

    def __init__(self, *args, service: AIService, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.service = service
        self.instance.service = service
        self.fields["owner"].queryset = members
        self.fields["owner"].label_from_instance = lambda user: user.get_full_name() or user.get_username()
        organisation = service.vendor.organisation
        if self.instance.pk is None:
            self.initial.setdefault("buyer_party", organisation.name)
            self.initial.setdefault("vendor_party", service.vendor.name)
            self.initial.setdefault("owner", service.vendor.owner_id)
        if not self.instance.spend_currency:
            self.initial.setdefault("spend_currency", service.currency or organisation.reporting_currency)
        for name in ("start_date", "end_date"):
            self.fields[name].error_messages["invalid"] = (
                f"{self.fields[name].label} is not a date: pick one, or write it as YYYY-MM-DD."
            )
        for name in (*NOTICE_FIELD_NAMES, "renewal_term_months"):
            field = self.fields[name]
            field.widget.attrs.update({"min": "0", "inputmode": "numeric"})
            field.error_messages["min_value"] = f"{field.label} cannot be negative; enter 0 or more."
            field.error_messages["invalid"] = f"{field.label}: enter a whole number of days."
            field.error_messages["max_value"] = f"{field.label} is too large."
        self.fields["renewal_term_months"].error_messages["invalid"] = "Each renewal runs for a whole number of months."

    def clean(self):
        cleaned = super().clean()
        if not cleaned.get("spend_currency") and "spend_currency" not in self.errors:
            cleaned["spend_currency"] = self.service.currency or self.service.vendor.organisation.reporting_currency
        money_with_currency(self, "spend_amount", "spend_currency")
        if cleaned.get("spend_amount") is None:
            cleaned["spend_currency"] = ""
        return cleaned


NOTICE_FIELD_NAMES = (
    "renewal_notice_days",
    "buyer_termination_notice_days",
    "vendor_termination_notice_days",
    "pass_through_notice_days",
)


class ContractDocumentForm(forms.Form):
    file = forms.FileField(label="File", error_messages={"required": "Choose a file to attach."})
    kind = forms.ChoiceField(label="What it is", choices=ContractDocument.Kind.choices)


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Status", choices=Lifecycle.choices, error_messages={"invalid_choice": "Choose one of the statuses."}
    )


class CertificateForm(forms.Form):
    file = forms.FileField(
        label="Deletion certificate",
        help_text="The vendor's certificate that our data, backups included, is deleted (DAT-11).",
        error_messages={"required": "Attach the deletion certificate to confirm the deletion."},
    )


class AccessRevokedForm(StorableTextMixin, forms.Form):
    note = forms.CharField(
        label="What was revoked",
        max_length=500,
        required=False,
        help_text="Accounts, API keys, SSO apps, network rules.",
    )


class EndServiceForm(StorableTextMixin, forms.Form):
    reason = forms.CharField(
        label="Reason for ending before the checklist is complete",
        required=False,
        max_length=4000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text="Needed only while a checklist step is open.",
    )
