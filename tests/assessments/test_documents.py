"""Supporting documents on any answer (staff side), downloads, and the history read in words."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from procurement.assessments import services
from procurement.assessments.evidence import evidence_attach_existing, evidence_store
from procurement.assessments.models import Answer, Assessment, Evidence
from procurement.assessments.records import assessment_record
from procurement.assessments.selectors import bank_structure
from procurement.assessments.services import AnswerInput
from procurement.reports.context import report_context_from_record
from procurement.vendors.documents import DOCX
from procurement.vendors.models import Document
from tests.documents import docx, pdf, xlsx

pytestmark = pytest.mark.django_db


def section_url(a, code="SEC"):
    return reverse("assessments:section", args=[a.pk, code])


def attach(client, assessment, code, *, file=None, existing=None, autosave=False, section="SEC"):
    data = {"revision": services.section_revisions(assessment).get(section, 0), "attach_to": code}
    if file is not None:
        data[f"doc-{code}"] = file
    if existing is not None:
        data[f"attach-{code}"] = existing
    headers = {"HX-Request": "true"} if autosave else {}
    return client.post(section_url(assessment, section), data, headers=headers)


def test_staff_attach_a_docx_to_a_non_evidence_answer_and_see_it_under_the_question(login, personas, assessment):
    client = login(personas["analyst"])
    response = attach(client, assessment, "SEC-01", file=SimpleUploadedFile("DPA 2026.docx", docx()))
    assert response.status_code == 302 and response.url.endswith("/sections/SEC/#q-SEC-01")
    (link,) = Evidence.objects.all()
    assert (link.question_code, link.document.content_type, link.document.vendor) == (
        "SEC-01",
        DOCX,
        assessment.service.vendor,
    )
    page = client.get(section_url(assessment)).content.decode()
    block = page[page.index('id="docs-SEC-01"') :][:1500]
    assert "DPA 2026.docx" in block and "Word document (DOCX)" in block


def test_autosave_neither_uploads_nor_attaches(login, personas, assessment):
    client = login(personas["analyst"])
    staff = evidence_store(
        assessment=assessment, question_code="SEC-02", upload=SimpleUploadedFile("a.pdf", pdf()), by=None, field="f"
    )
    attach(client, assessment, "SEC-01", file=SimpleUploadedFile("b.docx", docx()), autosave=True)
    attach(client, assessment, "SEC-01", existing=staff.document_id, autosave=True)
    assert list(Evidence.objects.values_list("question_code", flat=True)) == ["SEC-02"]


def test_the_same_bytes_on_two_answers_are_one_document_with_two_links(login, personas, assessment):
    client = login(personas["analyst"])
    workbook = xlsx()  # once: openpyxl stamps the time into each workbook it writes
    for code in ("SEC-01", "SEC-02", "SEC-02"):
        assert attach(client, assessment, code, file=SimpleUploadedFile(f"{code}.xlsx", workbook)).status_code == 302
    assert Document.objects.count() == 1
    assert sorted(Evidence.objects.values_list("question_code", flat=True)) == ["SEC-01", "SEC-02"]


def test_a_document_of_the_vendor_is_attached_again_in_a_later_assessment(login, personas, assessment):
    client = login(personas["analyst"])
    attach(client, assessment, "SEC-01", file=SimpleUploadedFile("model card.pdf", pdf()))
    document = Document.objects.get()
    later = services.assessment_create(
        service=assessment.service, bank=assessment.bank_version.bank, by=personas["analyst"]
    )
    page = client.get(section_url(later)).content.decode()
    assert f'<option value="{document.pk}">model card.pdf' in page
    assert attach(client, later, "SEC-03", existing=str(document.pk)).status_code == 302
    assert Evidence.objects.get(assessment=later).document == document and Document.objects.count() == 1


def test_a_document_of_another_vendor_cannot_be_attached(login, personas, assessment, other_assessment):
    foreign = evidence_store(
        assessment=other_assessment,
        question_code="SEC-01",
        upload=SimpleUploadedFile("x.pdf", pdf()),
        by=None,
        field="f",
    )
    response = attach(login(personas["analyst"]), assessment, "SEC-01", existing=str(foreign.document_id))
    assert response.status_code == 400 and "cannot be attached here" in response.content.decode()
    assert not Evidence.objects.filter(assessment=assessment).exists()


def test_a_refused_document_keeps_the_typed_answers_and_says_why(login, personas, assessment):
    client = login(personas["analyst"])
    data = {
        "revision": 0,
        "q-SEC-01": "inclusive",
        "doc-SEC-02": SimpleUploadedFile(
            "macro.docx", docx(main="application/vnd.ms-word.document.macroEnabled.main+xml")
        ),
    }
    response = client.post(section_url(assessment), data)
    assert response.status_code == 400 and "macro-enabled files are refused" in response.content.decode()
    assert Answer.objects.get(question_code="SEC-01").value == "inclusive" and not Evidence.objects.exists()


def test_attaching_an_existing_document_counts_against_the_quota(personas, assessment, settings):
    first = evidence_store(
        assessment=assessment, question_code="SEC-01", upload=SimpleUploadedFile("a.pdf", pdf()), by=None, field="f"
    )
    settings.EVIDENCE_MAX_FILES_PER_ASSESSMENT = 1
    with pytest.raises(Exception, match="already holds 1 files"):
        evidence_attach_existing(
            assessment=assessment, question_code="SEC-02", document_pk=first.document_id, by=None, field="f"
        )


def test_downloads_are_attachments_never_rendered_inline(login, personas, assessment):
    item = evidence_store(
        assessment=assessment, question_code="SEC-01", upload=SimpleUploadedFile("c.docx", docx()), by=None, field="f"
    )
    response = login(personas["viewer"]).get(reverse("assessments:evidence", args=[assessment.pk, item.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="c.docx"')
    assert response["Content-Type"] == DOCX and response["X-Content-Type-Options"] == "nosniff"
    assert "sandbox" in response["Content-Security-Policy"]


# --- The report -------------------------------------------------------------------------


def _row(context, code):
    return next(r for s in context["sections"] for r in s["rows"] if r["code"] == code)


def test_the_report_lists_documents_under_their_answers(personas, assessment):
    services.answers_save(
        assessment=assessment, values={"SEC-01": AnswerInput(value="inclusive")}, by=None, base_revisions=None
    )
    evidence_store(
        assessment=assessment, question_code="SEC-01B", upload=SimpleUploadedFile("soc2.pdf", pdf()), by=None, field="f"
    )
    evidence_store(
        assessment=assessment, question_code="SEC-01", upload=SimpleUploadedFile("dpa.docx", docx()), by=None, field="f"
    )
    context = report_context_from_record(assessment_record(assessment))
    soc2 = _row(context, "SEC-01B")
    assert soc2["answer_kind"] == "answered" and soc2["answer"] == "Document attached"
    (line,) = _row(context, "SEC-01")["evidence"]
    assert (line["name"], line["type_label"], len(line["sha256"])) == ("dpa.docx", "Word document (DOCX)", 64)


def test_an_old_record_without_document_types_still_renders(personas, assessment):
    evidence_store(
        assessment=assessment, question_code="SEC-01B", upload=SimpleUploadedFile("soc2.pdf", pdf()), by=None, field="f"
    )
    record = assessment_record(assessment)
    for e in record["evidence"]:
        del e["type"]  # format 2 records frozen before documents had types
    (line,) = _row(report_context_from_record(record), "SEC-01B")["evidence"]
    assert line["type_label"] == "" and line["name"] == "soc2.pdf"


# --- History in words ---------------------------------------------------------------------


def test_the_conflict_page_shows_labels_and_na_reasons_not_stored_values(login, personas, assessment):
    index = bank_structure(assessment.bank_version).question_index
    q = index["SEC-01"]
    theirs, mine = q["choices"][0], q["choices"][1]
    services.answers_save(
        assessment=assessment,
        values={"SEC-01": AnswerInput(value=theirs["value"])},
        by=personas["admin"],
        base_revisions=None,
    )
    response = login(personas["analyst"]).post(section_url(assessment), {"revision": 0, "q-SEC-01": mine["value"]})
    assert response.status_code == 409
    page = response.content.decode()
    assert theirs["label"] in page and mine["label"] in page
    assert "{'value'" not in page and "'na'" not in page


def test_the_timeline_shows_states_in_words(login, personas, assessment):
    services.answers_save(
        assessment=assessment,
        values={"SEC-01": AnswerInput(value="inclusive")},
        by=personas["analyst"],
        base_revisions=None,
    )
    assessment = Assessment.objects.get(pk=assessment.pk)
    page = login(personas["viewer"]).get(assessment.get_absolute_url()).content.decode()
    timeline = page[page.index("Timeline") :]
    assert "Draft → In progress" in timeline and "in_progress" not in timeline


def test_the_question_history_lists_its_documents_with_who_attached_them(login, personas, assessment):
    client = login(personas["analyst"])
    attach(client, assessment, "SEC-03", file=SimpleUploadedFile("ISO 42001 certificate.pdf", pdf()))
    page = client.get(reverse("assessments:history", args=[assessment.pk, "SEC-03"])).content.decode()
    documents = page[page.index('id="documents"') :]
    assert "ISO 42001 certificate.pdf" in documents and "PDF" in documents
    assert personas["analyst"].get_username() in documents or personas["analyst"].get_full_name() in documents
