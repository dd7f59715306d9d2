"""The API's contacts, contracts, supply chain, portfolio facts, evidence register, evidence
uploads and answer files: the pages' checks and services, answered in JSON. The small bank
throughout: the shipped bank is not the point here."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.assessments import services
from procurement.assessments.models import Assessment
from procurement.questionbank.services import bank_load
from procurement.vendors.models import (
    SOC2_CHECKLIST,
    ChainChange,
    Contract,
    Document,
    Provider,
    SupplyLink,
    VendorContact,
)
from tests.api.test_api import BASE, _json

pytestmark = pytest.mark.django_db


@pytest.fixture
def small(service, personas, small_bank_yaml):
    bank = bank_load(raw=small_bank_yaml, source="small").bank
    return services.assessment_create(service=service, bank=bank, by=personas["analyst"])


@pytest.fixture
def auth(personas, bearer):
    return bearer(personas["analyst"])


def _service_path(service) -> str:
    return f"/vendors/{service.vendor_id}/services/{service.pk}"


def test_contacts_are_added_with_the_pages_checks_and_listed_in_pages(client, service, auth):
    path = f"/vendors/{service.vendor_id}/contacts"
    made = _json(client, "post", path, auth, {"name": "Dana Reyes", "email": "dana@frontier.example", "role": "CISO"})
    assert made.status_code == 201 and made.json()["email"] == "dana@frontier.example"
    refused = _json(client, "post", path, auth, {"name": "No mail", "email": "not an address"})
    assert refused.status_code == 400 and "email" in refused.json()["errors"]
    listed = _json(client, "get", path + "?page_size=1", auth).json()
    assert listed["count"] == 1 and [c["name"] for c in listed["results"]] == ["Dana Reyes"]
    assert VendorContact.objects.count() == 1


def test_vendor_list_filters_and_refuses_an_unknown_status(client, service, auth):
    assert _json(client, "get", "/vendors?q=front", auth).json()["count"] == 1
    assert _json(client, "get", "/vendors?q=nothing-like-it", auth).json()["count"] == 0
    assert _json(client, "get", "/vendors?status=ended", auth).json()["count"] == 0
    wrong = _json(client, "get", "/vendors?status=gone", auth)
    assert wrong.status_code == 400 and "status" in wrong.json()["errors"]


def test_a_contract_is_recorded_with_its_dates_and_a_contradiction_changes_nothing(client, service, auth):
    path = _service_path(service) + "/contract"
    assert _json(client, "get", path, auth).status_code == 404
    body = {
        "buyer_party": "Acme Buyer",
        "vendor_party": "Frontier Lab",
        "start_date": "2025-01-01",
        "end_date": "2026-01-01",
        "auto_renews": True,
        "renewal_term_months": 12,
        "renewal_notice_days": 30,
    }
    made = _json(client, "put", path, auth, body)
    assert made.status_code == 201, made.content
    contract = made.json()
    assert contract["renewals"] >= 1 and contract["term_end"] > "2026-01-01" and contract["notice_by"]
    refused = _json(client, "put", path, auth, {**body, "end_date": "2024-06-01"})
    assert refused.status_code == 400 and "end_date" in refused.json()["errors"]
    assert Contract.objects.get(service=service).end_date == dt.date(2026, 1, 1)
    again = _json(client, "put", path, auth, {**body, "reference": "MSA-7"})
    assert again.status_code == 200 and again.json()["reference"] == "MSA-7"
    assert _json(client, "get", path, auth).json()["reference"] == "MSA-7"


def test_contract_documents_are_attached_once_and_taken_off(client, service, personas, auth):
    Contract.objects.create(
        service=service, buyer_party="Acme", vendor_party="Frontier", start_date=dt.date(2026, 1, 1)
    )
    path = _service_path(service) + "/contract/documents"
    dpa = {"kind": "dpa", "file": SimpleUploadedFile("dpa.pdf", b"%PDF-1.7 a DPA")}
    attached = client.post(BASE + path, data=dpa, **auth)
    assert attached.status_code == 201 and attached.json()["kind"] == "dpa"
    twice = client.post(
        BASE + path, data={"kind": "msa", "file": SimpleUploadedFile("again.pdf", b"%PDF-1.7 a DPA")}, **auth
    )
    assert twice.status_code == 400 and "already attached" in " ".join(twice.json()["errors"]["file"])
    wrong = client.post(BASE + path, data={"kind": "poem", "file": SimpleUploadedFile("b.txt", b"other")}, **auth)
    assert wrong.status_code == 400 and "kind" in wrong.json()["errors"]
    listed = _json(client, "get", _service_path(service) + "/contract", auth).json()["documents"]
    assert [d["name"] for d in listed] == ["dpa.pdf"]
    removed = _json(client, "delete", f"{path}/{attached.json()['id']}", auth)
    assert removed.status_code == 204
    assert _json(client, "get", _service_path(service) + "/contract", auth).json()["documents"] == []
    assert Document.objects.filter(vendor=service.vendor).count() == 1  # the vendor's document stays


def test_the_supply_chain_is_written_through_the_pages_services(client, service, small, personas, auth):
    made = _json(client, "post", "/providers", auth, {"name": "Neo GPU", "kind": "gpu_cloud", "country": "Ireland"})
    assert made.status_code == 201 and made.json()["country"] == "ie"
    clash = _json(client, "post", "/providers", auth, {"name": "neo gpu"})
    assert clash.status_code == 400 and "name" in clash.json()["errors"]
    neo = made.json()["id"]
    links = _service_path(service) + "/supply-chain/links"
    link = _json(client, "post", links, auth, {"provider": neo, "role": "inference_compute", "share": 100})
    assert link.status_code == 201, link.content
    # The page's history, by the token's user.
    assert ChainChange.objects.filter(service=service, by=personas["analyst"]).exists()
    chain = _json(client, "get", _service_path(service) + "/supply-chain", auth).json()
    assert [lk["provider_name"] for lk in chain["links"]] == ["Neo GPU"]
    assert chain["facts"]["largest_provider_share"] == 100 and chain["latest_assessment"] == small.pk
    # A provider that supplies itself is refused by the form, by field.
    loop = _json(client, "post", links, auth, {"source": str(neo), "provider": neo, "role": "network"})
    assert loop.status_code == 400 and "provider" in loop.json()["errors"]
    in_use = _json(client, "delete", f"/providers/{neo}", auth)
    assert in_use.status_code == 409 and "still in the supply chain" in in_use.json()["detail"]
    gone = _json(client, "delete", f"{links}/{link.json()['id']}", auth)
    assert gone.status_code == 204 and not SupplyLink.objects.exists()
    assert _json(client, "delete", f"/providers/{neo}", auth).status_code == 204
    assert not Provider.objects.exists()


def test_a_provider_change_of_owner_flags_the_current_assessment_for_reassessment(
    client, service, small, providers, auth
):
    SupplyLink.objects.create(service=service, provider=providers["cloud"], role="inference_compute")
    body = {"name": "Hyperscale Cloud", "kind": "hyperscaler", "owner": "Another Parent"}
    changed = _json(client, "put", f"/providers/{providers['cloud'].pk}", auth, body)
    assert changed.status_code == 200 and changed.json()["owner"] == "Another Parent"
    assert "Provider details changed" in Assessment.objects.get(pk=small.pk).reassess_reason


def test_portfolio_facts_name_the_shared_provider_and_its_concentration(client, org, service, providers, auth):
    second = service.vendor.services.create(name="Frontier Batch", annual_spend=1000, currency=org.reporting_currency)
    service.annual_spend, service.currency = 3000, org.reporting_currency
    service.save()
    for s in (service, second):
        SupplyLink.objects.create(service=s, provider=providers["cloud"], role="inference_compute", share=100)
    facts = _json(client, "get", "/portfolio", auth).json()
    assert facts["services"] == 2 and facts["services_with_chain"] == 2
    cloud = next(p for p in facts["providers"] if p["provider"]["id"] == providers["cloud"].pk)
    assert cloud["shared"] and cloud["count"] == 2 and cloud["spend"] == 4000
    assert facts["concentration"]["hhi"] == 10000 and facts["concentration"]["band"] == "highly concentrated"


def _upload(client, path, auth, **fields):
    return client.post(BASE + path, data=fields, **auth)


def test_evidence_is_uploaded_once_described_in_the_register_and_downloaded(client, service, small, auth):
    path = f"/assessments/{small.pk}/evidence"
    first = _upload(client, path, auth, question="OPS-01", file=SimpleUploadedFile("pentest.txt", b"Letter, 2026"))
    assert first.status_code == 201, first.content
    same = _upload(client, path, auth, question="OPS-01", file=SimpleUploadedFile("copy.txt", b"Letter, 2026"))
    assert same.status_code == 200 and same.json()["id"] == first.json()["id"]
    # The stored document linked to another answer: no second copy.
    linked = _upload(client, path, auth, question="OPS-02", document=first.json()["document"])
    assert linked.status_code == 201 and Document.objects.count() == 1
    listed = _json(client, "get", path + "?question=OPS-02", auth).json()
    assert listed["count"] == 1

    doc = first.json()["document"]
    register = f"/vendors/{service.vendor_id}/documents"
    wrong = _json(client, "put", f"{register}/{doc}", auth, {"kind": "pentest", "issued_on": "1999-02-30"})
    assert wrong.status_code == 400 and "issued_on" in wrong.json()["errors"]
    described = _json(client, "put", f"{register}/{doc}", auth, {"kind": "pentest", "issued_on": "2020-01-10"})
    assert described.status_code == 200, described.content
    assert described.json()["expiry_status"] == "expired" and described.json()["expires"] == "2021-01-10"
    assert _json(client, "get", register + "?expiry=expired", auth).json()["count"] == 1
    assert _json(client, "get", register + "?kind=soc2_type2", auth).json()["count"] == 0
    download = client.get(described.json()["download"], **auth)
    assert download.status_code == 200 and b"".join(download.streaming_content) == b"Letter, 2026"


def test_refused_evidence_says_why_by_field_and_stores_nothing(client, small, auth):
    path = f"/assessments/{small.pk}/evidence"
    exe = _upload(client, path, auth, question="OPS-01", file=SimpleUploadedFile("tool.pdf", b"MZ\x90\x00binary"))
    assert exe.status_code == 400 and "accepted" in " ".join(exe.json()["errors"]["file"])
    unknown = _upload(client, path, auth, question="NOPE-1", file=SimpleUploadedFile("a.txt", b"x"))
    assert unknown.status_code == 400 and "question" in unknown.json()["errors"]
    neither = _upload(client, path, auth, question="OPS-01")
    assert neither.status_code == 400 and "file" in neither.json()["errors"]
    Assessment.objects.filter(pk=small.pk).update(status=Assessment.Status.SUBMITTED)
    locked = _upload(client, path, auth, question="OPS-01", file=SimpleUploadedFile("a.txt", b"late"))
    assert locked.status_code == 409 and "locked" in locked.json()["detail"]
    assert not Document.objects.exists()


def test_an_upload_may_be_larger_than_a_json_body_but_not_than_the_upload_limit(client, small, auth, settings):
    settings.REQUEST_BODY_MAX_BYTES = 2000
    settings.UPLOAD_REQUEST_MAX_BYTES = 6000
    path = f"/assessments/{small.pk}/evidence"
    fits = _upload(client, path, auth, question="OPS-05", file=SimpleUploadedFile("r.txt", b"r" * 3000))
    assert fits.status_code == 201
    big = _upload(client, path, auth, question="OPS-05", file=SimpleUploadedFile("r.txt", b"s" * 7000))
    assert big.status_code == 413 and "too large" in big.json()["detail"]
    body = json.dumps({"name": "x" * 3000})
    assert _json(client, "post", f"/vendors/{small.service.vendor_id}/contacts", auth, body).status_code == 413


def test_an_answer_file_is_all_or_nothing(client, small, auth):
    path = f"/assessments/{small.pk}/answers/file"
    bad = {"file": SimpleUploadedFile("a.json", b'{"OPS-01": "yes", "OPS-02": "soon", "NOPE": 1}')}
    refused = client.post(BASE + path, data=bad, **auth)
    assert refused.status_code == 400
    problems = " ".join(refused.json()["errors"]["file"])
    assert "OPS-02" in problems and "NOPE" in problems
    assert not small.answers.exists()
    good = {"file": SimpleUploadedFile("a.csv", b"code,value,na_reason\nOPS-01,yes,\nOPS-02,120,\n")}
    imported = client.post(BASE + path, data=good, **auth)
    assert imported.status_code == 200 and imported.json()["imported"] == 2
    assert {a.question_code: a.value for a in small.answers.all()} == {"OPS-01": "yes", "OPS-02": 120}


def test_the_openapi_document_gives_every_answer_a_shape(client):
    schema = client.get(BASE + "/openapi.json").json()
    missing = []
    for path, operations in schema["paths"].items():
        for method, op in operations.items():
            for status, response in op["responses"].items():
                if int(status) == 204:
                    continue
                content = response.get("content", {})
                shape = next(iter(content.values()), {}).get("schema", {})
                if not shape or (shape.get("type") == "object" and not shape.get("properties")):
                    missing.append(f"{method.upper()} {path} {status}")
            if method != "get":
                assert {"400", "401", "403", "404", "429"} <= {str(s) for s in op["responses"]}, path
    assert missing == []


def test_a_soc2_review_needs_every_check_and_a_soc2_report(client, service, small, personas, bearer):
    analyst, reviewer = bearer(personas["analyst"]), bearer(personas["reviewer"])
    sent = _upload(
        client,
        f"/assessments/{small.pk}/evidence",
        analyst,
        question="OPS-01",
        file=SimpleUploadedFile("soc2.pdf", b"%PDF-1.7 SOC 2"),
    )
    path = f"/vendors/{service.vendor_id}/documents/{sent.json()['document']}"
    body = {"checks": dict.fromkeys(dict(SOC2_CHECKLIST), "yes"), "conclusion": "rely"}
    not_yet = _json(client, "post", path + "/soc2-reviews", reviewer, body)
    assert not_yet.status_code == 400 and "SOC 2 report" in not_yet.json()["detail"]
    described = {"kind": "soc2_type2", "period_start": "2026-01-01", "period_end": "2026-06-30"}
    assert _json(client, "put", path, analyst, described).status_code == 200
    short = _json(client, "post", path + "/soc2-reviews", reviewer, {**body, "checks": {"type_two": "yes"}})
    assert short.status_code == 400 and "checks.bridge_letter" in short.json()["errors"]
    recorded = _json(client, "post", path + "/soc2-reviews", reviewer, {**body, "check_notes": {"type_two": "Seen."}})
    assert recorded.status_code == 201, recorded.content
    review = recorded.json()
    assert review["reviewer"] == "reviewer" and review["checklist"][0]["note"] == "Seen."
    assert _json(client, "get", path + "/soc2-reviews", analyst).json()["count"] == 1
