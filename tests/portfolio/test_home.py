"""The home page and the demo seed (both read every app, so they live in portfolio)."""

import pytest
from django.core.management import call_command
from django.urls import reverse

from procurement.assessments.models import Assessment
from procurement.questionbank.services import bank_load
from tests.conftest import SMALL_BANK

pytestmark = pytest.mark.django_db


def test_home_lists_shipped_and_own_banks_only(login, personas, shipped_version, other_org):
    bank_load(raw=SMALL_BANK.replace("Small bank", "Secret bank"), source="s", organisation=other_org)
    page = login(personas["viewer"]).get(reverse("core:home")).content.decode()
    assert "AI vendor due diligence" in page and "Secret bank" not in page


def test_demo_seed_creates_every_state_including_frozen_ones(django_db_blocker):
    call_command("seed_demo")
    call_command("seed_demo")  # idempotent
    statuses = set(Assessment.objects.values_list("status", flat=True))
    assert statuses == {s.value for s in Assessment.Status}
    assert Assessment.objects.count() == 8
    assert all(a.frozen_record for a in Assessment.objects.filter(status__in=Assessment.FINAL))
    from procurement.vendors.models import Document, ModelLifecycle

    kinds = sorted(Document.objects.exclude(kind="").values_list("kind", flat=True))
    assert kinds == ["dpa", "iso27001", "pentest", "soc2_type2"]  # once, however often it runs
    assert ModelLifecycle.objects.get().retires_on is not None


def test_home_shows_the_work_queue_and_recent_decisions(client, django_user_model):
    call_command("seed_demo")
    client.force_login(django_user_model.objects.get(username="analyst"))
    page = client.get(reverse("core:home")).content.decode()
    assert "Nothing open" not in page
    assert "To fill in" in page and "My conditions overdue" in page and "(overdue)" in page
    assert "Contract must include 180 days" in page
    assert "Rejected" in page and "Approved" in page
    # The demo's register and contract dates, each linking where to act and to the calendar.
    dates = page[page.index('id="dates-ahead"') :]
    assert "SOC 2 Type II report “frontier-lab-soc2-type2.pdf” expires" in dates
    assert "Penetration test letter “claimsbot-pentest-letter.pdf” expired" in dates and "(passed)" in dates
    assert "Last day to give notice: DeskAI — Helpdesk Copilot" in dates and "DESK-MSA-2025-07" in dates
    assert "/evidence/#doc-" in dates and "/portfolio/calendar/?end=" in dates


def test_seed_demo_is_idempotent_and_prints_logins(capsys, django_user_model):
    call_command("seed_demo")
    first = capsys.readouterr().out
    call_command("seed_demo")
    assert django_user_model.objects.count() == 6
    for name in ("admin", "analyst", "reviewer", "approver", "viewer", "staff"):
        assert name in first
    assert "demo-pass-2026" in first
