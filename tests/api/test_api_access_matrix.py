"""Every API endpoint by every persona, with ids of the persona's own organisation's objects or
another's: the same answers as the pages (tests/test_access_matrix.py). Outsiders get 404 and
no data; no token gets 401; a role the page refuses gets 403. Each persona calls with a
read-and-write token, so what is refused here is refused by role, not by scope."""

import json

import pytest
from django.core.files.base import ContentFile

from procurement.assessments import services
from procurement.assessments.models import Assessment
from procurement.reports.models import ReportFile
from procurement.reports.services import report_current
from tests.api.test_api import BASE

pytestmark = pytest.mark.django_db

PERSONAS = ("anonymous", "outsider", "viewer", "analyst", "reviewer", "admin", "staff")
OK = "ok"  # allowed: 200, 201, 202, or a refusal of the input itself (400, 409)
ALLOWED = {200, 201, 202, 400, 409}

READ = {"anonymous": 401, "outsider": 404, "viewer": 200, "analyst": 200, "reviewer": 200, "admin": 200, "staff": 404}
EDIT = {**READ, "viewer": 403, "reviewer": 403, "analyst": OK, "admin": OK}
# Lists and creation with no id: each member sees or adds to their own organisation's.
ORG_LIST = {**READ, "outsider": 200}
ORG_CREATE = {**EDIT, "outsider": OK}
ANY_READER = {**READ, "viewer": OK, "analyst": OK, "reviewer": OK, "admin": OK}

# (method, path builder, body builder, expectations)
MATRIX = {
    # The schema is public (it names no object); the root only anchors the URLs.
    "api:openapi-json": ("get", lambda w: "/openapi.json", None, dict.fromkeys(PERSONAS, 200)),
    "api:api-root": ("get", lambda w: "/", None, dict.fromkeys(PERSONAS, 404)),
    "api:vendors": ("get", lambda w: "/vendors", None, ORG_LIST),
    "api:vendor_create": ("post", lambda w: "/vendors", lambda p: {"name": f"Made by {p}"}, ORG_CREATE),
    "api:services": ("get", lambda w: f"/vendors/{w['vendor'].pk}/services", None, READ),
    "api:service_create": (
        "post",
        lambda w: f"/vendors/{w['vendor'].pk}/services",
        lambda p: {"name": f"Service by {p}"},
        EDIT,
    ),
    "api:assessments": ("get", lambda w: "/assessments", None, ORG_LIST),
    # An outsider naming this organisation's service gets the form's "not one of the choices".
    "api:assessment_create": (
        "post",
        lambda w: "/assessments",
        lambda w: {"service": w["service"].pk, "bank": w["bank"].pk},
        {**EDIT, "outsider": 400},
    ),
    "api:assessment": ("get", lambda w: f"/assessments/{w['draft'].pk}", None, READ),
    "api:answers": ("get", lambda w: f"/assessments/{w['draft'].pk}/answers", None, READ),
    "api:section_answers": (
        "put",
        lambda w: f"/assessments/{w['draft'].pk}/sections/INT/answers",
        lambda w: {"revision": 0, "answers": {"INT-01": {"value": "experiment"}}},
        EDIT,
    ),
    "api:score": ("get", lambda w: f"/assessments/{w['draft'].pk}/score", None, READ),
    "api:report": ("get", lambda w: f"/assessments/{w['review'].pk}/report", None, READ),
    # As the page's "Generate PDF": any member who may read the assessment.
    "api:report_request": ("post", lambda w: f"/assessments/{w['review'].pk}/report", None, ANY_READER),
    "api:report_pdf": ("get", lambda w: f"/assessments/{w['review'].pk}/report/pdf", None, READ),
}


@pytest.fixture
def world(personas, shipped_version, complete_assessment, bearer):
    review = Assessment.objects.get(pk=complete_assessment.pk)  # its status as saved
    draft = services.assessment_create(service=review.service, bank=shipped_version.bank, by=personas["analyst"])
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
    return {
        "vendor": review.service.vendor,
        "service": review.service,
        "bank": shipped_version.bank,
        "draft": draft,
        "review": review,
        "auth": {p: bearer(personas[p]) for p in PERSONAS if p != "anonymous"} | {"anonymous": {}},
    }


def _call(client, world, persona, name):
    method, path, body, _ = MATRIX[name]
    kwargs = dict(world["auth"][persona])
    if body is not None:
        data = body(world) if name in ("api:assessment_create", "api:section_answers") else body(persona)
        kwargs |= {"data": json.dumps(data), "content_type": "application/json"}
    return getattr(client, method)(BASE + path(world), **kwargs)


def test_every_api_url_is_in_the_matrix():
    from tests.test_access_matrix import all_url_names

    assert sorted(n for n in all_url_names() if n.startswith("api:")) == sorted(MATRIX)


@pytest.mark.parametrize("persona", PERSONAS)
def test_api_access_matrix(client, world, persona):
    failures = []
    for name, (method, _, _, expectations) in MATRIX.items():
        response = _call(client, world, persona, name)
        expected = expectations[persona]
        if (expected == OK and response.status_code not in ALLOWED) or (
            expected != OK and response.status_code != expected
        ):
            failures.append(f"{method.upper()} {name}: {response.status_code}, expected {expected}")
    assert failures == []


@pytest.mark.parametrize("name", [n for n, (*_, e) in MATRIX.items() if e["outsider"] in (404, 400)])
def test_outsiders_get_nothing_of_another_organisation(client, world, name):
    response = _call(client, world, "outsider", name)
    body = response.content.decode(errors="ignore")
    assert response.status_code in (400, 404)
    assert "Frontier" not in body and "SUP-05" not in body and "INT-01" not in body


def test_outsiders_lists_hold_only_their_own_organisation(client, world):
    for name in ("api:vendors", "api:assessments"):
        response = _call(client, world, "outsider", name)
        assert response.status_code == 200 and response.json()["count"] == 0, name
