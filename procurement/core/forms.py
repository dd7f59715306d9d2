"""Form pieces shared by the apps."""

from django import forms
from django.contrib.auth import get_user_model
from django.contrib.auth.forms import UserCreationForm
from django.core.exceptions import ValidationError

from procurement.core.models import Membership, NotificationKind, NotificationPreference
from procurement.core.text import text_problem

MAX_PK = 2**63 - 1


class IdsMultipleChoiceField(forms.ModelMultipleChoiceField):
    """A ModelMultipleChoiceField that refuses ids the database cannot even compare.

    Django passes every posted value to ``pk__in``; a 40-digit number there overflows
    SQLite's integer and raises instead of giving a field message.
    """

    def _check_values(self, value):
        for pk in value:
            text = str(pk)
            if not text.isdigit() or int(text) > MAX_PK:
                raise ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class StorableTextMixin:
    """Every text a form accepts can be stored, shown and exported: no control characters or
    lone surrogates anywhere (``text_problem``), and no line breaks in one-line inputs such
    as names, which end up in mail subjects and spreadsheet cells. Each refusal is a message
    on its field; the rest of the form is unaffected."""

    def clean(self):
        cleaned = super().clean()
        for name, value in list(self.cleaned_data.items()):
            if not isinstance(value, str) or not value:
                continue
            problem = text_problem(value)
            if problem:
                self.add_error(name, f"This text {problem}; remove it and try again.")
            elif _one_line(self.fields[name]) and ("\n" in value or "\r" in value):
                self.add_error(name, "Keep this on one line.")
        return cleaned


def _one_line(field: forms.Field) -> bool:
    return isinstance(field.widget, forms.TextInput | forms.EmailInput | forms.URLInput)


CHOOSE_MODE = "Choose at once, daily summary or never."


class NotificationPreferencesForm(forms.Form):
    """One choice per kind of notification: at once, in the daily summary, or never."""

    def __init__(self, *args, modes: dict[str, str], **kwargs):
        super().__init__(*args, **kwargs)
        for kind in NotificationKind:
            self.fields[kind.value] = forms.ChoiceField(
                label=kind.label,
                choices=NotificationPreference.Mode.choices,
                initial=modes.get(kind.value, NotificationPreference.Mode.IMMEDIATE),
                widget=forms.RadioSelect,
                error_messages={"required": CHOOSE_MODE, "invalid_choice": CHOOSE_MODE},
            )

    def rows(self):
        """(label, bound field) per kind, for the table."""
        return [(self.fields[name].label, self[name]) for name in self.fields]


class MemberInviteForm(forms.Form):
    email = forms.EmailField(label="Email address", max_length=254)
    role = forms.ChoiceField(
        label="Role",
        choices=Membership.Role.choices,
        initial=Membership.Role.VIEWER,
        help_text="What they may do: viewers read; analysts fill in assessments; reviewers check and decide; "
        "admins also manage members, decision rules and the organisation's question banks.",
    )


class MemberJoinForm(StorableTextMixin, UserCreationForm):
    """The invited person's own account: a name, a username and a password (the validators apply)."""

    class Meta(UserCreationForm.Meta):
        model = get_user_model()
        fields = ("first_name", "last_name", "username")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["first_name"].required = True
        self.fields["last_name"].required = True
