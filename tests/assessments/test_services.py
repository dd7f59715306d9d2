import importlib

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Answer, AnswerChange, Assessment, TimelineEvent
from procurement.assessments.selectors import assessment_score
from procurement.assessments.services import AnswerInput, StaleSection
from procurement.questionbank.models import BankVersion
from procurement.questionbank.services import version_new_draft, version_publish
from procurement.vendors.models import AIService

pytestmark = pytest.mark.django_db
S = Assessment.Status


def test_create_pins_the_latest_published_version(assessment, shipped_version):
    assert assessment.bank_version == shipped_version and assessment.status == S.DRAFT
    draft = version_new_draft(version=shipped_version)
    version_publish(version=draft, changelog="Test change.")
    assessment.refresh_from_db()
    assert assessment.bank_version == shipped_version  # never changes by itself


@pytest.mark.django_db(transaction=True)
def test_marking_the_newest_outside_a_transaction_takes_its_own_as_after_a_bulk_insert(
    assessment, personas, service, shipped_version
):
    """`make bench-scale` inserts in bulk, then marks, with no transaction open: on PostgreSQL the
    services' lock (select_for_update) needs one."""
    later = Assessment.objects.bulk_create(
        [Assessment(organisation=service.vendor.organisation, service=service, bank_version=shipped_version)]
    )[0]
    assert not transaction.get_connection().in_atomic_block
    services.assessments_newest_refresh(service_ids=[service.pk])
    assert list(Assessment.objects.filter(service=service, is_newest=True).values_list("pk", flat=True)) == [later.pk]


def test_each_service_has_one_newest_assessment_kept_when_one_is_created_or_deleted(
    assessment, personas, service, shipped_version
):
    def newest(svc):
        return list(Assessment.objects.filter(service=svc, is_newest=True).values_list("pk", flat=True))

    other = AIService.objects.create(vendor=service.vendor, name="Frontier Batch")
    elsewhere = services.assessment_create(service=other, bank=shipped_version.bank, by=personas["analyst"])
    assert assessment.is_newest and newest(service) == [assessment.pk]
    second = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    assert second.is_newest and newest(service) == [second.pk] and newest(other) == [elsewhere.pk]
    # Nothing in the product deletes an assessment; one deleted by hand is followed by a refresh.
    Assessment.objects.filter(pk=second.pk).delete()
    services.assessments_newest_refresh(service_ids=[service.pk, other.pk])
    assert newest(service) == [assessment.pk] and newest(other) == [elsewhere.pk]
    Assessment.objects.filter(pk=assessment.pk).delete()
    services.assessments_newest_refresh(service_ids=[service.pk])
    assert newest(service) == []
    # Inserted in bulk (as the bench does), then marked: the last created wins.
    bulk = Assessment.objects.bulk_create(
        [Assessment(organisation=other.vendor.organisation, service=other, bank_version=shipped_version) for _ in "abc"]
    )
    assert newest(other) == [elsewhere.pk]
    services.assessments_newest_refresh(service_ids=[other.pk])
    assert newest(other) == [bulk[-1].pk]
    with pytest.raises(IntegrityError), transaction.atomic():  # the database holds one per service
        Assessment.objects.filter(pk=elsewhere.pk).update(is_newest=True)


def test_the_migration_marks_each_services_newest_assessment(assessment, personas, service, shipped_version):
    second = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    Assessment.objects.update(is_newest=False)
    migration = importlib.import_module("procurement.assessments.migrations.0019_assessment_is_newest")
    migration.fill_is_newest(django_apps, None)
    assert list(Assessment.objects.filter(is_newest=True).values_list("pk", flat=True)) == [second.pk]


def test_saving_answers_records_every_change_and_moves_to_in_progress(assessment, personas):
    analyst = personas["analyst"]
    services.answers_save(
        assessment=assessment, values={"SUP-05": AnswerInput(90)}, by=analyst, base_revisions={"SUP": 0}
    )
    services.answers_save(
        assessment=assessment, values={"SUP-05": AnswerInput(365)}, by=analyst, base_revisions={"SUP": 1}
    )
    changes = list(AnswerChange.objects.filter(assessment=assessment, question_code="SUP-05"))
    assert [c.old_value for c in changes] == [None, {"value": 90, "na": False, "na_reason": ""}]
    assert [c.new_value["value"] for c in changes] == [90, 365]
    assert all(c.by == analyst for c in changes)
    assessment.refresh_from_db()
    assert assessment.status == S.IN_PROGRESS


def test_unchanged_answers_write_no_history(assessment, personas):
    values = {"SUP-05": AnswerInput(90)}
    services.answers_save(assessment=assessment, values=values, by=personas["analyst"], base_revisions=None)
    revisions = services.answers_save(assessment=assessment, values=values, by=personas["analyst"], base_revisions=None)
    assert AnswerChange.objects.filter(question_code="SUP-05").count() == 1 and revisions == {"SUP": 1}


def test_a_stale_save_is_refused_and_writes_nothing(assessment, personas):
    services.answers_save(
        assessment=assessment, values={"SUP-05": AnswerInput(90)}, by=personas["admin"], base_revisions={"SUP": 0}
    )
    with pytest.raises(StaleSection) as exc:
        services.answers_save(
            assessment=assessment, values={"SUP-05": AnswerInput(30)}, by=personas["analyst"], base_revisions={"SUP": 0}
        )
    assert exc.value.current_revision == 1 and exc.value.section_code == "SUP"
    assert Answer.objects.get(question_code="SUP-05").value == 90


def test_na_needs_a_reason_in_the_database_too(assessment):
    with pytest.raises(IntegrityError):
        Answer.objects.create(assessment=assessment, question_code="SUP-05", na=True, na_reason="")


def test_unknown_question_codes_are_refused(assessment, personas):
    with pytest.raises(ValidationError, match="NOPE-1"):
        services.answers_save(
            assessment=assessment, values={"NOPE-1": AnswerInput(1)}, by=personas["analyst"], base_revisions=None
        )


def test_submit_lists_every_missing_visible_question(assessment, personas):
    with pytest.raises(services.MissingAnswers) as exc:
        services.assessment_submit(assessment=assessment, by=personas["analyst"])
    codes = {code for _, code in exc.value.missing}
    assert "SUP-05" in codes and "SEC-01A" not in codes  # hidden until SEC-01 qualifies
    assert "CON-12" not in codes and "SEC-01B" not in codes  # reviewer-only and evidence are optional
    assessment.refresh_from_db()
    assert assessment.status == S.DRAFT


def test_full_workflow_with_every_transition_on_the_timeline(complete_assessment, personas, accept_residual):
    a = complete_assessment
    services.assessment_submit(assessment=a, by=personas["analyst"])
    services.assessment_start_review(assessment=a, by=personas["reviewer"])
    services.assessment_request_changes(assessment=a, by=personas["reviewer"], comment="Explain SUP-05")
    services.answers_save(
        assessment=a, values={"SUP-05": AnswerInput(200)}, by=personas["analyst"], base_revisions=None
    )
    services.assessment_submit(assessment=a, by=personas["analyst"])
    services.assessment_start_review(assessment=a, by=personas["reviewer"])
    accept_residual(a)
    services.assessment_decide(assessment=a, by=personas["reviewer"], approve=True, authenticated_at=timezone.now())
    a.refresh_from_db()
    moves = list(TimelineEvent.objects.filter(assessment=a, kind="status").values_list("from_status", "to_status"))
    assert moves == [
        ("draft", "in_progress"),
        ("in_progress", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "changes_requested"),
        ("changes_requested", "submitted"),
        ("submitted", "in_review"),
        ("in_review", "approved"),
    ]
    assert a.status == S.APPROVED and a.frozen_record and len(a.frozen_hash) == 64


@pytest.mark.parametrize(
    ("action", "status"),
    [
        ("start_review", "draft"),
        ("decide", "draft"),
        ("decide", "submitted"),
        ("request_changes", "in_progress"),
        ("submit", "in_review"),
        ("submit", "approved"),
        ("start_review", "rejected"),
    ],
)
def test_illegal_moves_are_refused(assessment, personas, action, status):
    Assessment.objects.filter(pk=assessment.pk).update(
        status=status, frozen_record={} if status in Assessment.FINAL else None
    )
    assessment.refresh_from_db()
    call = {
        "start_review": lambda: services.assessment_start_review(assessment=assessment, by=personas["reviewer"]),
        "decide": lambda: services.assessment_decide(
            assessment=assessment, by=personas["reviewer"], approve=True, authenticated_at=timezone.now()
        ),
        "request_changes": lambda: services.assessment_request_changes(
            assessment=assessment, by=personas["reviewer"], comment="x"
        ),
        "submit": lambda: services.assessment_submit(assessment=assessment, by=personas["analyst"]),
    }[action]
    with pytest.raises(ValidationError, match="cannot become"):
        call()
    assessment.refresh_from_db()
    assert assessment.status == status


def test_answers_are_locked_once_submitted(complete_assessment, personas):
    services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
    with pytest.raises(ValidationError, match="answers can only change"):
        services.answers_save(
            assessment=complete_assessment,
            values={"SUP-05": AnswerInput(1)},
            by=personas["analyst"],
            base_revisions=None,
        )


def test_override_needs_a_reason_and_keeps_the_original(in_review, personas):
    with pytest.raises(ValidationError, match="needs a reason"):
        services.override_set(
            assessment=in_review, question_code="SUP-05", points=1, reason="  ", by=personas["reviewer"]
        )
    services.override_set(
        assessment=in_review, question_code="SUP-05", points=1, reason="Lease renewed", by=personas["reviewer"]
    )
    services.override_set(
        assessment=in_review, question_code="SUP-05", points=2, reason="Renewal unsigned", by=personas["reviewer"]
    )
    result = assessment_score(in_review)
    sup05 = next(q for q in result.questions if q.code == "SUP-05")
    assert (sup05.original_points, sup05.points, sup05.override_reason) == (3, 2, "Renewal unsigned")
    assert in_review.overrides.count() == 2 and in_review.overrides.filter(active=True).count() == 1


def test_frozen_record_survives_a_new_bank_version(in_review, personas, shipped_version):
    services.override_set(
        assessment=in_review, question_code="SUP-05", points=1, reason="Lease renewed", by=personas["reviewer"]
    )
    decided = services.assessment_decide(
        assessment=in_review, by=personas["reviewer"], approve=False, note="No", authenticated_at=timezone.now()
    )
    record, digest = decided.frozen_record, decided.frozen_hash
    # Edit the bank: a new draft with changed points and text, published as v2.
    draft = version_new_draft(version=shipped_version)
    q = draft.questions.get(code="SUP-05")
    q.text = "Changed wording"
    q.bands = [{"from": 0, "to": None, "points": 0}]
    q.save()
    assert version_publish(version=draft, changelog="Test change.").number == 2
    decided.service.vendor.name = "Renamed vendor"
    decided.service.vendor.save()
    decided.refresh_from_db()
    assert decided.frozen_record == record and decided.frozen_hash == digest
    assert decided.bank_version == shipped_version
    assert record["decision"]["outcome"] == "rejected" and record["vendor"]["name"] == "Frontier Lab"
    assert record["score"]["decision"] == "executive_acceptance"
    assert record["answers"]["SUP-05"]["value"] == 90
    assert record["overrides"][0]["points"] == 1
    assert record["bank"]["version"] == 1 and record["bank"]["document"]["sections"][2]["code"] == "SUP"
    # Recomputing from the (immutable) pinned version gives the same score.
    assert [dict(s) for s in assessment_score(decided).as_dict()["sections"]] == record["score"]["sections"]
    assert BankVersion.objects.get(pk=shipped_version.pk).questions.get(code="SUP-05").text != "Changed wording"
