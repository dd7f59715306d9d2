"""The assessments layer's events, each an outbox row for the right people naming the
assessment, the vendor and the action: reviewers assigned, reassessment flagged, risk
acceptance requested, decision made."""

import datetime as dt

import pytest
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Decision, RiskAcceptance
from procurement.assessments.notifications import notify_acceptance_requested, notify_decision_made
from procurement.core.models import Membership
from procurement.core.services import membership_set
from tests.mailparts import mail_parts, rows

pytestmark = pytest.mark.django_db


@pytest.fixture
def team(personas):
    for name in ("analyst", "reviewer", "admin", "viewer"):
        personas[name].email = f"{name}@acme.example"
        personas[name].save()
    return personas


def _check(row, *, assessment, action: str, words: str = ""):
    parts = mail_parts(row)
    label = f"A-{assessment.pk} Frontier Lab — Frontier API"
    assert label in parts.subject
    for body in (parts.text, parts.html):
        assert label in body and "Vendor: Frontier Lab" in body and action in body and words in body
    return parts


def test_reviewers_named_at_creation_are_told(service, shipped_version, team):
    a = services.assessment_create(
        service=service, bank=shipped_version.bank, by=team["analyst"], reviewers=[team["reviewer"], team["analyst"]]
    )
    (row,) = rows("core.notification")  # not the analyst, who assigned themselves
    assert row.recipient == "reviewer@acme.example" and row.payload["kind"] == "reviewer_assigned"
    _check(row, assessment=a, action="Open the assessment", words="Assigned by analyst")


def test_reviewers_assigned_later_are_told_once_and_only_the_new_ones(assessment, team):
    assert rows() == []  # the fixture's reviewer had no address then
    added = services.assessment_reviewers_set(
        assessment=assessment, reviewers=[team["reviewer"], team["admin"]], by=team["analyst"]
    )
    assert added == [team["admin"]]
    (row,) = rows("core.notification")
    assert row.recipient == "admin@acme.example"
    _check(row, assessment=assessment, action="Open the assessment", words="You are a reviewer")
    services.assessment_reviewers_set(
        assessment=assessment, reviewers=[team["reviewer"], team["admin"]], by=team["analyst"]
    )
    assert len(rows()) == 1
    assert assessment.timeline.filter(kind="reviewers").count() == 1


def test_a_flagged_reassessment_tells_the_owner(assessment, service, team):
    services.reassessment_mark(service=service, reason="Shorter notice: Frontier API → Rival DC now 30 days.")
    (row,) = rows("core.notification")
    assert row.recipient == "analyst@acme.example" and row.payload["kind"] == "reassessment_flagged"
    _check(row, assessment=assessment, action="Open the assessment", words="Shorter notice")
    services.reassessment_mark(service=service, reason="Shorter notice: Frontier API → Rival DC now 30 days.")
    assert len(rows()) == 1  # the same reason again is the same event


def _request(assessment, team, **extra):
    return RiskAcceptance.objects.create(
        assessment=assessment,
        scope="knockout",
        rule=extra.pop("rule", "notice_gap"),
        title="Notice gap: 90 days' notice against 180 days to migrate",
        requested_by=team["reviewer"],
        requested_at=timezone.now(),
        request_note="Contract renegotiation is under way.",
        **extra,
    )


def test_an_acceptance_requested_of_someone_tells_them(assessment, team):
    acceptance = _request(assessment, team, requested_from=team["admin"])
    notify_acceptance_requested(acceptance=acceptance)
    (row,) = rows("core.notification")
    assert row.recipient == "admin@acme.example" and row.payload["kind"] == "acceptance_requested"
    _check(row, assessment=assessment, action="Accept or decline", words="Notice gap: 90 days")


def test_an_acceptance_requested_of_nobody_tells_every_member_who_may_accept_it(
    assessment, team, org, django_user_model
):
    second = django_user_model.objects.create_user("rory", email="rory@acme.example")
    membership_set(user=second, organisation=org, role=Membership.Role.REVIEWER)
    for name, level in (("admin", 3), ("reviewer", 3), ("viewer", 3), ("analyst", 1)):
        Membership.objects.filter(user=team[name]).update(authority=level)
    Membership.objects.filter(user=second).update(authority=Membership.Authority.RISK)
    notify_acceptance_requested(acceptance=_request(assessment, team), authority=Membership.Authority.RISK)
    # The reviewer asked, so is not asked; a viewer may not decide; the analyst's authority is too low.
    assert sorted(r.recipient for r in rows()) == ["admin@acme.example", "rory@acme.example"]
    notify_acceptance_requested(acceptance=_request(assessment, team, rule="single_provider"), authority=3)
    assert [r.recipient for r in rows()][2:] == ["admin@acme.example"]  # executive only


def test_a_decision_tells_the_owner_reviewers_and_requesters_but_not_the_decider(in_review, team):
    _request(in_review, team)
    Decision.objects.create(
        assessment=in_review,
        outcome="approved",
        by=team["admin"],
        by_label="Ada Admin",
        at=timezone.now(),
        recommendation="reject",
        differs=True,
        note="Accepted with the notice-gap waiver.",
    )
    notify_decision_made(assessment=in_review)
    told = rows("core.notification")
    assert sorted(r.recipient for r in told) == ["analyst@acme.example", "reviewer@acme.example"]
    parts = _check(told[0], assessment=in_review, action="See the decision", words="Ada Admin decided: approved.")
    assert "The engine recommended: reject." in parts.text and "notice-gap waiver" in parts.text
    assert parts.subject.startswith("Decision: approved — ")


# --- Through the decide services -----------------------------------------------------------


@pytest.fixture
def approver(personas):
    personas["approver"].email = "approver@acme.example"
    personas["approver"].save()
    return personas["approver"]


def test_requesting_an_acceptance_tells_those_who_may_accept_it(in_review, team, approver):
    services.acceptance_request(assessment=in_review, by=team["reviewer"], scope="residual", note="Before launch")
    (row,) = rows("core.notification")
    assert row.recipient == "approver@acme.example" and row.payload["kind"] == "acceptance_requested"
    _check(row, assessment=in_review, action="Accept or decline", words="High residual risk")


def test_a_decision_through_the_service_tells_the_owner_and_the_requester(in_review, team, approver):
    services.acceptance_request(assessment=in_review, by=team["reviewer"], scope="residual")
    services.acceptance_record(
        assessment=in_review,
        by=approver,
        scope="residual",
        reason="Pilot only",
        expires_on=timezone.localdate() + dt.timedelta(days=90),
        authenticated_at=timezone.now(),
    )
    services.assessment_decide(assessment=in_review, by=approver, approve=True, authenticated_at=timezone.now())
    told = [r for r in rows("core.notification") if r.payload["kind"] == "decision_made"]
    assert sorted(r.recipient for r in told) == ["analyst@acme.example", "reviewer@acme.example"]
    _check(told[0], assessment=in_review, action="See the decision", words="decided: approved.")
