"""Conditions and findings followed to closure (services/findings.py): who may move them, the
status flow, closure notes and evidence, verification, accepted risk, and that none of it
touches a frozen record."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Evidence, Finding, RiskAcceptance

pytestmark = pytest.mark.django_db

S = Finding.Status


@pytest.fixture
def condition(in_review, personas):
    return services.finding_add(
        assessment=in_review,
        kind="condition",
        text="Contract must include 180 days' notice",
        owner_user=personas["viewer"],
        due_date=timezone.localdate() + dt.timedelta(days=10),
        by=personas["reviewer"],
    )


def _state(finding):
    finding.refresh_from_db()
    return (finding.status, finding.closure_note, finding.events.count(), finding.evidence.count())


def _acceptance(assessment, *, scope="rule", status="accepted", expires_on=None, rule="notice_gap"):
    accepted = status in ("accepted", "expired")
    return RiskAcceptance.objects.create(
        assessment=assessment,
        scope=scope,
        rule="" if scope == "residual" else rule,
        title="Notice shorter than our exit time",
        status=status,
        reason="Compensated by a 12-month contract" if accepted else "",
        accepted_by_label="Exec" if accepted else "",
        accepted_authority=3 if accepted else None,
        accepted_at=timezone.now() if accepted else None,
        expires_on=(expires_on or timezone.localdate() + dt.timedelta(days=180)) if accepted else None,
    )


# --- Raising ---------------------------------------------------------------------------------


def test_add_records_the_owner_as_a_user_with_a_first_history_entry(condition, personas, in_review):
    assert condition.owner_user == personas["viewer"] and condition.owner_label == "viewer"
    assert condition.status == S.OPEN and condition.status_changed_at is not None
    (event,) = condition.events.all()
    assert (event.from_status, event.to_status, event.by) == ("", "open", personas["reviewer"])
    assert in_review.timeline.filter(kind="condition", note=condition.text).exists()


def test_add_refuses_an_owner_from_another_organisation_and_writes_nothing(in_review, personas):
    with pytest.raises(ValidationError, match="member of Acme Buyer"):
        services.finding_add(
            assessment=in_review, kind="condition", text="x", owner_user=personas["outsider"], by=personas["reviewer"]
        )
    assert not in_review.findings.exists()


@pytest.mark.parametrize(
    ("kind", "text", "message"),
    [
        ("risk", "Renew", "finding or a condition"),
        ("condition", "   ", "needs a description"),
        ("finding", "a\x00b", "control"),
    ],
)
def test_add_refuses_bad_input_with_a_message(in_review, personas, kind, text, message):
    with pytest.raises(ValidationError, match=message):
        services.finding_add(assessment=in_review, kind=kind, text=text, by=personas["reviewer"])
    assert not in_review.findings.exists()


def test_add_legacy_text_owner_still_reads_as_the_label(in_review, personas):
    legacy = Finding.objects.create(assessment=in_review, kind="finding", text="Old", owner="Ana from legal")
    assert legacy.owner_label == "Ana from legal"


# --- The owner's moves -------------------------------------------------------------------


def test_owner_moves_open_to_in_progress_to_done_with_closure_notes_and_evidence(condition, personas, in_review):
    viewer = personas["viewer"]  # the owner: a viewer may still update what they own
    services.finding_update(finding=condition, to="in_progress", by=viewer, note="Asked legal")
    upload = SimpleUploadedFile("clause.pdf", b"%PDF-1.7 signed clause")
    services.finding_update(finding=condition, to="done", by=viewer, note="Clause 14.2 signed", upload=upload)
    condition.refresh_from_db()
    assert condition.status == S.DONE and condition.closure_note == "Clause 14.2 signed"
    moves = list(condition.events.values_list("from_status", "to_status", "note"))
    assert moves == [
        ("", "open", ""),
        ("open", "in_progress", "Asked legal"),
        ("in_progress", "done", "Clause 14.2 signed"),
    ]
    (evidence,) = condition.evidence.all()
    assert evidence.original_name == "clause.pdf" and evidence.question_code == "" and evidence.uploaded_by == viewer
    notes = list(in_review.timeline.filter(kind="condition").values_list("note", flat=True))
    assert any("open → in progress" in n for n in notes) and any("→ done, awaiting verification" in n for n in notes)


def test_the_same_closure_file_twice_is_kept_once(condition, personas):
    analyst = personas["analyst"]
    services.finding_update(
        finding=condition, to="in_progress", by=analyst, upload=SimpleUploadedFile("a.txt", b"proof")
    )
    services.finding_update(
        finding=condition, to="done", by=analyst, note="Done", upload=SimpleUploadedFile("b.txt", b"proof")
    )
    assert condition.evidence.count() == 1


def test_done_without_closure_notes_is_refused_and_nothing_changes(condition, personas):
    before = _state(condition)
    with pytest.raises(ValidationError, match="closure notes"):
        services.finding_update(finding=condition, to="done", by=personas["viewer"], note="  ")
    assert _state(condition) == before


def test_a_refused_closure_file_is_a_message_and_nothing_changes(condition, personas):
    before = _state(condition)
    upload = SimpleUploadedFile("run.exe", b"MZ\x90\x00binary")
    with pytest.raises(ValidationError, match="Only PDF, PNG, JPEG"):
        services.finding_update(finding=condition, to="done", by=personas["viewer"], note="Done", upload=upload)
    assert _state(condition) == before and not Evidence.objects.exists()


@pytest.mark.parametrize("who", ["analyst", "admin"])
def test_analysts_and_admins_may_update_on_the_owners_behalf(condition, personas, who):
    services.finding_update(finding=condition, to="in_progress", by=personas[who])
    condition.refresh_from_db()
    assert condition.status == S.IN_PROGRESS


@pytest.mark.parametrize("who", ["reviewer", "outsider", "staff"])
def test_others_may_not_update_and_nothing_changes(condition, personas, who):
    before = _state(condition)
    with pytest.raises(PermissionDenied, match="Only the owner"):
        services.finding_update(finding=condition, to="in_progress", by=personas[who])
    assert _state(condition) == before


@pytest.mark.parametrize("target", ["verified", "accepted", "open", "nonsense"])
def test_the_owner_cannot_verify_accept_or_make_up_a_status(condition, personas, target):
    before = _state(condition)
    with pytest.raises(ValidationError, match="cannot become"):
        services.finding_update(finding=condition, to=target, by=personas["viewer"])
    assert _state(condition) == before


def test_the_owner_can_take_back_a_done_item(condition, personas):
    services.finding_update(finding=condition, to="done", by=personas["viewer"], note="Done")
    services.finding_update(finding=condition, to="in_progress", by=personas["viewer"], note="Not quite")
    condition.refresh_from_db()
    assert condition.status == S.IN_PROGRESS


# --- Verification --------------------------------------------------------------------------


def _done(condition, by):
    services.finding_update(finding=condition, to="done", by=by, note="Signed")
    condition.refresh_from_db()
    return condition


def test_a_reviewer_verifies_a_done_item_and_it_closes(condition, personas):
    _done(condition, personas["viewer"])
    services.finding_verify(finding=condition, by=personas["reviewer"], verified=True, note="Saw the contract")
    condition.refresh_from_db()
    assert condition.status == S.VERIFIED and condition.verified_by == personas["reviewer"]
    assert condition.verified_at is not None and condition.status in Finding.CLOSED
    assert condition.events.last().note == "Saw the contract"


def test_not_verified_goes_back_to_in_progress_with_the_reason(condition, personas):
    _done(condition, personas["viewer"])
    services.finding_verify(finding=condition, by=personas["admin"], verified=False, note="Wrong clause")
    condition.refresh_from_db()
    assert condition.status == S.IN_PROGRESS and condition.verified_at is None
    assert condition.events.last().note == "Not verified: Wrong clause"


def test_not_verified_needs_a_reason_and_nothing_changes(condition, personas):
    _done(condition, personas["viewer"])
    before = _state(condition)
    with pytest.raises(ValidationError, match="why it is not verified"):
        services.finding_verify(finding=condition, by=personas["reviewer"], verified=False, note="")
    assert _state(condition) == before


def test_whoever_marked_it_done_may_not_verify_it(condition, personas):
    _done(condition, personas["admin"])
    before = _state(condition)
    with pytest.raises(ValidationError, match="someone else must verify"):
        services.finding_verify(finding=condition, by=personas["admin"], verified=True)
    assert _state(condition) == before
    services.finding_verify(finding=condition, by=personas["reviewer"], verified=True)
    condition.refresh_from_db()
    assert condition.status == S.VERIFIED


@pytest.mark.parametrize("who", ["analyst", "viewer", "outsider"])
def test_only_reviewers_and_admins_verify(condition, personas, who):
    _done(condition, personas["admin"])
    with pytest.raises(PermissionDenied, match="reviewer or an admin"):
        services.finding_verify(finding=condition, by=personas[who], verified=True)
    condition.refresh_from_db()
    assert condition.status == S.DONE


def test_an_item_not_done_cannot_be_verified(condition, personas):
    with pytest.raises(ValidationError, match="open cannot become verified"):
        services.finding_verify(finding=condition, by=personas["reviewer"], verified=True)


def test_a_verified_item_is_closed_for_the_owner(condition, personas):
    _done(condition, personas["viewer"])
    services.finding_verify(finding=condition, by=personas["reviewer"], verified=True)
    with pytest.raises(ValidationError, match="verified cannot become in progress"):
        services.finding_update(finding=condition, to="in_progress", by=personas["viewer"])


# --- Accepted as risk ----------------------------------------------------------------------


@pytest.mark.parametrize("scope", ["rule", "residual"])
def test_accept_as_risk_rests_on_an_accepted_acceptance(condition, personas, in_review, scope):
    acceptance = _acceptance(in_review, scope=scope)
    acceptance.conditions.add(condition)  # named when the acceptance was recorded
    services.finding_accept_risk(finding=condition, by=personas["approver"], acceptance=acceptance)
    condition.refresh_from_db()
    assert condition.status == S.ACCEPTED and condition.acceptance == acceptance
    assert list(acceptance.conditions.all()) == [condition]
    assert condition.events.last().note == "Rests on: Notice shorter than our exit time"


@pytest.mark.parametrize(
    "make",
    [
        lambda a, other: _acceptance(a, status="requested"),
        lambda a, other: _acceptance(a, scope="knockout"),
        lambda a, other: _acceptance(other),
        lambda a, other: None,
    ],
    ids=["requested only", "a knockout", "another assessment's", "none"],
)
def test_accept_as_risk_refuses_the_wrong_acceptance(condition, personas, in_review, other_assessment, make):
    before = _state(condition)
    with pytest.raises(ValidationError, match="accepted risk acceptance of this assessment"):
        services.finding_accept_risk(
            finding=condition, by=personas["reviewer"], acceptance=make(in_review, other_assessment)
        )
    assert _state(condition) == before


def test_accept_as_risk_refuses_an_expired_acceptance(condition, personas, in_review):
    acceptance = _acceptance(in_review, expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="expired on"):
        services.finding_accept_risk(finding=condition, by=personas["reviewer"], acceptance=acceptance)


def test_accept_as_risk_needs_risk_authority_and_an_acceptance_that_names_the_item(condition, personas, in_review):
    acceptance = _acceptance(in_review)
    before = _state(condition)
    with pytest.raises(ValidationError, match="was not recorded for this condition"):
        services.finding_accept_risk(finding=condition, by=personas["approver"], acceptance=acceptance)
    acceptance.conditions.add(condition)
    with pytest.raises(ValidationError, match="needs risk acceptance authority"):
        services.finding_accept_risk(finding=condition, by=personas["reviewer"], acceptance=acceptance)
    assert _state(condition) == before


def test_only_reviewers_and_admins_accept_as_risk(condition, personas, in_review):
    with pytest.raises(PermissionDenied):
        services.finding_accept_risk(finding=condition, by=personas["viewer"], acceptance=_acceptance(in_review))


# --- After the decision ------------------------------------------------------------------


def test_follow_up_after_the_decision_never_touches_the_frozen_record(decided, personas):
    finding = decided.findings.get()
    frozen, digest = decided.frozen_record, decided.frozen_hash
    assert frozen["findings"][0] | {"id": None} == {
        "id": None,
        "kind": "condition",
        "text": "Disclose the model",
        "owner": "analyst",
        "due_date": None,
        "status": "open",
    }
    services.finding_update(finding=finding, to="done", by=personas["analyst"], note="Vendor disclosed it")
    services.finding_verify(finding=finding, by=personas["reviewer"], verified=True)
    decided.refresh_from_db()
    assert decided.frozen_record == frozen and decided.frozen_hash == digest
    assert decided.findings.get().status == S.VERIFIED


def test_new_findings_are_refused_once_decided(decided, personas):
    with pytest.raises(ValidationError, match="frozen"):
        services.finding_add(assessment=decided, kind="finding", text="Late", by=personas["reviewer"])
