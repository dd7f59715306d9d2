"""The vendor, service, home and compare pages show the engine's recommendation and the
recorded decision as two labelled things, with the difference in words."""

import re
from html import unescape

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

DIFFERENCE = "Rejected against the engine's recommendation (approve)."


def text(response) -> str:
    assert response.status_code == 200
    return re.sub(r"\s+", " ", unescape(re.sub(r"<[^>]+>", " ", response.content.decode())))


def test_the_vendor_page_shows_recommendation_and_decision_per_assessment(login, personas, rejected_against):
    vendor = rejected_against.service.vendor
    page = text(login(personas["viewer"]).get(reverse("vendors:detail", args=[vendor.pk])))
    assert "Engine recommendation Decision" in page  # the two column headings, side by side
    assert "Approve Low Rejected by reviewer Against the engine's recommendation" in page


def test_the_service_page_lists_its_assessments_with_both(login, personas, rejected_against, complete_assessment):
    client = login(personas["viewer"])
    decided = rejected_against.service
    page = text(client.get(reverse("vendors:service", args=[decided.vendor.pk, decided.pk])))
    assert f"A-{rejected_against.pk}" in page and "Rejected by reviewer" in page
    open_service = complete_assessment.service
    page = text(client.get(reverse("vendors:service", args=[open_service.vendor.pk, open_service.pk])))
    assert f"A-{complete_assessment.pk}" in page and "Executive acceptance High" in page and "Not decided" in page


def test_the_home_page_recently_decided_list_states_decision_and_recommendation(
    login, personas, rejected_against, decided
):
    page = text(login(personas["reviewer"]).get(reverse("core:home")))
    assert "Decision: Rejected by reviewer Against the engine's recommendation" in page
    assert "Engine recommendation: Approve Low" in page
    assert "Decision: Rejected by reviewer Engine recommendation: Reject Critical" in page


def test_compare_shows_the_current_recommendation_beside_the_decision(login, personas, rejected_against, assessment):
    client = login(personas["viewer"])
    url = reverse("portfolio:compare") + f"?s={rejected_against.service.pk}&s={assessment.service.pk}"
    page = text(client.get(url))
    assert "Engine recommendation" in page and "Board decision" not in page
    assert "Rejected by reviewer (reviewer, standard authority) on" in page and DIFFERENCE in page
    # The open one is scored now: nothing answered yet, so it is provisional, and not decided.
    assessment.refresh_from_db()
    assert f"Provisional: {assessment.recommendation_unanswered} scored questions unanswered" in page
    assert "Not decided" in page
