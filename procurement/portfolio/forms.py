"""Forms of the portfolio pages."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model

from procurement.assessments.models import Finding
from procurement.portfolio.obligations import ConditionFilters
from procurement.vendors.models import AIService, Vendor

STATUS_CHOICES = [("", "Not yet closed"), *Finding.Status.choices]


class ConditionFilterForm(forms.Form):
    """The Open conditions page's filters (GET). Every one optional; a value that is not one of
    the organisation's is refused with a message rather than ignored."""

    overdue = forms.BooleanField(required=False, label="Overdue only")
    owner = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Any owner",
        error_messages={"invalid_choice": "Choose an owner from the list."},
    )
    vendor = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Any vendor",
        error_messages={"invalid_choice": "Choose a vendor from the list."},
    )
    service = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Any service",
        error_messages={"invalid_choice": "Choose a service from the list."},
    )
    status = forms.ChoiceField(
        choices=STATUS_CHOICES, required=False, error_messages={"invalid_choice": "Choose a status from the list."}
    )
    kind = forms.ChoiceField(
        choices=[("", "Conditions and findings"), *Finding.Kind.choices],
        required=False,
        error_messages={"invalid_choice": "Choose conditions, findings or both."},
    )

    def __init__(self, *args, organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__organisation=organisation).order_by("username")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["vendor"].queryset = Vendor.objects.filter(organisation=organisation).order_by("name")
        self.fields["service"].queryset = (
            AIService.objects.filter(vendor__organisation=organisation).select_related("vendor").order_by("name")
        )
        self.fields["service"].label_from_instance = lambda s: f"{s.vendor.name} — {s.name}"

    def filters(self) -> ConditionFilters:
        data = self.cleaned_data if self.is_valid() else {}
        status = data.get("status")
        return ConditionFilters(
            overdue=bool(data.get("overdue")),
            owner=data["owner"].pk if data.get("owner") else None,
            vendor=data["vendor"].pk if data.get("vendor") else None,
            service=data["service"].pk if data.get("service") else None,
            statuses=(status,) if status else tuple(Finding.LIVE),
            kind=data.get("kind") or "",
        )


TRIGGER_HELP = {
    "review_due": "The review date set by the service's tier comes.",
    "chain": "A provider in the supply chain is added, removed or gives shorter notice, or the model changes.",
    "evidence_expired": "A supporting document (a SOC 2 report, a certificate) passes its expiry.",
    "contract_renewal": "The contract's renewal (or its last day to give notice) approaches.",
}


class ReassessmentPolicyForm(forms.Form):
    """One choice per trigger: start a reassessment, or only notify the owner."""

    def __init__(self, *args, organisation, **kwargs):
        from procurement.portfolio.models import ReassessmentPolicy, ReassessmentTrigger
        from procurement.portfolio.reassessment import policy_actions

        super().__init__(*args, **kwargs)
        current = policy_actions(organisation)
        for trigger in ReassessmentTrigger:
            self.fields[trigger.value] = forms.ChoiceField(
                label=trigger.label,
                choices=ReassessmentPolicy.Action.choices,
                initial=current[trigger.value],
                widget=forms.RadioSelect,
                help_text=TRIGGER_HELP[trigger.value],
                error_messages={"required": "Choose what happens.", "invalid_choice": "Choose one of the two."},
            )
