from django import forms

from procurement.vendors.models import AIService, Vendor, VendorContact


class VendorForm(forms.ModelForm):
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


class AIServiceForm(forms.ModelForm):
    class Meta:
        model = AIService
        fields = ["name", "kind", "model_name", "model_provider", "annual_spend", "business_use"]
        widgets = {"business_use": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, vendor, **kwargs):
        super().__init__(*args, **kwargs)
        self.vendor = vendor

    def clean_name(self):
        name = self.cleaned_data["name"].strip()
        if AIService.objects.filter(vendor=self.vendor, name__iexact=name).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError("This vendor already has a service with this name.")
        return name


class VendorContactForm(forms.ModelForm):
    class Meta:
        model = VendorContact
        fields = ["name", "email", "role"]
