"""Debian's Chromium: a vendor's evidence register (an expired SOC 2 report whose period end
contradicts the answer, an expiring certificate), a reviewer's SOC 2 review by keyboard-free
clicks, and a service whose model retires inside our days to migrate. axe-core checks each
page (tests/browser/conftest.py); the screenshots land in test-artifacts/."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procurement.assessments.evidence import evidence_store
from procurement.assessments.models import Assessment
from procurement.core.services import DEMO_PASSWORD
from procurement.portfolio.evidence_services import document_details_update, model_lifecycle_update
from procurement.vendors.models import SOC2_CHECKLIST, AIService, SOC2Review

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _login(page, live_server, username):
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_selector("text=Log out")


def _document(assessment, code, name):
    upload = SimpleUploadedFile(name, b"%PDF-1.4\n" + name.encode() + b"\n%%EOF\n")
    return evidence_store(assessment=assessment, question_code=code, upload=upload, by=None, field="f").document


def test_register_soc2_review_and_a_retiring_model(seed_demo, page, live_server, artifacts_dir):
    seed_demo()
    today = timezone.localdate()
    service = AIService.objects.get(name="Frontier API")
    assessment = Assessment.objects.filter(service=service, status="in_review").first()
    soc2 = _document(assessment, "SEC-01A", "Frontier SOC 2 Type II.pdf")
    document_details_update(
        document=soc2,
        values={
            "kind": "soc2_type2",
            "period_start": dt.date(2024, 7, 1),
            "period_end": dt.date(2025, 6, 30),
            "auditor": "Example Assurance LLP",
            "opinion": "qualified",
            "inference_in_scope": False,
        },
        subservice=[],
        by=None,
    )
    iso = _document(assessment, "SEC-02", "ISO 27001.pdf")
    document_details_update(
        document=iso,
        values={"kind": "iso27001", "issued_on": dt.date(2024, 1, 1), "expires_on": today + dt.timedelta(days=10)},
        subservice=[],
        by=None,
    )
    model_lifecycle_update(
        service=service,
        values={
            "model_version": "frontier-xl-2026-06",
            "retires_on": today + dt.timedelta(days=60),
            "replacement": "fx",
        },
        by_label="Ann Analyst",
    )
    page.set_viewport_size({"width": 1280, "height": 900})
    _login(page, live_server, "reviewer")

    page.goto(f"{live_server.url}/vendors/{service.vendor_id}/evidence/")
    assert page.locator(f"#doc-{soc2.pk}").get_attribute("data-expiry-status") == "expired"
    assert page.locator(f"#doc-{iso.pk}").get_attribute("data-expiry-status") == "expiring"
    assert "Dates disagree:" in page.locator(f"#doc-{soc2.pk}").inner_text()
    page.screenshot(path=str(artifacts_dir / "evidence-1-register.png"), full_page=True)

    page.click(f"#doc-{soc2.pk} a:has-text('Review')")
    page.wait_for_selector("text=Record your review")
    for i, (key, _) in enumerate(SOC2_CHECKLIST):
        page.check(f"#id_check_{key}_{1 if key == 'inference_in_scope' else 0}")
        if i == 0:
            page.fill(f"#id_note_{key}", "Period of 12 months")
    page.check("#id_conclusion_1")
    page.fill("#id_notes", "Ask for an inference bridge letter.")
    page.screenshot(path=str(artifacts_dir / "evidence-2-soc2-review-form.png"), full_page=True)
    page.click("button:has-text('Record the review')")
    page.wait_for_selector("text=Recorded your review")
    review = SOC2Review.objects.get()
    assert review.conclusion == "follow_up" and review.checklist[4] == {
        "key": "inference_in_scope",
        "answer": "no",
        "note": "",
    }
    page.screenshot(path=str(artifacts_dir / "evidence-3-soc2-review-recorded.png"), full_page=True)

    page.goto(f"{live_server.url}{service.get_absolute_url()}")
    retires = page.locator("#model-retires").inner_text()
    assert f"{(today + dt.timedelta(days=60)).day} " in retires
    page.screenshot(path=str(artifacts_dir / "evidence-4-retiring-model.png"), full_page=True)
    page.goto(f"{live_server.url}/assessments/{assessment.pk}/review/")
    assert page.locator("text=The move is due by").count() >= 1
    assert page.locator("[data-stale]").count() >= 1
    page.screenshot(path=str(artifacts_dir / "evidence-5-review-retirement-and-stale.png"), full_page=True)
