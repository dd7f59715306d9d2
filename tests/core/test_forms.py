import pytest
from django.contrib.auth import get_user_model

from procurement.core.forms import IdsMultipleChoiceField

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("value", [["9" * 40], ["-1"], ["x"], ["1.5"]])
def test_ids_the_database_cannot_compare_get_a_field_message(value):
    from django.core.exceptions import ValidationError

    field = IdsMultipleChoiceField(queryset=get_user_model().objects.all())
    with pytest.raises(ValidationError) as exc:
        field.clean(value)
    assert exc.value.code == "invalid_pk_value"


def test_existing_ids_still_pass(personas):
    field = IdsMultipleChoiceField(queryset=get_user_model().objects.all())
    assert list(field.clean([str(personas["analyst"].pk)])) == [personas["analyst"]]
