from django import forms
from django.conf import settings

from procurement.assessments.models import Attestation
from procurement.assessments.services import (
    ATTESTATION_CONFIRM_REQUIRED,
    ATTESTATION_NAME_REQUIRED,
    ATTESTATION_TITLE_REQUIRED,
)
from procurement.core.forms import IdsMultipleChoiceField, StorableTextMixin
from procurement.portal.services import MAX_DAYS, default_link_days


class InviteForm(StorableTextMixin, forms.Form):
    contacts = IdsMultipleChoiceField(
        queryset=None,
        widget=forms.CheckboxSelectMultiple(attrs={"class": "form-check-input"}),
        error_messages={"required": "Choose at least one contact."},
    )
    days = forms.IntegerField(
        label="Link valid for (days)",
        min_value=1,
        max_value=MAX_DAYS,
        widget=forms.NumberInput(attrs={"class": "form-control form-control-sm w-auto"}),
    )
    message = forms.CharField(
        label="Note in the mail (optional)",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control form-control-sm"}),
    )

    def __init__(self, *args, contacts, assessment=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].queryset = contacts
        self.fields["contacts"].label_from_instance = lambda c: (
            f"{c.name} <{c.email}>" + (f", {c.role}" if c.role else "")
        )
        self.fields["days"].initial = (
            default_link_days(assessment) if assessment is not None else settings.PORTAL_LINK_DAYS
        )
        if assessment is not None and assessment.due_date is not None:
            self.fields["days"].help_text = f"The answers are due on {assessment.due_date:%d %b %Y}."


class NoteForm(StorableTextMixin, forms.Form):
    note = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}), max_length=4000)


class MessageForm(StorableTextMixin, forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), max_length=4000)


class AttestationForm(StorableTextMixin, forms.Form):
    """The respondent's attestation on submitting (``Attestation``): who, in which role, and the statement."""

    name = forms.CharField(
        label="Your full name",
        max_length=200,
        error_messages={"required": ATTESTATION_NAME_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    title = forms.CharField(
        label="Your job title",
        max_length=200,
        error_messages={"required": ATTESTATION_TITLE_REQUIRED},
        widget=forms.TextInput(attrs={"autocomplete": "organization-title"}),
    )
    confirmed = forms.BooleanField(
        label=Attestation.STATEMENT,
        error_messages={"required": ATTESTATION_CONFIRM_REQUIRED},
    )
