"""The obligations selector (portfolio/obligations.py): each work-queue group, due soon kept
apart from overdue, organisation scoping, and the portfolio-wide open conditions."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Assessment, Finding, RiskAcceptance
from procurement.assessments.records import record_build
from procurement.assessments.selectors import review_due_on
from procurement.core.models import Membership
from procurement.portal import services as portal_services
from procurement.portfolio.obligations import ConditionFilters, obligations_for_user, open_conditions
from procurement.vendors.models import AIService, VendorContact

pytestmark = pytest.mark.django_db

TODAY = dt.date(2026, 6, 15)


def titles(queue, key):
    group = queue.group(key)
    return None if group is None else [i.title for i in group.items]


def queue(user, **kw):
    return obligations_for_user(user, today=kw.pop("today", TODAY), **kw)


def _condition(assessment, owner, days, *, status="open", kind="condition", text=None):
    finding = services.finding_add(
        assessment=assessment,
        kind=kind,
        text=text or ("undated" if days is None else f"due {days:+d}"),
        owner_user=owner,
        due_date=None if days is None else TODAY + dt.timedelta(days=days),
        by=owner,
    )
    if status != "open":
        Finding.objects.filter(pk=finding.pk).update(status=status, verified_at=timezone.now())
    return finding


def _decide_directly(assessment, *, status="approved", decided_at=None, tier=1):
    """A decided assessment without the decide service (its rules are not what is tested here)."""
    record = record_build(assessment)
    record["score"]["tier"] = tier
    decided_at = decided_at or timezone.now()
    # The next review date, as deciding stores it.
    review_due = review_due_on(version=assessment.bank_version, tier=tier, decided_at=decided_at)
    Assessment.objects.filter(pk=assessment.pk).update(
        status=status,
        frozen_record=record,
        frozen_hash="x",
        decided_at=decided_at,
        review_due=review_due if status == "approved" else None,
    )
    assessment.refresh_from_db()
    return assessment


# --- To fill in, vendor submitted, vendor questions -----------------------------------------


def test_to_fill_in_lists_the_editable_assessments_i_own(assessment, personas):
    q = queue(personas["analyst"])
    assert titles(q, "fill_in") == [f"A-{assessment.pk} Frontier Lab — Frontier API"]
    assert q.group("fill_in").items[0].url == f"/assessments/{assessment.pk}/"
    assert titles(queue(personas["admin"]), "fill_in") == []  # owned by the analyst
    assert titles(queue(personas["reviewer"]), "fill_in") is None  # reviewers fill nothing in


def test_an_unowned_editable_assessment_is_for_every_analyst_and_admin(assessment, personas):
    Assessment.objects.filter(pk=assessment.pk).update(owner=None)
    assert len(titles(queue(personas["admin"]), "fill_in")) == 1
    assert titles(queue(personas["viewer"]), "fill_in") is None


def test_vendor_submitted_moves_the_assessment_out_of_to_fill_in(assessment, personas, service):
    contact = VendorContact.objects.create(vendor=service.vendor, name="Vera", email="vera@frontier.example")
    (invitation,) = portal_services.invite(
        assessment=assessment, contacts=[contact], by=personas["analyst"], base_url=""
    )
    invitation.submitted_at = timezone.now()
    invitation.save()
    q = queue(personas["analyst"])
    assert titles(q, "fill_in") == [] and len(titles(q, "vendor_submitted")) == 1


def test_a_vendor_question_waits_until_the_team_replies(assessment, personas):
    services.clarification_add(assessment=assessment, question_code="SUP-05", body="First?", vendor_label="Vera")
    services.clarification_add(assessment=assessment, question_code="SUP-05", body="Which notice?", vendor_label="Vera")
    services.clarification_add(assessment=assessment, question_code="SUP-01", body="Answered", vendor_label="Vera")
    services.clarification_add(assessment=assessment, question_code="SUP-01", body="Here", by=personas["analyst"])
    group = queue(personas["analyst"]).group("vendor_questions")
    assert group.count == 1 and group.items[0].title.endswith("SUP-05: Which notice?")
    assert group.items[0].url == f"/assessments/{assessment.pk}/questions/SUP-05/history/#clarifications"
    assert queue(personas["admin"]).group("vendor_questions").count == 0  # the analyst owns it


# --- Review and acceptance -------------------------------------------------------------------


def test_waiting_for_my_review_is_assigned_to_me_or_to_nobody(complete_assessment, personas, service, shipped_version):
    services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])  # reviewer assigned
    other = services.assessment_create(
        service=service, bank=shipped_version.bank, by=personas["analyst"], reviewers=[personas["admin"]]
    )
    Assessment.objects.filter(pk=other.pk).update(status="submitted")
    nobody = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    Assessment.objects.filter(pk=nobody.pk).update(status="in_review")
    reviewer = queue(personas["reviewer"]).group("review")
    assert {i.assessment_id for i in reviewer.items} == {complete_assessment.pk, nobody.pk}
    assert reviewer.items[0].url.endswith("/review/")
    assert {i.assessment_id for i in queue(personas["admin"]).group("review").items} == {other.pk, nobody.pk}
    assert queue(personas["analyst"]).group("review") is None


def _request(assessment, *, scope="knockout", requested_from=None):
    return RiskAcceptance.objects.create(
        assessment=assessment,
        scope=scope,
        rule="" if scope == "residual" else "notice_gap",
        title=f"{scope} for {requested_from or 'anyone'}",
        requested_from=requested_from,
        requested_at=timezone.now(),
    )


def accepting(user):
    return [i.title.split(": ", 1)[1] for i in queue(user).group("acceptance").items]


def _authority(user, level):
    Membership.objects.filter(user=user).update(authority=level)
    user._membership_cache = Membership.objects.select_related("organisation").get(user=user)


def test_acceptances_named_for_me_or_unnamed_within_my_authority(assessment, personas):
    reviewer = personas["reviewer"]
    Assessment.objects.filter(pk=assessment.pk).update(risk_band="high", status="in_review")
    named = _request(assessment, requested_from=reviewer)
    knockout = _request(assessment)
    residual = _request(assessment, scope="residual")
    _request(assessment, requested_from=personas["admin"])
    declined = _request(assessment, requested_from=reviewer)
    RiskAcceptance.objects.filter(pk=declined.pk).update(status="declined")

    _authority(reviewer, 1)
    assert accepting(reviewer) == [named.title]
    _authority(reviewer, 2)
    assert accepting(reviewer) == [named.title, knockout.title, residual.title]
    Assessment.objects.filter(pk=assessment.pk).update(risk_band="critical")
    assert accepting(reviewer) == [named.title, knockout.title]  # critical needs executive
    _authority(reviewer, 3)
    assert accepting(reviewer) == [named.title, knockout.title, residual.title]


def test_a_member_without_authority_and_nothing_asked_sees_no_acceptance_group(assessment, personas):
    assert queue(personas["viewer"]).group("acceptance") is None


# --- Conditions --------------------------------------------------------------------------------


def test_my_conditions_due_soon_never_lists_the_overdue_ones(in_review, personas):
    analyst = personas["analyst"]
    for days in (-30, -1, 0, 5, 14, 15, None):
        _condition(in_review, analyst, days)
    _condition(in_review, analyst, -3, status="done")  # waits for verification, not for the owner
    _condition(in_review, personas["admin"], -3)  # someone else's
    q = queue(analyst)
    assert titles(q, "conditions_overdue") == ["due -30", "due -1"]
    assert titles(q, "conditions_soon") == ["due +0", "due +5", "due +14"]
    assert all(i.overdue for i in q.group("conditions_overdue").items)
    assert not any(i.overdue for i in q.group("conditions_soon").items)
    first = q.group("conditions_overdue").items[0]
    assert first.url == f"/assessments/{in_review.pk}/findings/{in_review.findings.first().pk}/"


def test_conditions_of_a_rejected_assessment_bind_nobody(in_review, personas):
    _condition(in_review, personas["analyst"], -3)
    _decide_directly(in_review, status="rejected")
    assert queue(personas["analyst"]).group("conditions_overdue").count == 0


def test_done_items_wait_for_a_verifier_who_did_not_mark_them_done(in_review, personas):
    finding = _condition(in_review, personas["admin"], 3)
    services.finding_update(finding=finding, to="done", by=personas["admin"], note="Done")
    assert titles(queue(personas["reviewer"]), "verify") == ["due +3"]
    assert titles(queue(personas["admin"]), "verify") == []
    assert queue(personas["analyst"]).group("verify") is None


def test_each_group_shows_a_few_and_counts_them_all(in_review, personas):
    for _ in range(11):
        _condition(in_review, personas["analyst"], -2)
    group = queue(personas["analyst"], limit=4).group("conditions_overdue")
    assert len(group.items) == 4 and group.count == 11


def test_the_queue_costs_the_same_number_of_queries_whatever_it_holds(in_review, personas):
    analyst = personas["analyst"]
    for days in range(-10, 10):
        _condition(in_review, analyst, days)
    queue(analyst)  # warm the bank structure cache
    with CaptureQueriesContext(connection) as some:
        queue(analyst)
    for days in range(-50, 14):
        _condition(in_review, analyst, days)
    with CaptureQueriesContext(connection) as many:
        queue(analyst)
    assert len(many) == len(some)


# --- Reviews -----------------------------------------------------------------------------------


def test_reviews_overdue_and_due_soon_are_kept_apart(complete_assessment, personas, service, shipped_version):
    today = timezone.localdate()
    _decide_directly(complete_assessment, decided_at=timezone.now() - dt.timedelta(days=400))  # 12 months: overdue
    second = AIService.objects.create(vendor=service.vendor, name="Frontier Batch")
    soon = services.assessment_create(service=second, bank=shipped_version.bank, by=personas["analyst"])
    _decide_directly(soon, decided_at=timezone.now() - dt.timedelta(days=340))  # due in about 25 days
    q = obligations_for_user(personas["analyst"], today=today)
    assert [i.assessment_id for i in q.group("reviews_overdue").items] == [complete_assessment.pk]
    assert [i.assessment_id for i in q.group("reviews_soon").items] == [soon.pk]
    assert q.group("reviews_overdue").items[0].url == f"/assessments/new/?service={service.pk}"
    assert q.group("reviews_soon").items[0].overdue is False


def test_a_flagged_service_is_a_reassessment_not_a_review(complete_assessment, personas, service):
    _decide_directly(complete_assessment)
    services.reassessment_mark(service=service, reason="Provider changed")
    q = obligations_for_user(personas["admin"], today=timezone.localdate())
    assert [i.detail for i in q.group("reassess").items] == ["Provider changed"]
    assert q.group("reviews_overdue").count == 0 and q.group("reviews_soon").count == 0


# --- Organisation scoping ----------------------------------------------------------------------


def test_nothing_crosses_organisations(in_review, other_assessment, personas):
    _condition(in_review, personas["analyst"], -2, text="ours")
    _condition(other_assessment, personas["outsider"], -2, text="theirs")
    assert titles(queue(personas["analyst"]), "conditions_overdue") == ["ours"]
    outsider = queue(personas["outsider"])
    assert titles(outsider, "conditions_overdue") == ["theirs"]
    assert all(i.assessment_id == other_assessment.pk for g in outsider.groups for i in g.items)
    assert obligations_for_user(personas["staff"], today=TODAY).groups == []
    assert [i.title for i in open_conditions(in_review.organisation, today=TODAY)] == ["ours"]


# --- Open conditions ---------------------------------------------------------------------------


def test_open_conditions_filters(in_review, personas, service, shipped_version):
    analyst, admin = personas["analyst"], personas["admin"]
    _condition(in_review, analyst, -2, text="late")
    _condition(in_review, admin, 5, text="admin's", kind="finding")
    _condition(in_review, analyst, None, text="undated", status="in_progress")
    _condition(in_review, analyst, 1, text="closed", status="verified")
    second = AIService.objects.create(vendor=service.vendor, name="Frontier Batch")
    elsewhere = services.assessment_create(service=second, bank=shipped_version.bank, by=analyst)
    _condition(elsewhere, analyst, 9, text="batch")
    org = in_review.organisation

    def found(**filters):
        return [i.title for i in open_conditions(org, ConditionFilters(**filters), today=TODAY)]

    assert found() == ["late", "admin's", "batch", "undated"]  # soonest first, undated last
    assert found(overdue=True) == ["late"]
    assert found(owner=admin.pk) == ["admin's"]
    assert found(service=second.pk) == ["batch"]
    assert found(vendor=service.vendor_id) == ["late", "admin's", "batch", "undated"]
    assert found(statuses=("in_progress",)) == ["undated"]
    assert found(statuses=("verified",)) == ["closed"]
    assert found(kind="finding") == ["admin's"]
    (late,) = open_conditions(org, ConditionFilters(overdue=True), today=TODAY)
    assert (late.kind, late.owner, late.overdue, late.status, late.vendor) == (
        "condition",
        "analyst",
        True,
        "Open",
        "Frontier Lab",
    )


def test_a_request_on_a_decided_assessment_waits_for_nobody(assessment, personas):
    _request(assessment, requested_from=personas["reviewer"])
    Assessment.objects.filter(pk=assessment.pk).update(status="approved", frozen_record={})
    assert queue(personas["reviewer"]).group("acceptance") is None


# --- The home page's dates ahead ----------------------------------------------------------------


def _register_document(vendor, name: str, *, expires_on: dt.date, kind: str = "iso27001"):
    import hashlib

    from procurement.vendors.documents import CheckedUpload, document_store
    from procurement.vendors.evidence import document_details_save

    data = b"%PDF-1.7\n" + name.encode()
    checked = CheckedUpload(
        data=data, name=name, content_type="application/pdf", sha256=hashlib.sha256(data).hexdigest()
    )
    document, _ = document_store(vendor=vendor, checked=checked, by=None, by_label="test")
    values = {"kind": kind, "issued_on": expires_on - dt.timedelta(days=700), "expires_on": expires_on}
    return document_details_save(document=document, values=values, subservice=None, by=None)


def test_the_home_pages_dates_are_the_organisations_evidence_and_contract_dates_passed_or_near(
    service, other_service, personas
):
    from procurement.portfolio.obligations import dates_ahead
    from procurement.vendors.models import Contract

    today = timezone.localdate()
    _register_document(service.vendor, "soon.pdf", expires_on=today + dt.timedelta(days=10))
    _register_document(service.vendor, "passed.pdf", expires_on=today - dt.timedelta(days=3), kind="iso42001")
    _register_document(service.vendor, "far.pdf", expires_on=today + dt.timedelta(days=200), kind="dpa")
    _register_document(other_service.vendor, "theirs.pdf", expires_on=today + dt.timedelta(days=5))
    for s in (service, other_service):
        Contract.objects.create(
            service=s,
            reference=f"MSA-{s.pk}",
            buyer_party="Buyer",
            vendor_party="Vendor",
            start_date=today - dt.timedelta(days=300),
            end_date=today + dt.timedelta(days=50),
            auto_renews=True,
            renewal_notice_days=30,
        )
    evidence, contracts = dates_ahead(service.vendor.organisation, today=today)
    assert [i.title.split("“")[1].split("”")[0] for i in evidence.items] == ["passed.pdf", "soon.pdf"]
    assert evidence.items[0].overdue and not evidence.items[1].overdue
    assert [(i.kind, i.due_date) for i in contracts.items] == [("contract_notice", today + dt.timedelta(days=20))]
    assert f"MSA-{service.pk}" in contracts.items[0].detail
    assert evidence.more_url.startswith("/portfolio/calendar/?") and "kind=evidence_expiry" in evidence.more_url
