"""The evidence register (issue 23, part 2): typed documents with their dates, expiry changing
the score of the answers they support and flagging decided services, dates that contradict an
answer flagged on both sides, SOC 2 reviews and subservice organisations against the recorded
chain, and the expiry reminders (run twice, sent once)."""

import datetime as dt
import io
import json

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from procurement.assessments.evidence import evidence_notes, evidence_store
from procurement.assessments.models import Assessment, Evidence
from procurement.assessments.presentation import stale_sentence
from procurement.assessments.records import record_build
from procurement.assessments.selectors import assessment_score, bank_structure, scoring_input
from procurement.core.models import OutboxMessage
from procurement.portfolio.evidence_services import document_details_update, evidence_expire
from procurement.vendors.evidence import soc2_review_add, subservice_mismatches, vendor_chain_providers
from procurement.vendors.models import Document, SOC2Review, SupplyLink, add_months
from procurement.vendors.selectors import documents_expiring, register_rows

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def attach(assessment, code="SEC-01B", name="soc2-2025.pdf", by=None, content=b""):
    upload = SimpleUploadedFile(name, PDF + content + name.encode(), content_type="application/pdf")
    return evidence_store(assessment=assessment, question_code=code, upload=upload, by=by, field="f").document


def soc2(document, by, *, period_end, period_start=None, **extra):
    values = {
        "kind": "soc2_type2",
        "period_start": period_start or period_end - dt.timedelta(days=180),
        "period_end": period_end,
        "auditor": "Audit & Co",
        "opinion": "unqualified",
        **extra,
    }
    return document_details_update(document=document, values=values, subservice=[], by=by)


def question(result, code):
    return next(q for q in result.questions if q.code == code)


# --- Dates: refused with a message, nothing saved ----------------------------------------------


@pytest.mark.parametrize(
    ("values", "field", "words"),
    [
        (
            {"period_start": dt.date(2026, 3, 1), "period_end": dt.date(2026, 2, 1)},
            "period_end",
            "The period ends before it starts",
        ),
        ({"issued_on": dt.date(2026, 3, 1), "expires_on": dt.date(2026, 1, 1)}, "expires_on", "before the document"),
        ({"period_end": dt.date(1999, 12, 31)}, "period_end", "before 1 January 2000"),
        ({"expires_on": TODAY.replace(year=TODAY.year + 11)}, "expires_on", "more than 10 years away"),
        ({"issued_on": TODAY + dt.timedelta(days=3)}, "issued_on", "in the future"),
    ],
)
def test_bad_dates_are_refused_with_a_message_and_nothing_is_saved(complete_assessment, personas, values, field, words):
    document = attach(complete_assessment, by=personas["analyst"])
    with pytest.raises(ValidationError) as caught:
        document_details_update(
            document=document, values={"kind": "soc2_type2", **values}, subservice=[], by=personas["analyst"]
        )
    assert words in " ".join(caught.value.message_dict[field])
    document.refresh_from_db()
    assert document.kind == "" and document.period_end is None


def test_the_details_form_shows_the_date_problem_and_keeps_what_was_typed(client, personas, complete_assessment):
    document = attach(complete_assessment, by=personas["analyst"])
    client.force_login(personas["analyst"])
    url = reverse("vendors:document_edit", args=[document.vendor_id, document.pk])
    response = client.post(
        url, {"kind": "soc2_type2", "period_start": "2026-03-01", "period_end": "2026-02-01", "auditor": "Audit & Co"}
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "The period ends before it starts" in page and "Audit &amp; Co" in page
    document.refresh_from_db()
    assert document.kind == "" and document.auditor == ""


# --- Expiry status and the register ----------------------------------------------------------


def test_expiry_is_the_date_given_else_12_months_after_a_soc2_period_end(complete_assessment, personas):
    document = soc2(attach(complete_assessment, by=personas["analyst"]), personas["analyst"], period_end=TODAY)
    assert document.expiry_date == add_months(TODAY, 12) and document.expiry_status(TODAY) == "valid"
    document = soc2(
        document, personas["analyst"], period_end=TODAY, expires_on=TODAY + dt.timedelta(days=20), issued_on=TODAY
    )
    assert document.expiry_status(TODAY) == "expiring"
    assert document.expiry_status(TODAY + dt.timedelta(days=21)) == "expired"


def test_the_register_lists_documents_by_kind_with_their_expiry_status(client, personas, complete_assessment):
    old = soc2(
        attach(complete_assessment, by=personas["analyst"]), personas["analyst"], period_end=dt.date(2024, 6, 30)
    )
    dpa = attach(complete_assessment, code="SEC-02", name="dpa.pdf", by=personas["analyst"])
    document_details_update(
        document=dpa, values={"kind": "dpa", "issued_on": dt.date(2025, 1, 1)}, subservice=[], by=personas["analyst"]
    )
    groups = register_rows(old.vendor, today=TODAY)
    assert [g["kind"] for g in groups] == ["soc2_type2", "dpa"]
    assert groups[0]["documents"][0]["status"] == "expired" and groups[1]["documents"][0]["status"] == ""
    client.force_login(personas["viewer"])
    page = client.get(reverse("vendors:evidence", args=[old.vendor_id])).content.decode()
    assert f'id="doc-{old.pk}" data-expiry-status="expired"' in page and "SOC 2 Type II report" in page
    assert "Data processing agreement" in page and "Describe" not in page  # viewers read only


def test_documents_expiring_gives_dated_rows_of_the_organisation_only(personas, complete_assessment, other_assessment):
    mine = soc2(
        attach(complete_assessment, by=personas["analyst"]), personas["analyst"], period_end=TODAY.replace(day=1)
    )
    theirs = attach(other_assessment, name="theirs.pdf")
    soc2(theirs, None, period_end=TODAY.replace(day=1))
    rows = documents_expiring(organisation=complete_assessment.organisation, until=add_months(TODAY, 13))
    assert [(r.kind, r.object_id, r.due) for r in rows] == [
        ("evidence_expiry", mine.pk, add_months(TODAY.replace(day=1), 12))
    ]
    assert rows[0].owner == personas["analyst"] and rows[0].url.endswith(f"#doc-{mine.pk}")
    assert documents_expiring(organisation=complete_assessment.organisation, until=TODAY) == []


# --- Expiry changes the score ----------------------------------------------------------------


def test_an_expired_soc2_makes_the_answer_it_supports_score_as_stale(client, complete_assessment, personas):
    """SEC-01A's own date is fresh; the SOC 2 report linked to it expired, so it scores stale,
    and the explanation names the document and its expiry."""
    before = question(assessment_score(complete_assessment), "SEC-01A")
    document = attach(complete_assessment, code="SEC-01A", by=personas["analyst"])
    soc2(document, personas["analyst"], period_end=dt.date(2024, 6, 30))
    inp = scoring_input(complete_assessment)
    assert [(e.code, e.document, e.expires) for e in inp.evidence] == [
        ("SEC-01A", "soc2-2025.pdf", dt.date(2025, 6, 30))
    ]
    after = question(assessment_score(complete_assessment), "SEC-01A")
    assert before.points == 0 and after.points == 4
    assert "SOC 2 Type II report 'soc2-2025.pdf' expired on 2025-06-30 -> stale" in after.explanation
    # The report's risk paragraphs say it in words.
    assert stale_sentence(after.explanation) == (
        "Its supporting SOC 2 Type II report “soc2-2025.pdf” expired on 30 Jun 2025, so the answer counts as stale."
    )
    client.force_login(personas["reviewer"])
    review = client.get(reverse("assessments:review", args=[complete_assessment.pk])).content.decode()
    assert "soc2-2025.pdf” expired on 30 Jun 2025, so the answer counts as stale." in review


def test_the_record_scores_as_the_live_score_reading_each_table_once(
    complete_assessment, personas, django_assert_max_num_queries
):
    """record_build hands its own reads (answers, overrides, evidence, acceptances) to the score:
    an expired typed document counts there as in the live score, an untyped one does not."""
    soc2(
        attach(complete_assessment, code="SEC-01A", by=personas["analyst"]),
        personas["analyst"],
        period_end=dt.date(2024, 6, 30),
    )
    attach(complete_assessment, code="SEC-02", name="notes.pdf", by=personas["analyst"])
    live = json.loads(json.dumps(assessment_score(complete_assessment).as_dict(), default=str))
    with django_assert_max_num_queries(22):
        record = record_build(Assessment.objects.get(pk=complete_assessment.pk))
    assert record["score"] == live
    assert [e["name"] for e in record["evidence"]] == ["soc2-2025.pdf", "notes.pdf"]
    assert question(assessment_score(complete_assessment), "SEC-01A").points == 4


def test_expiry_rescores_the_open_assessment_once(complete_assessment, personas):
    document = attach(complete_assessment, code="SEC-01A", by=personas["analyst"])
    document.kind, document.period_end = "soc2_type2", dt.date(2024, 6, 30)  # recorded before it expired
    document.save(update_fields=["kind", "period_end"])  # no expiry handling on the way
    Assessment.objects.filter(pk=complete_assessment.pk).update(risk_band="")
    assert evidence_expire(document=document) == []  # open: rescored, not flagged
    complete_assessment.refresh_from_db()
    assert complete_assessment.risk_band != "" and complete_assessment.reassess_reason == ""
    assert Document.objects.get(pk=document.pk).expiry_handled == dt.date(2025, 6, 30)
    Assessment.objects.filter(pk=complete_assessment.pk).update(risk_band="")
    assert evidence_expire(document=document) == []
    assert Assessment.objects.get(pk=complete_assessment.pk).risk_band == ""  # handled once per date


def test_expiry_flags_a_decided_service_for_reassessment_and_leaves_the_frozen_record(decided, personas):
    document = attach(decided, code="SEC-01", name="type1.pdf")  # linked before the decision
    document.kind, document.period_end = "soc2_type1", dt.date(2024, 1, 31)
    document.save(update_fields=["kind", "period_end"])  # no expiry handling on the way
    record, digest = decided.frozen_record, decided.frozen_hash
    flagged = evidence_expire(document=document)
    decided.refresh_from_db()
    assert flagged == [decided.service]
    assert "SOC 2 Type I report “type1.pdf” of ClaimsBot Ltd expired on 31 Jan 2025." in decided.reassess_reason
    assert decided.frozen_record == record and decided.frozen_hash == digest
    assert evidence_expire(document=document) == []  # once


# --- Dates that contradict the answer ----------------------------------------------------------


def test_a_soc2_period_end_that_contradicts_the_answer_is_flagged_on_the_answer_and_in_the_register(
    client, complete_assessment, personas
):
    document = attach(complete_assessment, code="SEC-01A", by=personas["analyst"])
    soc2(document, personas["analyst"], period_end=TODAY - dt.timedelta(days=30))  # the answer says 2027-06-30
    answer = complete_assessment.answers.get(question_code="SEC-01A")
    q = bank_structure(complete_assessment.bank_version).question_index["SEC-01A"]
    links = list(Evidence.objects.filter(document=document).select_related("document"))
    notes = evidence_notes(question=q, answer=answer, links=links, today=TODAY)
    assert [n["level"] for n in notes] == ["contradiction"]
    assert "The answer gives 30 Jun 2027" in notes[0]["text"] and "neither is preferred" in notes[0]["text"]
    client.force_login(personas["analyst"])
    register = client.get(reverse("vendors:evidence", args=[document.vendor_id])).content.decode()
    assert "Dates disagree:" in register and "The answer gives 30 Jun 2027" in register
    section = client.get(reverse("assessments:section", args=[complete_assessment.pk, "SEC"])).content.decode()
    assert 'data-evidence-note="contradiction"' in section
    # Not silently preferred: the answer keeps its own date and its own points.
    assert question(assessment_score(complete_assessment), "SEC-01A").points == 0


# --- SOC 2 reviews and subservice organisations ---------------------------------------------


def test_subservice_organisations_are_checked_against_the_recorded_chain(complete_assessment, personas, providers):
    service = complete_assessment.service
    SupplyLink.objects.create(service=service, provider=providers["cloud"], role="inference_compute")
    SupplyLink.objects.create(service=service, provider=providers["neo"], role="inference_compute")
    SupplyLink.objects.create(service=service, provider=providers["lab"], role="model_provider")  # not a subservice
    document = attach(complete_assessment, by=personas["analyst"])
    document_details_update(
        document=document,
        values={"kind": "soc2_type2", "period_end": TODAY, "subservice_other": "Tiny Colo\n"},
        subservice=[providers["cloud"], providers["rival"]],
        by=personas["analyst"],
    )
    mismatches = subservice_mismatches(document, vendor_chain_providers(service.vendor))
    assert mismatches == {"not_in_chain": ["Rival DC", "Tiny Colo"], "not_in_report": ["Neo GPU"]}


def test_a_soc2_review_records_who_when_every_check_and_the_conclusion(client, complete_assessment, personas):
    document = soc2(attach(complete_assessment, by=personas["analyst"]), personas["analyst"], period_end=TODAY)
    client.force_login(personas["reviewer"])
    url = reverse("vendors:soc2_review", args=[document.vendor_id, document.pk])
    data = {f"check_{k}": "yes" for k in ("type_two", "period_recent", "opinion_clean", "service_in_scope")}
    response = client.post(url, {**data, "conclusion": "rely"})
    assert response.status_code == 400 and "Answer this check." in response.content.decode()
    assert not SOC2Review.objects.exists()
    data |= {f"check_{k}": "no" for k in ("inference_in_scope", "exceptions_reviewed", "subservice_covered")}
    data |= {"check_cuecs_mapped": "na", "check_bridge_letter": "na", "note_inference_in_scope": "Only the API tier"}
    response = client.post(url, {**data, "conclusion": "follow_up", "notes": "Ask for the inference bridge letter"})
    assert response.status_code == 302
    review = SOC2Review.objects.get()
    assert review.reviewer == personas["reviewer"] and review.conclusion == "follow_up"
    rows = review.checklist_rows
    assert (
        rows[4]["answer"] == "No" and rows[4]["note"] == "Only the API tier" and rows[8]["answer"] == "Not applicable"
    )
    page = client.get(url).content.decode()
    assert "We can rely on it with follow-up" in page and "Only the API tier" in page


def test_only_a_soc2_report_takes_a_soc2_review(complete_assessment, personas):
    document = attach(complete_assessment, by=personas["analyst"])
    with pytest.raises(ValidationError, match="Only a SOC 2 report"):
        soc2_review_add(document=document, reviewer=personas["reviewer"], answers={}, notes={}, conclusion="rely")


# --- Reminders: the shared schedule, run twice, sent once --------------------------------------


def _run(day: dt.date) -> str:
    out = io.StringIO()
    call_command("send_notifications", "--date", day.isoformat(), stdout=out, stderr=io.StringIO())
    return out.getvalue()


def test_evidence_expiry_reminds_the_owner_30_days_ahead_once_per_step(complete_assessment, personas):
    personas["analyst"].email = "analyst@acme.example"
    personas["analyst"].save()
    document = soc2(attach(complete_assessment, by=personas["analyst"]), personas["analyst"], period_end=TODAY)
    expires = document.expiry_date
    _run(expires - dt.timedelta(days=30))
    _run(expires - dt.timedelta(days=30))
    sent = OutboxMessage.objects.filter(key__contains=f"evidence:{document.pk}:")
    assert sent.count() == 1 and sent.get().recipient == "analyst@acme.example"
    assert "SOC 2 Type II report expires in 30 days" in sent.get().payload["subject"]
    _run(expires - dt.timedelta(days=7))
    assert sent.count() == 2


def test_send_notifications_expires_the_document_and_flags_the_decided_service_once(decided, personas):
    document = attach(decided, code="SEC-01", name="type1.pdf")
    document.kind, document.period_end = "soc2_type1", TODAY - dt.timedelta(days=400)
    document.save(update_fields=["kind", "period_end"])
    out = _run(TODAY)
    decided.refresh_from_db()
    assert "type1.pdf" in decided.reassess_reason and "type1.pdf" in out
    flagged_at = decided.reassess_since
    _run(TODAY)
    decided.refresh_from_db()
    assert decided.reassess_since == flagged_at and decided.reassess_reason.count("type1.pdf") == 1


def test_the_details_form_opens_with_what_is_recorded(client, complete_assessment, personas):
    document = soc2(attach(complete_assessment, by=personas["analyst"]), personas["analyst"], period_end=TODAY)
    client.force_login(personas["analyst"])
    page = client.get(reverse("vendors:document_edit", args=[document.vendor_id, document.pk])).content.decode()
    assert '<option value="soc2_type2" selected>' in page and f'value="{TODAY.isoformat()}"' in page


def test_a_report_superseded_by_a_newer_one_is_neither_reminded_nor_listed(complete_assessment, personas):
    old = soc2(
        attach(complete_assessment, by=personas["analyst"]), personas["analyst"], period_end=dt.date(2024, 6, 30)
    )
    rows = documents_expiring(organisation=complete_assessment.organisation, until=TODAY)
    assert [r.object_id for r in rows] == [old.pk]
    soc2(
        attach(complete_assessment, name="soc2-2026.pdf", by=personas["analyst"]), personas["analyst"], period_end=TODAY
    )
    assert documents_expiring(organisation=complete_assessment.organisation, until=TODAY) == []
    rows = register_rows(old.vendor, today=TODAY)[0]["documents"]
    assert [(r["document"].pk, r["superseded"]) for r in rows] == [(old.pk, True), (old.pk + 1, False)]


def test_a_change_to_a_documents_dates_is_on_the_audit_log_with_old_and_new_values(complete_assessment, personas):
    # The red team moved an expired SOC 2 report's period end forward without a trace.
    from procurement.core.models import AuditEvent

    document = attach(complete_assessment, by=personas["analyst"])
    soc2(document, personas["analyst"], period_end=dt.date(2025, 12, 15))
    soc2(document, personas["analyst"], period_end=dt.date(2026, 11, 1))
    line = AuditEvent.objects.filter(note__contains="details changed").latest("pk")
    assert line.by == personas["analyst"]
    assert "15 Dec 2025" in line.note or "2025-12-15" in line.note
    assert "period end" in line.note.lower() and "→" in line.note
    count = AuditEvent.objects.count()
    soc2(document, personas["analyst"], period_end=dt.date(2026, 11, 1))  # the same again: no line
    assert AuditEvent.objects.count() == count
