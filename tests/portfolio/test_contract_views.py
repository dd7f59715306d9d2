"""The contract on the service page: recording it, bad input refused with a message naming the
field while the saved contract stays as it was, documents attached through the vendor's
document store, and the contracted notice reaching the score and the frozen record."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.assessments.records import record_build
from procurement.assessments.selectors import scoring_input
from procurement.reports.context import report_context_from_record
from procurement.scoring.engine import score
from procurement.vendors.models import Contract, ContractDocument, Document
from tests.documents import docx, pdf

pytestmark = pytest.mark.django_db

FORM = {
    "reference": "MSA-2026-014",
    "buyer_party": "Acme Buyer Ltd",
    "vendor_party": "Frontier Lab Inc",
    "start_date": "2026-01-01",
    "end_date": "2027-01-01",
    "auto_renews": "on",
    "renewal_term_months": "12",
    "renewal_notice_days": "60",
    "buyer_termination_notice_days": "30",
    "vendor_termination_notice_days": "30",
    "pass_through_notice_days": "",
    "spend_amount": "€20k",
    "spend_currency": "EUR",
    "spend_period": "month",
}


def url(service, name="vendors:contract_edit"):
    return reverse(name, args=[service.vendor_id, service.pk])


def test_an_analyst_records_the_contract_and_the_service_page_shows_it(login, personas, service):
    client = login(personas["analyst"])
    form = client.get(url(service)).content.decode()
    assert 'value="Acme Buyer"' in form and 'value="Frontier Lab"' in form  # the parties pre-filled
    response = client.post(url(service), FORM)
    assert response.status_code == 302
    contract = Contract.objects.get(service=service)
    assert contract.spend_amount == 20000 and contract.spend_currency == "EUR" and contract.auto_renews
    page = client.get(service.get_absolute_url()).content.decode()
    assert "MSA-2026-014" in page and "EUR 20,000 per month" in page
    assert "Last day to give notice" in page and "renews automatically every 12" in page
    assert "Contract and status history" in page and "Vendor&#x27;s termination notice (days)" in page


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"end_date": "2025-06-01"}, "must be after the start date"),
        ({"renewal_notice_days": "500"}, "longer than the contract&#x27;s term"),
        ({"vendor_termination_notice_days": "-30"}, "Vendor&#x27;s termination notice (days) cannot be negative"),
        ({"buyer_termination_notice_days": "ninety"}, "Our termination notice (days): enter a whole number"),
        ({"start_date": "31/02/2026"}, "Start date is not a date"),
        ({"spend_amount": "-5"}, "amounts cannot be negative"),
        ({"spend_amount": "USD 5", "spend_currency": "EUR"}, "The amount says USD but the currency chosen is EUR"),
    ],
)
def test_bad_input_is_refused_naming_the_field_and_the_saved_contract_stays(login, personas, service, change, message):
    client = login(personas["analyst"])
    client.post(url(service), FORM)
    response = client.post(url(service), FORM | {"reference": "MSA-2026-099"} | change)
    body = response.content.decode()
    assert response.status_code == 400 and message in body
    assert 'value="MSA-2026-099"' in body  # what was typed comes back
    contract = Contract.objects.get(service=service)
    assert contract.reference == "MSA-2026-014" and contract.end_date == dt.date(2027, 1, 1)


def test_viewers_and_reviewers_cannot_change_the_contract(login, personas, service):
    for persona in ("viewer", "reviewer"):
        assert login(personas[persona]).post(url(service), FORM).status_code == 403
    assert not Contract.objects.exists()


def test_documents_attach_through_the_vendor_document_store(login, personas, service):
    client = login(personas["analyst"])
    client.post(url(service), FORM)
    add = url(service, "vendors:contract_document_add")
    client.post(add, {"kind": "msa", "file": SimpleUploadedFile("msa.pdf", pdf())})
    client.post(add, {"kind": "dpa", "file": SimpleUploadedFile("dpa.docx", docx())})
    refused = client.post(
        add, {"kind": "order_form", "file": SimpleUploadedFile("x.html", b"<html></html>")}, follow=True
    )
    assert "Only PDF" in refused.content.decode()
    assert sorted(ContractDocument.objects.values_list("kind", flat=True)) == ["dpa", "msa"]
    assert Document.objects.filter(vendor=service.vendor).count() == 2
    link = ContractDocument.objects.get(kind="msa")
    download = client.get(reverse("vendors:contract_document", args=[service.vendor_id, service.pk, link.pk]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"
    client.post(reverse("vendors:contract_document_remove", args=[service.vendor_id, service.pk, link.pk]))
    assert ContractDocument.objects.count() == 1 and Document.objects.filter(pk=link.document_id).exists()


def test_the_contracted_notice_reaches_the_score_the_record_and_the_report(login, personas, complete_assessment):
    service = complete_assessment.service
    before = score(scoring_input(complete_assessment))
    login(personas["analyst"]).post(url(service), FORM | {"vendor_termination_notice_days": "20"})
    inp = scoring_input(complete_assessment)
    assert inp.facts["contract_notice_days"] == 20
    after = score(inp)
    hit = next(h for h in after.knockouts + after.flags if h.name == "notice_gap")
    assert hit.compared["reliable_notice_days"] == 20
    assert any(r.startswith("The contract gives 20 days' notice; the vendor's answer said") for r in hit.reasons)
    assert before != after
    record = record_build(complete_assessment)
    assert record["supply_chain"]["contract"]["vendor_notice_days"] == 20
    ctx = report_context_from_record(record)
    assert ctx["supply"]["contract"]["shorter_than_answer"]
    assert ctx["supply"]["contract"]["vendor_notice"].startswith("20 days, less than the")
    assert ctx["supply"]["notice_gap"]["compared"]["reliable_notice_days"] == 20


def test_a_record_frozen_before_contracts_renders_without_one(complete_assessment):
    record = record_build(complete_assessment)
    del record["supply_chain"]["contract"]
    assert report_context_from_record(record)["supply"]["contract"] is None
