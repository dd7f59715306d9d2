"""Forms of the portfolio pages."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib.auth import get_user_model

from procurement.assessments.models import Finding
from procurement.portfolio.obligations import CalendarFilters, ConditionFilters
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


class CalendarFilterForm(forms.Form):
    """The Calendar page's filters (GET). Every one optional; a value that is not one of the
    organisation's is refused with a message rather than ignored."""

    DEFAULT_DAYS = 90
    MAX_DAYS = 3660

    owner = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Anyone",
        error_messages={"invalid_choice": "Choose an owner from the list."},
    )
    vendor = forms.ModelChoiceField(
        queryset=None,
        required=False,
        empty_label="Any vendor",
        error_messages={"invalid_choice": "Choose a vendor from the list."},
    )
    kind = forms.ChoiceField(
        required=False, error_messages={"invalid_choice": "Choose a kind of obligation from the list."}
    )
    start = forms.DateField(
        label="From",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the first day as a date, e.g. 2026-12-01."},
    )
    end = forms.DateField(
        label="To",
        required=False,
        widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"invalid": "Give the last day as a date, e.g. 2027-03-01."},
    )
    by = forms.ChoiceField(
        label="Group by",
        choices=[("month", "Month"), ("week", "Week")],
        required=False,
        error_messages={"invalid_choice": "Group by month or by week."},
    )

    def __init__(self, *args, organisation, kinds, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner"].queryset = (
            get_user_model().objects.filter(memberships__organisation=organisation).order_by("username")
        )
        self.fields["owner"].label_from_instance = lambda u: u.get_full_name() or u.get_username()
        self.fields["vendor"].queryset = Vendor.objects.filter(organisation=organisation).order_by("name")
        self.fields["kind"].choices = [("", "Every kind"), *((k.key, k.label) for k in kinds)]

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end:
            if end < start:
                raise forms.ValidationError("The last day is before the first: swap them or change one.")
            if (end - start).days > self.MAX_DAYS:
                raise forms.ValidationError("Show at most ten years at a time.")
        return data

    def filters(self, *, today) -> CalendarFilters:
        """The filters; unbound or invalid, every kind from the overdue ones to 90 days ahead."""
        default_end = today + dt.timedelta(days=self.DEFAULT_DAYS)
        if not self.is_bound or not self.is_valid():
            return CalendarFilters(end=default_end)
        data = self.cleaned_data
        return CalendarFilters(
            start=data.get("start"),
            end=data.get("end") or (None if data.get("start") else default_end),
            owner=data["owner"].pk if data.get("owner") else None,
            vendor=data["vendor"].pk if data.get("vendor") else None,
            kinds=(data["kind"],) if data.get("kind") else (),
        )
