"""Contracts of AI services: validation that names the field, named constraints in the
database, the dates derived from them, the history of changes, documents through the vendor's
document store, and the deadlines selector."""

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction

from procurement.core.models import AuditEvent
from procurement.vendors.contracts import (
    contract_dates,
    contract_document_attach,
    contract_save,
    contract_scoring_facts,
    contract_snapshot,
)
from procurement.vendors.documents import upload_check
from procurement.vendors.models import AIService, Contract, ContractDocument, Document, Lifecycle, ServiceChange
from procurement.vendors.selectors import contract_deadlines
from tests.documents import pdf

pytestmark = pytest.mark.django_db

D = dt.date


def new_contract(service, **fields) -> Contract:
    values = {
        "reference": "MSA-2026-014",
        "buyer_party": "Acme Buyer",
        "vendor_party": "Frontier Lab Inc",
        "start_date": D(2026, 1, 1),
        "end_date": D(2027, 1, 1),
        "vendor_termination_notice_days": 90,
    }
    return Contract(service=service, **(values | fields))


def test_saving_a_contract_records_who_changed_what(service, personas):
    contract = contract_save(contract=new_contract(service), service=service, by=personas["analyst"])
    (created,) = ServiceChange.objects.filter(service=service)
    assert created.action == "created" and created.by_label == "analyst"
    assert {"field": "Vendor's termination notice (days)", "old": "—", "new": "90 days"} in created.fields
    contract.vendor_termination_notice_days = 30
    contract.end_date = D(2027, 6, 30)
    contract_save(contract=contract, service=service, by=personas["admin"])
    changed = ServiceChange.objects.filter(service=service, action="changed").get()
    assert changed.by == personas["admin"]
    assert {"field": "Vendor's termination notice (days)", "old": "90 days", "new": "30 days"} in changed.fields
    assert {"field": "End or renewal date", "old": "01 Jan 2027", "new": "30 Jun 2027"} in changed.fields
    assert AuditEvent.objects.filter(
        organisation=service.vendor.organisation, note__contains="contract changed"
    ).exists()
    contract_save(contract=contract, service=service, by=personas["admin"])  # nothing changed: nothing recorded
    assert ServiceChange.objects.filter(service=service).count() == 2


@pytest.mark.parametrize(
    ("fields", "field", "words"),
    [
        ({"end_date": D(2025, 12, 1)}, "end_date", "must be after the start date"),
        ({"end_date": D(2026, 1, 1)}, "end_date", "must be after the start date"),
        ({"renewal_notice_days": 400}, "renewal_notice_days", "longer than the contract's term"),
        ({"auto_renews": True, "end_date": None}, "end_date", "needs its renewal date"),
        (
            {"auto_renews": True, "renewal_term_months": 1, "renewal_notice_days": 60},
            "renewal_notice_days",
            "longer than each renewal",
        ),
        ({"vendor_termination_notice_days": -5}, "vendor_termination_notice_days", "cannot be negative"),
    ],
)
def test_contradicting_dates_and_notices_are_refused_naming_the_field(service, personas, fields, field, words):
    with pytest.raises(ValidationError) as caught:
        contract_save(contract=new_contract(service, **fields), service=service, by=personas["analyst"])
    assert any(words in m for m in caught.value.message_dict[field])
    assert not Contract.objects.exists() and not ServiceChange.objects.exists()


@pytest.mark.parametrize(
    ("fields", "constraint"),
    [
        ({"end_date": D(2025, 1, 1)}, "vendors_contract_end_after_start"),
        ({"auto_renews": True, "end_date": None}, "vendors_contract_renewal_has_date"),
        ({"spend_amount": Decimal("-1"), "spend_currency": "EUR"}, "vendors_contract_spend_nonneg"),
        ({"spend_amount": Decimal("10"), "spend_currency": ""}, "vendors_contract_spend_has_currency"),
        ({"renewal_term_months": 0}, "vendors_contract_renewal_term_1_120"),
    ],
)
def test_the_database_refuses_what_the_form_would(service, fields, constraint):
    with pytest.raises(IntegrityError, match=constraint), transaction.atomic():
        new_contract(service, **fields).save()


def test_an_automatic_renewal_moves_the_term_and_the_last_day_to_give_notice(service):
    contract = new_contract(service, auto_renews=True, renewal_notice_days=60, renewal_term_months=12)
    before = contract_dates(contract, today=D(2026, 6, 1))
    assert before.term_end == D(2027, 1, 1) and before.notice_by == D(2026, 11, 2) and before.renewals == 0
    after = contract_dates(contract, today=D(2027, 3, 1))
    assert after.term_end == D(2028, 1, 1) and after.notice_by == D(2027, 11, 2) and after.renewals == 1
    fixed = contract_dates(new_contract(service), today=D(2027, 3, 1))
    assert fixed.term_end == D(2027, 1, 1) and fixed.notice_by is None and fixed.ends


def test_the_snapshot_offers_the_rules_the_contracted_notice_figures(service, personas):
    assert contract_snapshot(service) is None and contract_scoring_facts(None) == {}
    contract_save(contract=new_contract(service, pass_through_notice_days=0), service=service, by=None)
    snapshot = contract_snapshot(service)
    assert snapshot["reference"] == "MSA-2026-014" and snapshot["end_date"] == "2027-01-01"
    assert contract_scoring_facts(snapshot) == {"contract_notice_days": 90.0, "contract_pass_through_days": 0.0}


def test_contract_documents_are_the_vendors_documents_stored_once(service, personas):
    contract = contract_save(contract=new_contract(service), service=service, by=personas["analyst"])
    data = pdf()
    checked = upload_check(SimpleUploadedFile("msa.pdf", data))
    link = contract_document_attach(contract=contract, checked=checked, kind="msa", by=personas["analyst"])
    assert link.document.vendor == service.vendor and link.document.content_type == "application/pdf"
    with pytest.raises(ValidationError, match="already attached"):
        contract_document_attach(
            contract=contract, checked=upload_check(SimpleUploadedFile("copy.pdf", data)), kind="dpa", by=None
        )
    assert Document.objects.count() == 1 and ContractDocument.objects.count() == 1
    assert ServiceChange.objects.filter(subject="Contract document msa.pdf").exists()


def test_contract_deadlines_list_notice_and_renewal_dates_until_a_day_and_skip_ended_services(service, personas, org):
    contract_save(
        contract=new_contract(service, auto_renews=True, renewal_notice_days=90, owner=personas["reviewer"]),
        service=service,
        by=None,
    )
    other = AIService.objects.create(vendor=service.vendor, name="Batch API")
    contract_save(contract=new_contract(other, reference="OF-7", end_date=D(2026, 12, 1)), service=other, by=None)
    rows = contract_deadlines(organisation=org, until=D(2027, 12, 31), today=D(2026, 6, 1))
    assert [(r.kind, r.date, r.service.name) for r in rows] == [
        ("contract_notice", D(2026, 10, 3), "Frontier API"),
        ("contract_end", D(2026, 12, 1), "Batch API"),
        ("contract_renewal", D(2027, 1, 1), "Frontier API"),
    ]
    assert rows[0].owner == personas["reviewer"] and rows[0].owner_label == "reviewer"
    assert rows[1].owner == service.vendor.owner  # no contract owner: the vendor's
    assert rows[0].url.endswith(f"/vendors/{service.vendor_id}/services/{service.pk}/#contract")
    assert len(contract_deadlines(organisation=org, until=D(2026, 11, 1), today=D(2026, 6, 1))) == 1
    AIService.objects.filter(pk=other.pk).update(
        status=Lifecycle.ENDED, ended_at=dt.datetime(2026, 6, 1, tzinfo=dt.UTC)
    )
    assert [
        r.service.name for r in contract_deadlines(organisation=org, until=D(2027, 12, 31), today=D(2026, 6, 1))
    ] == [
        "Frontier API",
        "Frontier API",
    ]
