"""Form pieces shared by the apps."""

from django import forms
from django.core.exceptions import ValidationError

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
