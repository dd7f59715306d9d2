"""What the section page and its autosave read (docs/performance.md, "Section page and autosave,
fourth pass"): the section's assessment is read with only the columns the page and its saves use,
so a column left out would be read by a query of its own; the autosave reads no answers before
the save and scores what it saved; the save takes the bank version the row lock finds."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.evidence import documents_attachable, evidence_store, section_documents
from procurement.assessments.models import Answer, Assessment, Evidence, Finding
from procurement.assessments.selectors import (
    answer_documents,
    answers_by_code,
    assessment_for_section,
    assessment_score,
    bank_structure,
)
from procurement.assessments.services import AnswerInput
from procurement.questionbank.services import bank_load
from tests.documents import docx

pytestmark = pytest.mark.django_db

# The page: session, user with membership, assessment, revisions, answers, documents, evidence links.
SECTION_PAGE_QUERIES = 7
# An autosave that changes one answer: session, user with membership, assessment; in the save's
# transaction the locked row, revisions, answers, the answer's update, its history, the revision;
# the rescore's overrides, contract, providers, links, model lifecycle, acceptances, evidence and
# the summary's update.
AUTOSAVE_QUERIES = 19


@pytest.fixture
def small_assessment(small_bank_yaml, service, personas):
    bank = bank_load(raw=small_bank_yaml, source="small.yaml").bank
    return services.assessment_create(service=service, bank=bank, by=personas["analyst"])


def _url(a):
    return reverse("assessments:section", args=[a.pk, "OPS"])


def _summary(a):
    row = Assessment.objects.get(pk=a.pk)
    return (row.risk_band, row.recommendation, row.overall_risk, row.recommendation_unanswered)


def _fresh_summary(a):
    from procurement.assessments.services.status import missing_count

    result = assessment_score(Assessment.objects.select_related("bank_version", "service").get(pk=a.pk))
    return (result.residual or "", result.decision, result.overall_risk, missing_count(result))


def test_the_section_page_reads_a_fixed_number_of_queries(login, personas, small_assessment, django_assert_num_queries):
    client = login(personas["analyst"])
    client.get(_url(small_assessment))  # the per-version structure, once per process
    with django_assert_num_queries(SECTION_PAGE_QUERIES):
        page = client.get(_url(small_assessment))
    body = page.content.decode()
    assert page.status_code == 200
    assert "Frontier Lab — Frontier API" in body and "Small bank v1" in body


def test_an_autosave_reads_a_fixed_number_of_queries_and_leaves_the_recommendation_fresh(
    login, personas, small_assessment, django_assert_num_queries
):
    client = login(personas["analyst"])
    url = _url(small_assessment)
    services.answers_save(
        assessment=small_assessment, values={"OPS-01": AnswerInput("yes")}, by=personas["analyst"], base_revisions=None
    )
    before = _summary(small_assessment)
    with django_assert_num_queries(AUTOSAVE_QUERIES):
        response = client.post(url, {"revision": 1, "q-OPS-01": "no"}, headers={"HX-Request": "true"})
    assert response.status_code == 200
    assert 'name="revision" value="2"' in response.content.decode()
    after = _summary(small_assessment)
    assert after != before
    assert after == _fresh_summary(small_assessment)


def test_an_autosave_that_changes_nothing_returns_the_sections_revision(login, personas, small_assessment):
    client = login(personas["analyst"])
    url = _url(small_assessment)
    client.post(url, {"revision": 0, "q-OPS-02": "30"}, headers={"HX-Request": "true"})
    again = client.post(url, {"revision": 1, "q-OPS-02": "30"}, headers={"HX-Request": "true"})
    assert 'name="revision" value="1"' in again.content.decode()
    stale = client.post(url, {"revision": 0, "q-OPS-02": "45"}, headers={"HX-Request": "true"})
    assert "Not saved" in stale.content.decode()
    assert Assessment.objects.get(pk=small_assessment.pk).answers.get(question_code="OPS-02").value == 30


def test_a_save_scores_under_the_bank_version_the_lock_finds_not_the_one_read_before(
    small_bank_yaml, personas, small_assessment
):
    """The section page's assessment carries its bank version; if the row moved to another
    version before the save took its lock, the save scores under the row's version."""
    read_before = assessment_for_section(personas["analyst"], small_assessment.pk)
    # Version 2: a notice of 30 days now scores 0 points instead of 4.
    inverted = small_bank_yaml.replace("{from: 0, to: 90, points: 4}", "{from: 0, to: 90, points: 0}").replace(
        "{from: 90, to: null, points: 0}", "{from: 90, to: null, points: 4}"
    )
    v2 = bank_load(raw=inverted, source="small-v2.yaml").version
    assert v2.pk != read_before.bank_version_id
    Assessment.objects.filter(pk=small_assessment.pk).update(bank_version=v2)
    services.answers_save(
        assessment=read_before, values={"OPS-02": AnswerInput(30)}, by=personas["analyst"], base_revisions=None
    )
    assert _summary(small_assessment) == _fresh_summary(small_assessment)
    under_v1 = assessment_score(read_before)  # the version read before, for contrast
    assert under_v1.overall_risk != _summary(small_assessment)[2]


# --- The page's reads compiled once (procurement.core.compiled; docs/performance.md, "Section page, fifth pass")


def test_the_answers_come_with_their_assessment_and_confirming_reviewer_without_more_queries(
    personas, small_assessment, django_assert_num_queries
):
    services.answers_save(
        assessment=small_assessment,
        values={"OPS-01": AnswerInput("yes"), "OPS-02": AnswerInput(30)},
        by=personas["analyst"],
        base_revisions=None,
    )
    Answer.objects.filter(assessment=small_assessment, question_code="OPS-01").update(
        basis="document", basis_confirmed_by=personas["reviewer"], basis_confirmed_at=timezone.now()
    )
    expected = {a.question_code: a for a in small_assessment.answers.select_related("basis_confirmed_by")}
    with django_assert_num_queries(1):
        answers = answers_by_code(small_assessment)
        confirmed_by = {code: a.basis_confirmed_by and a.basis_confirmed_by.username for code, a in answers.items()}
        assert all(a.assessment is small_assessment for a in answers.values())
    assert confirmed_by == {"OPS-01": "reviewer", "OPS-02": None}
    fields = [f.attname for f in Answer._meta.concrete_fields]
    assert {c: [getattr(a, f) for f in fields] for c, a in answers.items()} == {
        c: [getattr(a, f) for f in fields] for c, a in expected.items()
    }


def test_a_section_page_lists_its_questions_links_and_the_vendors_documents_as_the_querysets_give_them(
    personas, assessment, other_assessment, django_assert_num_queries
):
    analyst = personas["analyst"]
    store = lambda a, code, name, by=analyst: evidence_store(  # noqa: E731
        assessment=a, question_code=code, upload=SimpleUploadedFile(name, docx(name)), by=by, field="x"
    )
    mine = store(assessment, "SEC-01", "b report.docx")
    store(assessment, "SEC-03", "a policy.docx")
    elsewhere = next(s for s in bank_structure(assessment.bank_version).document["sections"] if s["code"] != "SEC")
    store(assessment, elsewhere["questions"][0]["code"], "c other section.docx")
    finding = Finding.objects.create(assessment=assessment, text="Closure evidence is not an answer's.")
    Evidence.objects.create(assessment=assessment, question_code="", finding=finding, document=mine.document)
    # A link to a document that is not among the vendor's is read by one more query.
    foreign = store(other_assessment, "SEC-01", "d foreign.docx", by=None)
    Evidence.objects.create(assessment=assessment, question_code="SEC-03", document=foreign.document)
    shown = {q["code"] for q in bank_structure(assessment.bank_version).section("SEC")["questions"]}
    with django_assert_num_queries(3):
        attached, attachable = section_documents(assessment, shown, can_attach=True)

    def listed(links):
        return {
            code: [
                (e.pk, e.document_id, e.document.original_name, e.document.size, e.assessment is assessment) for e in es
            ]
            for code, es in links.items()
        }

    assert listed(attached) == listed(answer_documents(assessment, shown))
    assert set(attached) == {"SEC-01", "SEC-03"} and len(attached["SEC-03"]) == 2
    assert [d.original_name for d in attachable] == ["a policy.docx", "b report.docx", "c other section.docx"]
    assert [(d.pk, d.sha256, d.uploaded_at) for d in attachable] == [
        (d.pk, d.sha256, d.uploaded_at) for d in documents_attachable(assessment)
    ]
