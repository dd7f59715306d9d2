"""Every API endpoint by every persona, with ids of the persona's own organisation's objects or
another's: the same answers as the pages (tests/test_access_matrix.py). Outsiders get 404 and
no data; no token gets 401; a role the page refuses gets 403. Each persona calls with a
read-and-write token, so what is refused here is refused by role, not by scope."""

import datetime as dt
import json

import pytest
from django.contrib.auth import get_user_model
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile

from procurement.assessments import services
from procurement.assessments.evidence import evidence_store
from procurement.assessments.models import Assessment
from procurement.reports.models import ReportFile
from procurement.reports.services import report_current
from procurement.vendors.contracts import contract_document_attach
from procurement.vendors.documents import upload_check
from procurement.vendors.models import SOC2_CHECKLIST, Contract, SupplyLink
from tests.api.conftest import bearer_headers
from tests.api.test_api import BASE
from tests.conftest import (
    load_shipped_version,
    make_assessment,
    make_complete,
    make_org,
    make_personas,
    make_providers,
    make_service,
    module_world,
)

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "viewer", "analyst", "reviewer", "admin", "staff")
OK = "ok"  # allowed: 200, 201, 202, 204, or a refusal of the input itself (400, 409)
ALLOWED = {200, 201, 202, 204, 400, 409}

READ = {"anonymous": 401, "outsider": 404, "viewer": 200, "analyst": 200, "reviewer": 200, "admin": 200, "staff": 404}
EDIT = {**READ, "viewer": 403, "reviewer": 403, "analyst": OK, "admin": OK}
# Lists and creation with no id: each member sees or adds to their own organisation's.
ORG_LIST = {**READ, "outsider": 200}
ORG_CREATE = {**EDIT, "outsider": OK}
ANY_READER = {**READ, "viewer": OK, "analyst": OK, "reviewer": OK, "admin": OK}

SERVICE = "/vendors/{vendor}/services/{service}"


def _files(**fields):
    """A multipart body: each call gets a fresh file (the test client reads it once)."""
    return ("multipart", fields)


# name: (method, path template filled from the world's ids, body builder (world, persona) or None, expectations)
MATRIX = {
    # The schema is public (it names no object); the root only anchors the URLs.
    "api:openapi-json": ("get", "/openapi.json", None, dict.fromkeys(PERSONAS, 200)),
    "api:api-root": ("get", "/", None, dict.fromkeys(PERSONAS, 404)),
    "api:vendors": ("get", "/vendors", None, ORG_LIST),
    "api:vendor_create": ("post", "/vendors", lambda w, p: {"name": f"Made by {p}"}, ORG_CREATE),
    "api:vendor": ("get", "/vendors/{vendor}", None, READ),
    "api:services": ("get", "/vendors/{vendor}/services", None, READ),
    "api:service_create": ("post", "/vendors/{vendor}/services", lambda w, p: {"name": f"Service by {p}"}, EDIT),
    "api:contacts": ("get", "/vendors/{vendor}/contacts", None, READ),
    "api:contact_create": (
        "post",
        "/vendors/{vendor}/contacts",
        lambda w, p: {"name": f"Contact of {p}", "email": f"{p}@vendor.example"},
        EDIT,
    ),
    "api:contract": ("get", SERVICE + "/contract", None, READ),
    "api:contract_save": (
        "put",
        SERVICE + "/contract",
        lambda w, p: {"buyer_party": "Acme", "vendor_party": "Frontier", "start_date": "2026-01-01"},
        EDIT,
    ),
    "api:contract_document_add": (
        "post",
        SERVICE + "/contract/documents",
        lambda w, p: _files(kind="dpa", file=SimpleUploadedFile("dpa.txt", f"DPA from {p}".encode())),
        EDIT,
    ),
    "api:contract_document_remove": ("delete", SERVICE + "/contract/documents/{attachment}", None, EDIT),
    "api:supply_chain": ("get", SERVICE + "/supply-chain", None, READ),
    "api:link_create": (
        "post",
        SERVICE + "/supply-chain/links",
        lambda w, p: {"provider": w["unlinked"].pk, "role": "storage"},
        EDIT,
    ),
    "api:link_delete": ("delete", SERVICE + "/supply-chain/links/{link}", None, EDIT),
    "api:providers": ("get", "/providers", None, ORG_LIST),
    "api:provider_create": ("post", "/providers", lambda w, p: {"name": f"Provider by {p}"}, ORG_CREATE),
    "api:provider": ("get", "/providers/{provider}", None, READ),
    "api:provider_update": (
        "put",
        "/providers/{provider}",
        lambda w, p: {"name": "Hyperscale Cloud", "kind": "hyperscaler"},
        EDIT,
    ),
    "api:provider_delete": ("delete", "/providers/{spare}", None, EDIT),
    "api:portfolio": ("get", "/portfolio", None, ORG_LIST),
    "api:reviews": ("get", "/portfolio/reviews", None, ORG_LIST),
    "api:documents": ("get", "/vendors/{vendor}/documents", None, READ),
    "api:document": ("get", "/vendors/{vendor}/documents/{document}", None, READ),
    "api:document_file": ("get", "/vendors/{vendor}/documents/{document}/file", None, READ),
    "api:document_update": (
        "put",
        "/vendors/{vendor}/documents/{document}",
        lambda w, p: {"kind": "pentest", "issued_on": "2026-01-10"},
        EDIT,
    ),
    "api:soc2_reviews": ("get", "/vendors/{vendor}/documents/{document}/soc2-reviews", None, READ),
    # As the SOC 2 review page: admins, analysts and reviewers, not viewers.
    "api:soc2_review_create": (
        "post",
        "/vendors/{vendor}/documents/{document}/soc2-reviews",
        lambda w, p: {"checks": dict.fromkeys(dict(SOC2_CHECKLIST), "yes"), "conclusion": "rely"},
        {**EDIT, "reviewer": OK},
    ),
    "api:assessments": ("get", "/assessments", None, ORG_LIST),
    # An outsider naming this organisation's service gets the form's "not one of the choices".
    "api:assessment_create": (
        "post",
        "/assessments",
        lambda w, p: {"service": w["service"].pk, "bank": w["bank"].pk},
        {**EDIT, "outsider": 400},
    ),
    "api:assessment": ("get", "/assessments/{draft}", None, READ),
    "api:answers": ("get", "/assessments/{draft}/answers", None, READ),
    "api:section_answers": (
        "put",
        "/assessments/{draft}/sections/INT/answers",
        lambda w, p: {"revision": 0, "answers": {"INT-01": {"value": "experiment"}}},
        EDIT,
    ),
    "api:answers_import": (
        "post",
        "/assessments/{draft}/answers/file",
        lambda w, p: _files(file=SimpleUploadedFile("answers.json", b'{"INT-01": "experiment"}')),
        EDIT,
    ),
    "api:evidence": ("get", "/assessments/{draft}/evidence", None, READ),
    "api:evidence_upload": (
        "post",
        "/assessments/{draft}/evidence",
        lambda w, p: _files(question="INT-02", file=SimpleUploadedFile("note.txt", f"from {p}".encode())),
        EDIT,
    ),
    "api:score": ("get", "/assessments/{draft}/score", None, READ),
    "api:report": ("get", "/assessments/{review}/report", None, READ),
    # As the page's "Generate PDF": any member who may read the assessment.
    "api:report_request": ("post", "/assessments/{review}/report", None, ANY_READER),
    "api:report_pdf": ("get", "/assessments/{review}/report/pdf", None, READ),
}
WRITES = [name for name, (method, *_) in MATRIX.items() if method != "get"]


def _module_world() -> dict:
    """The world, built once for the module's tests, each test with its own copy (module_world)."""
    org, other_org = make_org(), make_org(name="Other Corp", slug="other")
    personas = make_personas(get_user_model(), org, other_org)
    shipped = load_shipped_version()
    complete = make_complete(make_assessment(make_service(org, personas), shipped, personas), personas)
    world = _build_world(personas, shipped, complete, make_providers(org), bearer_headers)
    return {**world, "org": org, "other_org": other_org, "personas": personas}


module_world_rows, world, org, other_org, personas = module_world(_module_world, "org", "other_org", "personas")


def _build_world(personas, shipped_version, complete_assessment, providers, bearer):
    review = Assessment.objects.get(pk=complete_assessment.pk)  # its status as saved
    service = review.service
    draft = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    contract = Contract.objects.create(
        service=service, buyer_party="Acme Buyer", vendor_party="Frontier Lab", start_date=dt.date(2026, 1, 1)
    )
    attachment = contract_document_attach(
        contract=contract,
        checked=upload_check(SimpleUploadedFile("msa.txt", b"Frontier Lab MSA")),
        kind="msa",
        by=personas["analyst"],
    )
    link = SupplyLink.objects.create(service=service, provider=providers["cloud"], role="inference_compute")
    evidence = evidence_store(
        assessment=draft,
        question_code="INT-01",
        upload=SimpleUploadedFile("policy.txt", b"Frontier Lab policy"),
        by=personas["analyst"],
        field="doc-INT-01",
    )
    # The report last: the chain and contract above are part of the record it is of.
    record, digest, _ = report_current(review)
    from procurement.reports.services import REPORT_FORMAT

    report = ReportFile(
        assessment=review,
        content_hash=digest,
        format_version=REPORT_FORMAT,
        record=record,
        status=ReportFile.Status.READY,
        pages=1,
    )
    report.file.save(f"{digest}.pdf", ContentFile(b"%PDF-1.7 placeholder"), save=False)
    report.save()
    ids = {
        "vendor": service.vendor_id,
        "service": service.pk,
        "draft": draft.pk,
        "review": review.pk,
        "link": link.pk,
        "provider": providers["cloud"].pk,
        "spare": providers["neo"].pk,
        "document": evidence.document_id,
        "attachment": attachment.pk,
    }
    return {
        "ids": ids,
        "service": service,
        "bank": shipped_version.bank,
        "unlinked": providers["rival"],
        "auth": {p: bearer(personas[p]) for p in PERSONAS if p != "anonymous"} | {"anonymous": {}},
    }


def _call(client, world, persona, name, auth=None):
    method, path, body, _ = MATRIX[name]
    kwargs = dict(world["auth"][persona] if auth is None else auth)
    if body is not None:
        data = body(world, persona)
        if isinstance(data, tuple):  # multipart
            kwargs |= {"data": data[1]}
        else:
            kwargs |= {"data": json.dumps(data), "content_type": "application/json"}
    return getattr(client, method)(BASE + path.format(**world["ids"]), **kwargs)


def test_every_api_url_is_in_the_matrix():
    from tests.test_access_matrix import all_url_names

    assert sorted(n for n in all_url_names() if n.startswith("api:")) == sorted(MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_access_matrix(client, world, persona):
    failures = []
    # Reads first: the writes change the chain and contract that the report's record is of.
    for name, (method, _, _, expectations) in sorted(MATRIX.items(), key=lambda item: item[1][0] != "get"):
        response = _call(client, world, persona, name)
        expected = expectations[persona]
        if (expected == OK and response.status_code not in ALLOWED) or (
            expected != OK and response.status_code != expected
        ):
            failures.append(f"{method.upper()} {name}: {response.status_code}, expected {expected}")
    assert failures == []


def test_outsiders_get_nothing_of_another_organisation(client, world):
    """Every endpoint that names one of this organisation's objects, called by another
    organisation's admin: 404 (or the form's 400), and not a word of the object. One world for
    all of them: building it per endpoint cost over a second each."""
    leaks = []
    for name in [n for n, (*_, e) in MATRIX.items() if e["outsider"] in (404, 400)]:
        response = _call(client, world, "outsider", name)
        body = response.content.decode(errors="ignore")
        if response.status_code not in (400, 404) or any(w in body for w in ("Frontier", "SUP-05", "INT-01")):
            leaks.append(f"{name}: {response.status_code} {body[:80]}")
    assert leaks == []


def test_outsiders_lists_hold_only_their_own_organisation(client, world):
    for name in ("api:vendors", "api:assessments", "api:providers", "api:reviews"):
        response = _call(client, world, "outsider", name)
        assert response.status_code == 200 and response.json()["count"] == 0, name
    portfolio = _call(client, world, "outsider", "api:portfolio").json()
    assert portfolio["services"] == 0 and portfolio["providers"] == []


def test_a_read_token_writes_nothing_anywhere(client, world, personas, bearer):
    """Every write endpoint refuses an admin's read-only token with 403, before it changes anything."""
    read_only = bearer(personas["admin"], scope="read")
    before = _counts()
    refused = {name: _call(client, world, "admin", name, auth=read_only).status_code for name in WRITES}
    assert refused == dict.fromkeys(WRITES, 403)
    assert _counts() == before


def _counts() -> dict:
    from procurement.assessments.models import Answer, Evidence
    from procurement.core.models import ApiRateCount
    from procurement.vendors.models import ContractDocument, Document, Provider, Vendor, VendorContact

    models = (Answer, Evidence, Document, ContractDocument, Provider, Vendor, VendorContact, SupplyLink, Contract)
    models += (ReportFile, ApiRateCount)
    return {m.__name__: m.objects.count() for m in models}


MULTIPART = {"api:answers_import", "api:evidence_upload", "api:contract_document_add"}
JSON_WRITES = [n for n in WRITES if MATRIX[n][2] is not None and n not in MULTIPART]


def test_malformed_json_gets_400_with_a_message_on_every_json_write(client, world):
    """Each write that takes JSON answers a broken body with 400 and a message, writing nothing."""
    before = _counts()
    answers = {}
    for name in JSON_WRITES:
        method, path, *_ = MATRIX[name]
        response = getattr(client, method)(
            BASE + path.format(**world["ids"]),
            data='{"name": ',
            content_type="application/json",
            **world["auth"]["admin"],
        )
        answers[name] = (response.status_code, bool(response.json().get("detail")))
    assert answers == dict.fromkeys(JSON_WRITES, (400, True))
    assert {k: v for k, v in _counts().items() if k != "ApiRateCount"} == {
        k: v for k, v in before.items() if k != "ApiRateCount"
    }
