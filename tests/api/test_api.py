"""The REST API end to end: a token, an assessment, answers, the score, the PDF; and bad input."""

import datetime as dt
import json

import pytest
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from procurement.assessments.models import Assessment
from procurement.core import tokens
from procurement.core.models import ApiToken, AuditEvent
from procurement.reports import services as reports
from procurement.reports.models import ReportFile

pytestmark = pytest.mark.django_db

BASE = "/api/v1"


def _json(client, method, path, headers, body=None):
    kwargs = {"content_type": "application/json", **headers}
    if body is not None:
        kwargs["data"] = body if isinstance(body, str) else json.dumps(body)
    return getattr(client, method)(BASE + path, **kwargs)


def test_round_trip_from_token_to_pdf(
    client, personas, service, shipped_version, decided, bearer, django_capture_on_commit_callbacks
):
    auth = bearer(personas["analyst"])
    created = _json(client, "post", "/assessments", auth, {"service": service.pk, "bank": shipped_version.bank_id})
    assert created.status_code == 201, created.content
    pk = created.json()["id"]
    assert created.json()["status"] == "draft"

    answers = _json(client, "get", f"/assessments/{pk}/answers", auth).json()
    intake = next(s for s in answers["sections"] if s["code"] == "INT")
    assert intake["revision"] == 0
    saved = _json(
        client,
        "put",
        f"/assessments/{pk}/sections/INT/answers",
        auth,
        {
            "revision": 0,
            "answers": {"INT-01": {"value": "productivity"}, "INT-05": {"value": 40}, "INT-07": {"value": ["gdpr"]}},
        },
    )
    assert saved.status_code == 200, saved.content
    assert saved.json()["revision"] == 1 and saved.json()["status"] == "in_progress"
    stored = {a.question_code: a.value for a in Assessment.objects.get(pk=pk).answers.all()}
    assert stored == {"INT-01": "productivity", "INT-05": 40, "INT-07": ["gdpr"]}

    score = _json(client, "get", f"/assessments/{pk}/score", auth).json()
    assert score["incomplete"] is True and "decision" in score
    detail = _json(client, "get", f"/assessments/{pk}", auth).json()
    assert detail["live"]["recommendation"] == score["decision"]
    assert detail["decision"] is None

    # The decided assessment's report: asked for, rendered by the worker, downloaded.
    status = _json(client, "get", f"/assessments/{decided.pk}/report", auth).json()
    assert status["state"] in ("none", "pending")
    with django_capture_on_commit_callbacks(execute=False):
        asked = _json(client, "post", f"/assessments/{decided.pk}/report", auth)
    assert asked.status_code == 202 and asked.json()["state"] == "pending"
    reports.report_render(ReportFile.objects.get(assessment=decided, content_hash=asked.json()["record_hash"]).pk)
    status = _json(client, "get", f"/assessments/{decided.pk}/report", auth).json()
    assert status["state"] == "ready"
    pdf = client.get(status["pdf"], **auth)
    assert pdf.status_code == 200 and pdf["Content-Type"] == "application/pdf"
    assert pdf.content.startswith(b"%PDF")
    decided_detail = _json(client, "get", f"/assessments/{decided.pk}", auth).json()
    assert decided_detail["decision"]["outcome"] == "rejected"


def test_a_stale_section_write_changes_nothing_and_says_the_current_revision(client, personas, assessment, bearer):
    auth = bearer(personas["analyst"])
    path = f"/assessments/{assessment.pk}/sections/INT/answers"
    assert (
        _json(client, "put", path, auth, {"revision": 0, "answers": {"INT-01": {"value": "experiment"}}}).status_code
        == 200
    )
    late = _json(client, "put", path, auth, {"revision": 0, "answers": {"INT-01": {"value": "embedded"}}})
    assert late.status_code == 409 and late.json()["current_revision"] == 1
    assert assessment.answers.get(question_code="INT-01").value == "experiment"


def test_refused_answers_come_back_by_question_and_nothing_is_written(client, personas, assessment, bearer):
    auth = bearer(personas["analyst"])
    body = {
        "revision": 0,
        "answers": {
            "INT-01": {"value": "productivity"},
            "INT-05": {"value": 99999},
            "INT-02": {"value": "no-such-choice"},
            "INT-06": {"na": True},
        },
    }
    refused = _json(client, "put", f"/assessments/{assessment.pk}/sections/INT/answers", auth, body)
    assert refused.status_code == 400
    errors = refused.json()["errors"]
    assert set(errors) == {"INT-05", "INT-02", "INT-06"}
    assert "8760" in " ".join(errors["INT-05"])
    assert not assessment.answers.exists()


def test_a_question_of_another_section_is_refused(client, personas, assessment, bearer):
    auth = bearer(personas["analyst"])
    body = {"revision": 0, "answers": {"SUP-01": {"value": "full_list"}}}
    refused = _json(client, "put", f"/assessments/{assessment.pk}/sections/INT/answers", auth, body)
    assert refused.status_code == 400 and "SUP-01" in refused.json()["errors"]


def test_list_filters_by_status_and_vendor_and_pages(client, personas, assessment, decided, bearer):
    auth = bearer(personas["viewer"], scope="read")
    everything = _json(client, "get", "/assessments?page_size=1", auth).json()
    assert everything["count"] == 2 and everything["pages"] == 2 and len(everything["results"]) == 1
    rejected = _json(client, "get", "/assessments?status=rejected", auth).json()
    assert [r["id"] for r in rejected["results"]] == [decided.pk]
    by_vendor = _json(client, "get", f"/assessments?vendor={assessment.service.vendor_id}", auth).json()
    assert [r["id"] for r in by_vendor["results"]] == [assessment.pk]
    by_service = _json(client, "get", f"/assessments?service={assessment.service_id}", auth).json()
    assert [r["id"] for r in by_service["results"]] == [assessment.pk]
    wrong = _json(client, "get", "/assessments?status=nonsense", auth)
    assert wrong.status_code == 400 and "status" in wrong.json()["errors"]


def test_vendor_and_service_create_use_the_pages_validation(client, personas, bearer):
    auth = bearer(personas["analyst"])
    made = _json(client, "post", "/vendors", auth, {"name": "Northwind AI"})
    assert made.status_code == 201
    again = _json(client, "post", "/vendors", auth, {"name": "northwind ai"})
    assert again.status_code == 400 and "name" in again.json()["errors"]
    vendor = made.json()["id"]
    service = _json(client, "post", f"/vendors/{vendor}/services", auth, {"name": "Northwind Chat"})
    assert service.status_code == 201, service.content
    listed = _json(client, "get", f"/vendors/{vendor}/services", auth).json()
    assert [s["name"] for s in listed["results"]] == ["Northwind Chat"] and listed["count"] == 1
    blank = _json(client, "post", f"/vendors/{vendor}/services", auth, {})
    assert blank.status_code == 400 and "name" in blank.json()["errors"]


@pytest.mark.parametrize(
    "header",
    ["", "Bearer pat_forged-not-a-real-token", "Bearer ", "Basic dXNlcjpwYXNz", "Bearer \x00"],
    ids=["none", "forged", "empty", "basic", "nul"],
)
def test_no_or_a_forged_token_gets_401_json(client, personas, header):
    headers = {"HTTP_AUTHORIZATION": header} if header else {}
    response = client.get(BASE + "/assessments", **headers)
    assert response.status_code == 401
    assert response["Content-Type"].startswith("application/json") and "detail" in response.json()


def test_an_expired_or_revoked_token_gets_401(client, personas, bearer):
    auth = bearer(personas["viewer"], scope="read")
    assert client.get(BASE + "/vendors", **auth).status_code == 200
    token = ApiToken.objects.get(user=personas["viewer"])
    ApiToken.objects.filter(pk=token.pk).update(
        created_at=timezone.now() - dt.timedelta(days=2), expires_at=timezone.now() - dt.timedelta(seconds=1)
    )
    assert client.get(BASE + "/vendors", **auth).status_code == 401
    ApiToken.objects.filter(pk=token.pk).update(
        expires_at=timezone.now() + dt.timedelta(days=1), revoked_at=timezone.now()
    )
    assert client.get(BASE + "/vendors", **auth).status_code == 401


def test_a_read_token_cannot_write(client, personas, service, shipped_version, bearer):
    auth = bearer(personas["analyst"], scope="read")
    refused = _json(client, "post", "/assessments", auth, {"service": service.pk, "bank": shipped_version.bank_id})
    assert refused.status_code == 403 and "read-only" in refused.json()["detail"]
    assert not Assessment.objects.exists()


def test_a_role_that_may_not_edit_gets_403_even_with_a_write_token(client, personas, bearer):
    refused = _json(client, "post", "/vendors", bearer(personas["viewer"]), {"name": "X"})
    assert refused.status_code == 403


def test_malformed_json_gets_400_with_a_message(client, personas, bearer):
    refused = _json(client, "post", "/vendors", bearer(personas["analyst"]), '{"name": ')
    assert refused.status_code == 400 and refused.json()["detail"]


def test_an_id_filter_past_64_bits_gets_400_json_not_a_500(client, personas, bearer):
    # The red team's 500: the database cannot compare a 23-digit id.
    for name in ("vendor", "service"):
        refused = client.get(f"/api/v1/assessments?{name}=99999999999999999999999", **bearer(personas["viewer"]))
        assert refused.status_code == 400 and name in refused.json()["errors"]


def test_a_body_of_the_wrong_shape_gets_400_by_field(client, personas, assessment, bearer):
    auth = bearer(personas["analyst"])
    refused = _json(client, "put", f"/assessments/{assessment.pk}/sections/INT/answers", auth, {"answers": []})
    assert refused.status_code == 400 and {"revision", "answers"} <= set(refused.json()["errors"])


def test_an_oversized_body_is_refused(client, personas, bearer, settings):
    body = json.dumps({"name": "x" * (settings.REQUEST_BODY_MAX_BYTES + 10)})
    refused = _json(client, "post", "/vendors", bearer(personas["analyst"]), body)
    assert refused.status_code == 413 and "too large" in refused.json()["detail"]


def test_writes_are_rate_limited_per_token(client, personas, bearer, monkeypatch):
    # A limit of 3: 60 writes took seconds on a loaded host and could straddle a minute, whose
    # new count let the 61st through.
    monkeypatch.setattr(tokens, "WRITES_PER_MINUTE", 3)
    auth = bearer(personas["analyst"])
    for i in range(tokens.WRITES_PER_MINUTE):
        assert _json(client, "post", "/vendors", auth, {"name": f"V{i}"}).status_code == 201
    over = _json(client, "post", "/vendors", auth, {"name": "one too many"})
    assert over.status_code == 429
    # Another token of the same person has its own count; reads are not counted.
    assert _json(client, "post", "/vendors", bearer(personas["analyst"]), {"name": "other token"}).status_code == 201
    assert client.get(BASE + "/vendors", **auth).status_code == 200


def test_an_unknown_path_or_method_under_the_api_is_answered_in_json(client, personas, bearer):
    auth = bearer(personas["analyst"])
    unknown = client.get(BASE + "/no-such-thing", **auth)
    assert unknown.status_code == 404 and "openapi.json" in unknown.json()["detail"]
    wrong = client.patch(BASE + "/vendors", **auth)
    assert wrong.status_code == 405 and "PATCH" in wrong.json()["detail"] and "POST" in wrong["Allow"]
    # Pages keep their HTML 404.
    assert client.get("/no-such-page/")["Content-Type"].startswith("text/html")


def test_the_schema_is_served_without_a_token(client):
    schema = client.get(BASE + "/openapi.json")
    assert schema.status_code == 200
    assert "/api/v1/assessments/{assessment_id}/sections/{section}/answers" in schema.json()["paths"]


def test_last_use_is_noted(client, personas, bearer):
    auth = bearer(personas["viewer"], scope="read")
    client.get(BASE + "/vendors", **auth)
    assert ApiToken.objects.get(user=personas["viewer"]).last_used_at is not None
    assert not AuditEvent.objects.filter(note__contains="revoked").exists()


JSON_JUNK = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(),
        st.floats(allow_nan=False),
        st.text(max_size=20),
        st.sampled_from(["experiment", "gdpr", "1e309", "\x00", "9" * 40, "2026-02-30", "-1"]),
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=5), inner, max_size=3),
    max_leaves=6,
)
CODES = st.sampled_from(["INT-01", "INT-05", "INT-07", "INT-10", "SUP-16", "NOPE", "INT-01\x00"])


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(answers=st.dictionaries(CODES, st.fixed_dictionaries({"value": JSON_JUNK}, optional={"na": JSON_JUNK})))
def test_junk_answers_never_500_and_a_refusal_writes_nothing(client, personas, assessment, bearer, answers):
    before = list(assessment.answers.values_list("question_code", "value"))
    response = _json(
        client,
        "put",
        f"/assessments/{assessment.pk}/sections/INT/answers",
        bearer(personas["admin"]),
        {
            "revision": assessment.section_revisions.filter(section_code="INT")
            .values_list("revision", flat=True)
            .first()
            or 0,
            "answers": answers,
        },
    )
    assert response.status_code in (200, 400), response.content
    assert response["Content-Type"].startswith("application/json")
    if response.status_code == 400:
        assert response.json()["detail"]
        assert list(assessment.answers.values_list("question_code", "value")) == before
