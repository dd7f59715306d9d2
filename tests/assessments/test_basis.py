"""What an answer rests on (its basis): said by whoever answers, lifted by an attached document,
confirmed by a reviewer, counted in the score only once confirmed, kept in the record."""

import re

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.models import Answer, AnswerChange
from procurement.assessments.records import record_build
from procurement.assessments.selectors import assessment_score
from procurement.assessments.services import AnswerInput
from procurement.questionbank.services import bank_load
from procurement.vendors.models import AIService, Vendor
from tests.conftest import SMALL_BANK

pytestmark = pytest.mark.django_db

# The small bank with the self-attested point on: OPS-01 is a critical yes/no question.
BANK = SMALL_BANK.replace("    tier: {domains: [IN-01]}", "    tier: {domains: [IN-01]}\n    self_attested_point: true")


@pytest.fixture
def small(org, personas):
    version = bank_load(raw=BANK, source="small").version
    vendor = Vendor.objects.create(organisation=org, name="Frontier Lab", owner=personas["analyst"])
    service = AIService.objects.create(vendor=vendor, name="Frontier API")
    a = services.assessment_create(service=service, bank=version.bank, by=personas["analyst"])
    services.answers_save(
        assessment=a,
        values={
            "IN-01": AnswerInput(value="low"),
            "OPS-01": AnswerInput(value="yes"),
            "OPS-02": AnswerInput(value=120),
            "OPS-03": AnswerInput(value="other_cloud"),
            "OPS-04": AnswerInput(value="2030-01-01"),
            "OPS-05": AnswerInput(value="Fail over to the second cloud."),
        },
        by=personas["analyst"],
        base_revisions=None,
    )
    return a


def _ops_01(assessment) -> Answer:
    return assessment.answers.get(question_code="OPS-01")


def _points(assessment, code="OPS-01"):
    q = next(q for q in assessment_score(assessment).questions if q.code == code)
    return q.points, q.self_attested


def _in_review(assessment, personas):
    services.assessment_submit(assessment=assessment, by=personas["analyst"])
    services.assessment_start_review(assessment=assessment, by=personas["reviewer"])


def test_an_answer_rests_on_the_vendors_statement_until_said_otherwise_and_then_earns_the_point(small):
    assert _ops_01(small).basis == Answer.Basis.STATEMENT
    assert _points(small) == (1, True)  # "yes" is 0 points, plus the self-attested point


def test_the_section_form_records_the_basis_keeps_it_when_not_posted_and_a_change_needs_confirming_again(
    small, personas, login
):
    client = login(personas["analyst"])
    url = reverse("assessments:section", args=[small.pk, "OPS"])
    form = {"revision": 1, "q-OPS-01": "yes", "q-OPS-02": "120", "q-OPS-03": "other_cloud", "q-OPS-04": "2030-01-01"}
    response = client.post(url, {**form, "q-OPS-05": "Fail over to the second cloud.", "bs-OPS-01": "attestation"})
    assert response.status_code == 302
    answer = _ops_01(small)
    assert answer.basis == "attestation" and answer.basis_confirmed_at is None
    change = AnswerChange.objects.filter(question_code="OPS-01").latest("pk")
    assert change.new_value["basis"] == "attestation"
    # Claimed, not confirmed: it still counts as the vendor's statement.
    assert _points(small) == (1, True)
    page = client.get(url).content.decode()
    assert 'name="bs-OPS-01"' in page and "Counts once a reviewer" in page
    # A form that does not post the control keeps what the answer rests on.
    services.answers_save(
        assessment=small, values={"OPS-01": AnswerInput(value="yes")}, by=personas["analyst"], base_revisions=None
    )
    assert _ops_01(small).basis == "attestation"


def test_an_unknown_basis_is_refused_with_a_message_and_the_answer_is_kept(small, personas, login):
    client = login(personas["analyst"])
    url = reverse("assessments:section", args=[small.pk, "OPS"])
    response = client.post(url, {"revision": 1, "q-OPS-01": "partial", "bs-OPS-01": "hearsay", "q-OPS-02": "60"})
    assert response.status_code == 400
    assert "Choose what the answer rests on" in response.content.decode()
    assert _ops_01(small).value == "yes"  # the invalid row is not saved
    assert small.answers.get(question_code="OPS-02").value == 60  # the valid rest is


def test_attaching_a_document_lifts_a_statement_to_a_document(small, personas):
    from procurement.assessments.editing import section_save
    from procurement.assessments.forms import SectionForm
    from procurement.assessments.selectors import answers_by_code, bank_structure

    questions = bank_structure(small.bank_version).section("OPS")["questions"]
    upload = SimpleUploadedFile("soc2.pdf", b"%PDF-1.7 report")
    # As the browser posts it: the answer unchanged, its basis control still on "Vendor statement".
    posted = {
        "revision": "1",
        "q-OPS-01": "yes",
        "bs-OPS-01": "statement",
        "q-OPS-02": "120",
        "q-OPS-03": "other_cloud",
    }
    posted |= {"q-OPS-04": "2030-01-01", "q-OPS-05": "Fail over to the second cloud."}
    form = SectionForm(posted, questions=questions, answers=answers_by_code(small), revision=1)
    outcome = section_save(
        assessment=small,
        section="OPS",
        questions=questions,
        form=form,
        files={"doc-OPS-01": upload},
        revision=1,
        by=None,
        by_label="Vera Vendor",
    )
    assert outcome.valid and outcome.revision == 2
    answer = _ops_01(small)
    assert (answer.basis, answer.updated_by_label) == ("document", "Vera Vendor")


def test_a_reviewer_confirms_the_basis_who_and_when_are_recorded_and_the_point_goes(small, personas):
    services.answers_save(
        assessment=small,
        values={"OPS-01": AnswerInput(value="yes", basis="document")},
        by=personas["analyst"],
        base_revisions=None,
    )
    _in_review(small, personas)
    services.answers_basis_confirm(assessment=small, bases={"OPS-01": "attestation"}, by=personas["reviewer"])
    answer = _ops_01(small)
    assert (answer.basis, answer.basis_confirmed_by) == ("attestation", personas["reviewer"])
    assert answer.basis_confirmed_at is not None
    assert _points(small) == (0, False)
    assert small.timeline.filter(kind="basis confirmed").exists()
    recorded = record_build(small)["answers"]["OPS-01"]
    assert recorded["basis"] == "attestation" and recorded["basis_confirmed_by"] == "reviewer"


def test_an_analyst_cannot_confirm_a_basis(small, personas, login):
    _in_review(small, personas)
    with pytest.raises(PermissionDenied):
        services.answers_basis_confirm(assessment=small, bases={"OPS-01": "document"}, by=personas["analyst"])
    url = reverse("assessments:basis_confirm", args=[small.pk])
    assert login(personas["analyst"]).post(url, {"question_code": "OPS-01", "basis": "document"}).status_code == 403
    assert _ops_01(small).basis_confirmed_at is None


@pytest.mark.parametrize(
    ("code", "message"),
    [
        ("IN-01", "is not a vendor's scored answer"),
        ("OPS-05", "is not a vendor's scored answer"),
        ("OPS-04", "has no answer to confirm"),
    ],
)
def test_only_a_given_vendor_answer_has_a_basis_to_confirm(small, personas, code, message):
    services.answers_save(
        assessment=small, values={"OPS-04": AnswerInput(undisclosed=True)}, by=personas["analyst"], base_revisions=None
    )
    _in_review(small, personas)
    with pytest.raises(ValidationError, match=message):
        services.answers_basis_confirm(assessment=small, bases={code: "document"}, by=personas["reviewer"])


def test_the_review_page_shows_the_self_attested_point_and_confirms_through_the_form(small, personas, login):
    _in_review(small, personas)
    client = login(personas["reviewer"])
    page = client.get(reverse("assessments:review", args=[small.pk])).content.decode()
    assert "Self-attested: this favourable answer" in page and "Confirm basis" in page
    url = reverse("assessments:basis_confirm", args=[small.pk])
    response = client.post(url, {"question_code": "OPS-01", "basis": "document"})
    assert response.status_code == 302 and response.url.endswith("#row-OPS-01")
    assert _ops_01(small).basis_confirmed_by == personas["reviewer"]
    page = client.get(reverse("assessments:review", args=[small.pk])).content.decode()
    assert re.search(r"Rests on:\s+document,\s+confirmed by reviewer on", page)
    assert "Self-attested: this favourable answer" not in page


@pytest.mark.parametrize("fmt", ["csv", "yaml"])
def test_an_answer_file_carries_the_basis_both_ways_and_a_wrong_one_is_refused(small, personas, fmt):
    from procurement.assessments.answer_files import AnswerFileError, dump_answers, parse_answers
    from procurement.assessments.records import stored_answer
    from procurement.assessments.selectors import bank_structure

    services.answers_save(
        assessment=small,
        values={"OPS-01": AnswerInput(value="yes", basis="attestation")},
        by=personas["analyst"],
        base_revisions=None,
    )
    questions = bank_structure(small.bank_version).question_index
    text = dump_answers({a.question_code: stored_answer(a) for a in small.answers.all()}, fmt=fmt, questions=questions)
    read = parse_answers(text.encode(), fmt=fmt, source=f"a.{fmt}", questions=questions)
    assert read["OPS-01"].basis == "attestation" and read["OPS-02"].basis is None
    wrong = text.replace("attestation", "hearsay")
    with pytest.raises(AnswerFileError, match="basis 'hearsay' is not one of statement, document, attestation"):
        parse_answers(wrong.encode(), fmt=fmt, source=f"a.{fmt}", questions=questions)


def test_the_report_says_self_attested_where_the_point_was_added_and_what_a_confirmed_answer_rests_on(small, personas):
    from procurement.reports.context import report_context_from_record

    ctx = report_context_from_record(record_build(small))
    rows = {r["code"]: r for s in ctx["sections"] for r in s["rows"]}
    assert rows["OPS-01"]["self_attested"].startswith("Self-attested: this favourable answer to a critical question")
    assert not rows["OPS-02"]["self_attested"]
    assert ctx["self_attested"].startswith("1 favourable answer to critical questions is self-attested")
    assert ctx["self_attested_method"].startswith("Evidence-weighted credit:")
    _in_review(small, personas)
    services.answers_basis_confirm(assessment=small, bases={"OPS-01": "document"}, by=personas["reviewer"])
    ctx = report_context_from_record(record_build(small))
    row = next(r for s in ctx["sections"] for r in s["rows"] if r["code"] == "OPS-01")
    assert not row["self_attested"] and not ctx["self_attested"]
    assert row["basis"].startswith("Rests on a document, confirmed by reviewer on ")


def test_evidence_sent_through_the_api_lifts_a_statement_to_a_document_too(small, personas, client):
    # The red team's side note: the API's evidence upload left the basis on "Vendor statement".
    from procurement.core.tokens import api_token_create

    secret = api_token_create(user=personas["analyst"], name="sync", scope="write", days=30)[1]
    response = client.post(
        f"/api/v1/assessments/{small.pk}/evidence",
        {"question": "OPS-01", "file": SimpleUploadedFile("soc2.pdf", b"%PDF-1.7 report")},
        HTTP_AUTHORIZATION=f"Bearer {secret}",
    )
    assert response.status_code == 201, response.content
    assert _ops_01(small).basis == Answer.Basis.DOCUMENT
