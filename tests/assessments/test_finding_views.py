"""The pages of conditions and findings: raising one on the review page with an owner from the
organisation, and the page per item (frozen state beside the current one, history, actions)."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.models import Finding

pytestmark = pytest.mark.django_db


def test_the_review_page_offers_the_organisations_members_as_owners(login, personas, in_review):
    page = login(personas["reviewer"]).get(reverse("assessments:review", args=[in_review.pk])).content.decode()
    assert f'<option value="{personas["analyst"].pk}">analyst</option>' in page
    assert "outsider" not in page


def test_raising_a_condition_with_an_owner_and_a_due_date(login, personas, in_review):
    client = login(personas["reviewer"])
    response = client.post(
        reverse("assessments:finding", args=[in_review.pk]),
        {"kind": "condition", "text": "Renew lease", "owner_user": personas["viewer"].pk, "due_date": "2026-09-30"},
        follow=True,
    )
    finding = in_review.findings.get()
    assert (finding.owner_user, finding.due_date, finding.status) == (personas["viewer"], dt.date(2026, 9, 30), "open")
    assert "Condition recorded." in response.content.decode()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"owner_user": "outsider"}, "Choose the owner from the organisation"),
        ({"due_date": "next week"}, "Enter the due date as a date"),
        ({"text": ""}, "This field is required"),
    ],
)
def test_a_bad_condition_is_refused_with_a_message_and_nothing_saved(login, personas, in_review, data, message):
    if data.get("owner_user") == "outsider":
        data = {"owner_user": personas["outsider"].pk}
    post = {"kind": "condition", "text": "Renew lease", **data}
    response = login(personas["reviewer"]).post(reverse("assessments:finding", args=[in_review.pk]), post, follow=True)
    assert message in response.content.decode() and not in_review.findings.exists()


@pytest.fixture
def item(decided):
    return decided.findings.get()


def _url(item, name="finding_detail"):
    return reverse(f"assessments:{name}", args=[item.assessment_id, item.pk])


def test_the_page_shows_the_frozen_state_beside_the_current_one(login, personas, item):
    services.finding_update(finding=item, to="in_progress", by=personas["analyst"], note="Asked the vendor")
    page = login(personas["viewer"]).get(_url(item)).content.decode()
    state = page[page.index('id="state"') : page.index('id="history"')]
    assert "At the decision (frozen)" in state and ">Open<" in state and ">In progress<" in state
    assert "Asked the vendor" in page
    assert 'id="update"' not in page and 'id="verify"' not in page  # the viewer does not own it


def test_the_assessment_page_links_each_item_with_both_states(login, personas, item):
    services.finding_update(finding=item, to="in_progress", by=personas["analyst"])
    page = login(personas["viewer"]).get(reverse("assessments:detail", args=[item.assessment_id])).content.decode()
    assert _url(item) in page and "at the decision:" in page


def test_the_owner_closes_with_notes_and_a_file_and_a_reviewer_verifies(login, personas, item, client):
    login(personas["analyst"])
    page = client.get(_url(item)).content.decode()
    assert 'id="update"' in page
    response = client.post(
        _url(item, "finding_update"),
        {"status": "done", "note": "Model named in the contract", "file": SimpleUploadedFile("c.pdf", b"%PDF-1.7 c")},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == "done" and item.evidence.get().original_name == "c.pdf"
    assert "You marked this done" not in client.get(_url(item)).content.decode()  # analyst is no verifier
    login(personas["reviewer"])
    page = client.get(_url(item)).content.decode()
    assert 'id="verify"' in page and "c.pdf" in page
    client.post(_url(item, "finding_verify"), {"verified": "yes", "note": "Seen"})
    item.refresh_from_db()
    assert item.status == "verified" and item.verified_by == personas["reviewer"]


def test_done_without_notes_comes_back_with_a_message_and_nothing_changes(login, personas, item):
    response = login(personas["analyst"]).post(_url(item, "finding_update"), {"status": "done"}, follow=True)
    assert "closure notes" in response.content.decode()
    item.refresh_from_db()
    assert item.status == "open" and item.events.count() == 1


def test_not_verified_sends_it_back_with_the_reason(login, personas, item):
    services.finding_update(finding=item, to="done", by=personas["analyst"], note="Done")
    login(personas["admin"]).post(_url(item, "finding_verify"), {"verified": "no", "note": "No clause 14"})
    item.refresh_from_db()
    assert item.status == "in_progress" and item.events.last().note == "Not verified: No clause 14"


def test_the_person_who_marked_it_done_is_told_someone_else_verifies(login, personas, item):
    services.finding_update(finding=item, to="done", by=personas["admin"], note="Done")
    page = login(personas["admin"]).get(_url(item)).content.decode()
    assert "You marked this done; someone else must" in page


@pytest.mark.parametrize(("who", "name"), [("reviewer", "finding_update"), ("viewer", "finding_update")])
def test_members_who_may_not_update_get_403_and_nothing_changes(login, personas, item, who, name):
    response = login(personas[who]).post(_url(item, name), {"status": "in_progress"})
    assert response.status_code == 403
    item.refresh_from_db()
    assert item.status == "open"


def test_accept_as_risk_without_an_acceptance_explains_what_is_needed(login, personas, item):
    page = login(personas["reviewer"]).get(_url(item)).content.decode()
    assert "there is none yet" in page
    response = login(personas["reviewer"]).post(_url(item, "finding_accept"), {"acceptance": "999"}, follow=True)
    assert "accepted risk acceptances" in response.content.decode()
    assert Finding.objects.get(pk=item.pk).status == "open"


def test_another_organisations_item_is_404(login, personas, item):
    assert login(personas["outsider"]).get(_url(item)).status_code == 404
