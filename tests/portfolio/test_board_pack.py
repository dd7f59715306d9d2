"""The portfolio board pack: what it says about the demo portfolio, in plain words and the
reporting currency; its cache key; and the generate / poll / download flow with failures shown."""

import io
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from procurement.core.models import CurrencyRate, Organisation
from procurement.portfolio import board_pack
from procurement.portfolio.models import BoardPack
from procurement.vendors.models import AIService
from tests.pdf_pages import half_empty_pages, pdf_text_pages

pytestmark = pytest.mark.django_db

SECTIONS = (
    "AI portfolio board pack",
    "What needs the board's attention",
    "Decisions by tier and residual rating",
    "Services by residual rating",
    "Every service: recommendation and decision",
    "Risk acceptances in force",
    "Overdue conditions and reviews",
    "Concentration: who runs our AI",
    "Providers more than one service depends on",
    "Where they run",
    "What if a provider or region gave 90 days' notice?",
)
# Stored codes a reader must never see (choices, roles, recommendation and status values).
CODES = re.compile(
    r"executive_acceptance|approve_with_conditions|inference_compute|model_provider|in_review|changes_requested"
    r"|in_progress|\bapprove\b|\breject\b|aws:|\bhhi\b",
)


@pytest.fixture
def demo(db, demo_seeded_for_the_module):
    return Organisation.objects.get(name="Demo Buyer Ltd")


def _client_for(client, username):
    from django.contrib.auth import get_user_model

    client.force_login(get_user_model().objects.get(username=username))
    return client


@pytest.mark.pdf
def test_the_demo_board_pack_has_every_section_in_plain_words_with_the_demo_figures(demo, artifacts_dir):
    inputs = board_pack.board_pack_inputs(demo, today=timezone.localdate())
    data, pages = board_pack.board_pack_pdf(inputs)
    (artifacts_dir / "board-pack-demo.pdf").write_bytes(data)
    texts = pdf_text_pages(data)
    assert len(texts) == pages
    text = re.sub(r"\s+", " ", " ".join(texts))
    for heading in SECTIONS:
        assert heading in text, heading
    assert "{" not in text and "->" not in text and "}" not in text
    assert not CODES.search(text), CODES.search(text).group(0)
    # The demo's figures, in euros (its reporting currency): USD 2,400,000 at 0.92, GBP 180,000 at 1.17.
    assert "EUR 3,168,600" in text  # 210,600 + 400,000 + 2,208,000 + 350,000
    assert "EUR 2,208,000" in text and "EUR 210,600" in text
    # Four services: two approved, one rejected, one never assessed.
    assert "approved, 1 rejected, 0 still being assessed, 1 not assessed" in text
    assert board_pack.board_pack_context(inputs)["counts"] | {} == {
        "services": 4,
        "decided": 3,
        "approved": 2,
        "rejected": 1,
        "open": 0,
        "unassessed": 1,
        "high_or_worse": 2,
    }
    assert "Approved by Alex Approver (reviewer)" in text
    assert "Executive risk acceptance required (high residual)" in text
    # Both of the Frontier API's risk acceptances, with their expiry.
    assert "Floating model version for decisions about people" in text and "High residual risk" in text
    assert "1 more is requested and waiting for an approver" in text
    # The two conditions past their due date, and how late.
    assert "Contract must include 180 days' notice before go-live." in text and "5 days late" in text
    assert "The fallback region has never been failed over to" in text
    # Concentration: the index and the shared providers and regions.
    assert "5416 of 10,000: highly concentrated" in text
    assert "Rival AI data centre (Ohio)" in text and "United States" in text
    # The worst what-if exposure: every US site on 90 days' notice, all three US-run services.
    assert "Every site in United States gives 90 days' notice" in text and "EUR 2,818,600" in text
    assert half_empty_pages(data, top_mm=20, bottom_mm=18) == []


@pytest.mark.pdf
def test_rendering_a_pack_runs_no_queries_reads_fast_and_tags_it_for_screen_readers(demo, django_assert_num_queries):
    import tinyhtml5
    from pypdf import PdfReader

    from procurement.reports.pdf import _parse_xml

    def tree(e):
        return (e.tag, dict(e.attrib), e.text, e.tail, [tree(c) for c in e])

    inputs = board_pack.board_pack_inputs(demo, today=timezone.localdate())
    # The PDF pipeline reads well-formed HTML with expat (procurement/reports/pdf.py:parse_html): the
    # pack's markup must read as the tree tinyhtml5 builds, or every pack parses slowly.
    html = board_pack.board_pack_html(inputs)
    fast = _parse_xml(html)
    assert fast is not None
    assert tree(fast) == tree(tinyhtml5.parse(html, namespace_html_elements=False))
    with django_assert_num_queries(0):
        data, _ = board_pack.board_pack_pdf(inputs)
    reader = PdfReader(io.BytesIO(data))
    assert bool(reader.trailer["/Root"]["/MarkInfo"]["/Marked"])
    assert reader.trailer["/Root"]["/Lang"] == "en"
    assert "/StructTreeRoot" in reader.trailer["/Root"]


def test_spend_is_withheld_with_the_currencies_named_when_a_rate_is_missing(demo):
    CurrencyRate.objects.filter(organisation=demo, currency="GBP").delete()
    inputs = board_pack.board_pack_inputs(demo, today=timezone.localdate())
    assert inputs["spend"]["ok"] is False and inputs["spend"]["missing"] == ["GBP"]
    assert all(s["spend"] is None for s in inputs["services"])
    assert all(e["spend_at_risk"] is None for e in inputs["exposures"])
    html = re.sub(r"\s+", " ", board_pack.board_pack_html(inputs))
    assert "Spend is withheld throughout this pack" in html and "GBP (Pound Sterling)" in html
    assert "EUR 2,208,000" not in html and "concentration index is not computed" in html


def test_the_cache_key_changes_with_any_input_and_only_then(demo):
    today = timezone.localdate()
    first = board_pack.inputs_digest(board_pack.board_pack_inputs(demo, today=today))
    assert board_pack.inputs_digest(board_pack.board_pack_inputs(demo, today=today)) == first
    service = AIService.objects.get(name="Helpdesk Copilot")
    service.annual_spend += 1
    service.save()
    assert board_pack.inputs_digest(board_pack.board_pack_inputs(demo, today=today)) != first
    tomorrow = today + timezone.timedelta(days=1)  # what is overdue moves with the day
    assert board_pack.inputs_digest(board_pack.board_pack_inputs(demo, today=tomorrow)) != first


def test_generate_poll_and_download_the_way_the_page_does(demo, client, settings, django_capture_on_commit_callbacks):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    _client_for(client, "viewer")
    page = client.get(reverse("portfolio:index")).content.decode()
    assert "Board pack" in page and reverse("portfolio:board_pack_generate") in page
    with django_capture_on_commit_callbacks(execute=True):
        pending = client.post(reverse("portfolio:board_pack_generate")).content.decode()
    pack = BoardPack.objects.get()
    assert pack.status == "pending" and "being generated" in pending
    status_url = reverse("portfolio:board_pack_status", args=[pack.inputs_hash])
    # The page polls quickly at first, then once a second.
    assert f"{status_url}?n=1" in pending and "load delay:200ms" in pending
    later = client.get(status_url + "?n=40").content.decode()
    assert "being generated" in later and "load delay:1000ms" in later and "?n=41" in later
    board_pack.board_pack_render(pack.pk)  # the worker
    ready = client.get(status_url + "?n=2").content.decode()
    download = reverse("portfolio:board_pack_download", args=[pack.inputs_hash])
    assert "Download board pack" in ready and download in ready
    response = client.get(download)
    assert response.status_code == 200 and response.content.startswith(b"%PDF")
    assert "attachment" in response["Content-Disposition"]
    # Asked again with nothing changed: the same PDF, no new render.
    again = client.post(reverse("portfolio:board_pack_generate")).content.decode()
    assert download in again and BoardPack.objects.count() == 1


def test_a_failed_render_shows_the_reason_and_try_again(demo, client, settings, monkeypatch):
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.backend.DatabaseBackend"}}
    _client_for(client, "analyst")
    pack = board_pack.board_pack_request(organisation=demo, today=timezone.localdate())

    def broken(inputs):
        raise OSError(28, "No space left on device")

    monkeypatch.setattr(board_pack, "board_pack_pdf", broken)
    with pytest.raises(OSError):
        board_pack.board_pack_render(pack.pk)
    body = client.get(reverse("portfolio:board_pack_status", args=[pack.inputs_hash])).content.decode()
    assert "could not be generated" in body and "No space left on device" in body and "Try again" in body
    monkeypatch.undo()
    with pytest.MonkeyPatch.context() as m:
        m.setattr(settings, "TASKS", {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}})
        retried = board_pack.board_pack_request(organisation=demo, today=timezone.localdate())
    assert retried.pk == pack.pk and retried.status == "pending" and retried.error == ""


def test_another_organisations_pack_is_not_found(demo, client, other_org, django_user_model):
    from procurement.core.services import membership_set

    pack = board_pack.board_pack_request(organisation=demo, today=timezone.localdate())
    outsider = django_user_model.objects.create_user("elsewhere")
    membership_set(user=outsider, organisation=other_org, role="admin")
    client.force_login(outsider)
    assert client.get(reverse("portfolio:board_pack_status", args=[pack.inputs_hash])).status_code == 404
    assert client.get(reverse("portfolio:board_pack_download", args=[pack.inputs_hash])).status_code == 404
