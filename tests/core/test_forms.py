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


def test_a_cr_in_a_service_name_is_a_message_and_saves_nothing(client, personas, service):
    """F5: the red team saved "Managed\\rmodel" as a service name; every mail about it then raised."""
    from django.urls import reverse

    client.force_login(personas["analyst"])
    url = reverse("vendors:service_edit", args=[service.vendor.pk, service.pk])
    response = client.post(url, {"name": "Managed\rmodel", "kind": "hosted"})
    assert response.status_code == 200 and "Keep this on one line." in response.content.decode()
    service.refresh_from_db()
    assert "\r" not in service.name


@pytest.mark.parametrize(("text", "message"), [("a\x0bb", "U+000B"), ("a\x01b", "U+0001"), ("a\x7fb", "U+007F")])
def test_control_characters_in_a_vendor_answer_are_refused_and_the_rest_is_saved(
    client, personas, assessment, text, message
):
    """F7: a vendor's \\x0b made the XLSX export fail for good once the assessment was decided."""
    from django.urls import reverse

    from procurement.assessments.models import Answer

    client.force_login(personas["analyst"])
    response = client.post(
        reverse("assessments:section", args=[assessment.pk, "CAP"]),
        {"revision": 0, "q-CAP-01": text, "q-CAP-02": "2"},
    )
    assert response.status_code == 400 and message in response.content.decode()
    assert not Answer.objects.filter(question_code="CAP-01").exists()
    assert Answer.objects.get(question_code="CAP-02").value == 2
