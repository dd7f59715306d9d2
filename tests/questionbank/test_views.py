import pytest
from django.urls import reverse

from procurement.questionbank.services import bank_load, version_new_draft
from tests.conftest import SMALL_BANK

pytestmark = pytest.mark.django_db


def test_preview_shows_every_section_question_and_help(login, personas, shipped_version):
    response = login(personas["viewer"]).get(reverse("questionbank:version_preview", args=[shipped_version.pk]))
    page = response.content.decode()
    assert response.status_code == 200
    for section in shipped_version.sections.all():
        assert f'id="section-{section.code}"' in page
    for question in shipped_version.questions.all():
        assert f'id="q-{question.code}"' in page
    assert "The vendor&#x27;s promises to us are capped by its own leases" in page
    assert 'data-show-if-question="SEC-01"' in page


def test_preview_filters_by_audience(login, personas, shipped_version):
    url = reverse("questionbank:version_preview", args=[shipped_version.pk])
    page = login(personas["analyst"]).get(url + "?audience=buyer").content.decode()
    assert 'id="q-INT-01"' in page and 'id="q-SUP-05"' not in page


def test_preview_of_another_organisations_draft_is_404(login, personas, other_org):
    version = version_new_draft(version=bank_load(raw=SMALL_BANK, source="s", organisation=other_org).version)
    response = login(personas["admin"]).get(reverse("questionbank:version_preview", args=[version.pk]))
    assert response.status_code == 404


def test_preview_requires_login(client, shipped_version):
    response = client.get(reverse("questionbank:version_preview", args=[shipped_version.pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
