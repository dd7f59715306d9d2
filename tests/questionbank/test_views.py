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


# --- What changed, and publishing -------------------------------------------------------


@pytest.fixture
def org_draft(org):
    v1 = bank_load(raw=SMALL_BANK, source="s", organisation=org).version
    draft = version_new_draft(version=v1)
    q = draft.questions.get(code="OPS-01")
    q.text = "Is there a tested fallback?"
    q.save()
    choice = draft.questions.get(code="IN-01").choices.get(value="low")
    choice.points = 0
    choice.save()
    return draft


def test_compare_shows_each_change_in_words_with_its_kind(login, personas, org_draft):
    page = login(personas["viewer"]).get(reverse("questionbank:version_compare", args=[org_draft.pk])).content.decode()
    assert "Is there a <ins>tested </ins>fallback?" in page
    assert "Points for “Low”" in page and "<del>1 point</del> → <ins>0 points</ins>" in page
    assert 'id="change-OPS-01"' in page and "Editorial (answers kept)" in page
    assert 'id="change-IN-01"' in page and "Substantive (asked again)" in page


def test_publishing_needs_a_changelog_and_keeps_the_draft_without_one(login, personas, org_draft):
    client = login(personas["admin"])
    url = reverse("questionbank:version_publish", args=[org_draft.pk])
    response = client.post(url, {"changelog": "   "})
    assert response.status_code == 400
    assert "Write a changelog before publishing" in response.content.decode()
    org_draft.refresh_from_db()
    assert org_draft.status == "draft"


def test_publishing_with_a_changelog_and_an_editors_mark(login, personas, org_draft):
    client = login(personas["admin"])
    url = reverse("questionbank:version_publish", args=[org_draft.pk])
    page = client.get(url).content.decode()
    assert 'name="mark-IN-01"' in page and 'name="mark-OPS-01"' in page
    response = client.post(url, {"changelog": "Fallback reworded; low criticity scores 0.", "mark-IN-01": "editorial"})
    assert response.status_code == 302
    org_draft.refresh_from_db()
    assert org_draft.status == "published" and org_draft.number == 2
    assert org_draft.changelog == "Fallback reworded; low criticity scores 0."
    assert org_draft.questions.get(code="IN-01").change_kind == "editorial"
    page = client.get(reverse("questionbank:version_compare", args=[org_draft.pk])).content.decode()
    assert "marked by the editor" in page and "Substantive (asked again)" not in page


def test_publishing_a_draft_that_would_not_load_lists_every_problem(login, personas, org_draft):
    from procurement.questionbank.models import Question

    Question.objects.filter(version=org_draft, code="OPS-02").update(bands=[{"from": 0, "to": 10, "points": 4}])
    Question.objects.filter(version=org_draft, code="OPS-03").update(show_if_question="OPS-05")
    response = login(personas["admin"]).post(
        reverse("questionbank:version_publish", args=[org_draft.pk]), {"changelog": "Try"}
    )
    page = response.content.decode()
    assert response.status_code == 400 and "Not published" in page
    assert "OPS-02" in page and "the last band ends at 10" in page and "OPS-03" in page
    org_draft.refresh_from_db()
    assert org_draft.status == "draft"


def test_an_org_admin_cannot_publish_the_shipped_bank(login, personas, shipped_version):
    draft = version_new_draft(version=shipped_version)
    response = login(personas["admin"]).post(
        reverse("questionbank:version_publish", args=[draft.pk]), {"changelog": "Mine now"}
    )
    assert response.status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft"
