"""Form pieces shared by the apps."""

import re
from decimal import Decimal

from django import forms
from django.contrib.auth import authenticate, get_user_model
from django.contrib.auth.forms import PasswordChangeForm, UserCreationForm
from django.core.exceptions import ValidationError
from django.utils import timezone

from procurement.core.models import Membership, NotificationKind, NotificationPreference
from procurement.core.money import Money, MoneyError, currency_choices, money_format, money_parse
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


class MoneyField(forms.Field):
    """A text input for an amount (``250k``, ``1.2M``, ``EUR 250,000``): never type=number, whose
    browsers drop what they cannot read (``250k`` arrived as 250). Cleans to a Money, whose
    currency is empty unless the text named one; the form decides which currency applies."""

    widget = forms.TextInput
    MAX_LENGTH = 60

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("help_text", "For example 250000, 250,000, 250k or 1.2M.")
        super().__init__(*args, **kwargs)

    def widget_attrs(self, widget):
        attrs = super().widget_attrs(widget)
        attrs.update(
            {"inputmode": "decimal", "autocomplete": "off", "spellcheck": "false", "maxlength": str(self.MAX_LENGTH)}
        )
        return attrs

    def prepare_value(self, value):
        if isinstance(value, Money):
            return money_format(value.amount)
        if value not in (None, "") and not isinstance(value, str):
            return money_format(value)
        return value

    def to_python(self, value):
        text = "" if value is None else str(value).strip()
        if not text:
            return None
        if len(text) > self.MAX_LENGTH:
            raise ValidationError(f"An amount has at most {self.MAX_LENGTH} characters.", code="max_length")
        problem = text_problem(text)
        if problem:
            raise ValidationError(f"This text {problem}; remove it and try again.", code="text")
        try:
            return money_parse(text)
        except MoneyError as exc:
            raise ValidationError(str(exc), code="money") from None


class CurrencyField(forms.ChoiceField):
    """An ISO 4217 currency, the common ones first."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("choices", currency_choices)
        super().__init__(*args, **kwargs)


AMOUNT_CURRENCY_CLASH = "The amount says {typed} but the currency chosen is {chosen}: change one of them."


def money_with_currency(form: forms.Form, amount_field: str, currency_field: str) -> None:
    """In ``clean``: turn the amount field's Money into a Decimal and settle the currency. A
    currency typed in the amount wins over an untouched select only when they agree; when
    they differ the form says so (nothing is guessed)."""
    money = form.cleaned_data.get(amount_field)
    if not isinstance(money, Money):
        return
    chosen = form.cleaned_data.get(currency_field) or ""
    if money.currency and chosen and money.currency != chosen:
        form.add_error(amount_field, AMOUNT_CURRENCY_CLASH.format(typed=money.currency, chosen=chosen))
        return
    form.cleaned_data[amount_field] = money.amount
    form.cleaned_data[currency_field] = money.currency or chosen


RATE_RE = r"^\d{1,10}(\.\d{1,8})?$"


class ReportingCurrencyForm(forms.Form):
    currency = CurrencyField(label="Reporting currency")


class CurrencyRateForm(forms.Form):
    """1 unit of a currency = ``rate`` units of the reporting currency, as of a date."""

    currency = CurrencyField(label="Currency", choices=lambda: [("", "—"), *currency_choices()])
    rate = forms.CharField(
        label="Rate",
        max_length=20,
        help_text="What one unit of the currency is worth in the reporting currency, e.g. 0.92.",
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
    )
    as_of = forms.DateField(label="As of", widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"))

    def __init__(self, *args, reporting: str, **kwargs):
        super().__init__(*args, **kwargs)
        self.reporting = reporting
        self.fields["rate"].help_text = f"What one unit of the currency is worth in {reporting}, e.g. 0.92."
        self.initial.setdefault("as_of", timezone.localdate())

    def clean_currency(self):
        code = self.cleaned_data["currency"]
        if code == self.reporting:
            raise ValidationError(f"{code} is the reporting currency; choose another one.")
        return code

    def clean_rate(self):
        text = self.cleaned_data["rate"].strip()
        if not re.fullmatch(RATE_RE, text) or Decimal(text) <= 0:
            raise ValidationError(
                f"“{text[:30]}” is not a rate: write a positive number with a dot for decimals (at most 8), e.g. 0.92."
            )
        return Decimal(text)

    def clean_as_of(self):
        day = self.cleaned_data["as_of"]
        if day > timezone.localdate():
            raise ValidationError("A rate's date cannot be in the future.")
        return day


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


class AccountPasswordChangeForm(PasswordChangeForm):
    """Django's password change, with the old password checked through ``authenticate()``: a
    wrong guess counts towards the sign-in lockout (django-axes) like a failed login, and a
    locked-out account cannot change its password, so a stolen session cannot guess it."""

    def __init__(self, user, *args, request, **kwargs):
        self.request = request
        super().__init__(user, *args, **kwargs)

    def clean_old_password(self):
        old = self.cleaned_data["old_password"]
        checked = authenticate(self.request, username=self.user.get_username(), password=old)
        if checked is None or checked.pk != self.user.pk:
            raise ValidationError(self.error_messages["password_incorrect"], code="password_incorrect")
        return old
