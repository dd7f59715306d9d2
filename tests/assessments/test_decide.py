"""Deciding: authority, risk acceptances, separation of duties, re-authentication and staleness.

The lab-api profile (``in_review``) is recommended for executive risk acceptance with a High
residual; the thin-SaaS profile has four knockouts (the model-retirement one since the bank's
judgement rules) and a Critical residual.
"""

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Assessment, Decision, RiskAcceptance
from procurement.assessments.services import AnswerInput
from procurement.core.models import Membership
from procurement.core.services import membership_set

pytestmark = pytest.mark.django_db

NOW = timezone.now


def _decide(assessment, by, *, approve=True, note="", **kw):
    return services.assessment_decide(
        assessment=assessment, by=by, approve=approve, note=note, authenticated_at=kw.pop("at", NOW()), **kw
    )


def _accept(assessment, by, *, scope="residual", rule="", days=90, **kw):
    return services.acceptance_record(
        assessment=assessment,
        by=by,
        scope=scope,
        rule=rule,
        reason=kw.pop("reason", "Accepted for the pilot"),
        expires_on=timezone.localdate() + dt.timedelta(days=days),
        authenticated_at=kw.pop("at", NOW()),
        **kw,
    )


def _unchanged(assessment):
    assessment.refresh_from_db()
    assert assessment.status == Assessment.Status.IN_REVIEW and assessment.frozen_record is None
    assert not Decision.objects.filter(assessment=assessment).exists()


@pytest.fixture
def thin_saas(org, personas, shipped_version, service):
    """Four knockouts and a Critical residual, in review."""
    a = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    from procurement.assessments.demo import profile_answers

    services.answers_save(
        assessment=a, values=profile_answers("thin-saas-reseller"), by=personas["analyst"], base_revisions=None
    )
    services.assessment_submit(assessment=a, by=personas["analyst"])
    services.assessment_start_review(assessment=a, by=personas["reviewer"])
    a.refresh_from_db()
    return a


def test_a_standard_reviewer_cannot_approve_an_executive_acceptance_without_one(in_review, personas):
    with pytest.raises(ValidationError) as err:
        _decide(in_review, personas["reviewer"])
    assert err.value.messages == [
        "High residual risk: needs a risk acceptance by a member with risk acceptance authority."
    ]
    _unchanged(in_review)


def test_with_the_acceptance_recorded_the_reviewer_approves_and_both_are_frozen(in_review, personas):
    acceptance = _accept(in_review, personas["approver"], compensating_controls="Second provider on standby")
    assert (acceptance.status, acceptance.accepted_authority) == ("accepted", Membership.Authority.EXECUTIVE)
    decided = _decide(in_review, personas["reviewer"])
    decision = decided.decision
    assert (decision.outcome, decision.role, decision.authority, decision.differs) == ("approved", "reviewer", 1, False)
    assert decision.recommendation == "executive_acceptance" and decision.residual == "high"
    record = decided.frozen_record
    assert record["format"] == 2
    assert record["decision"]["role"] == "reviewer" and record["decision"]["authority_label"] == "standard"
    (frozen,) = record["acceptances"]
    assert frozen["by"] == "approver" and frozen["authority_label"] == "executive"
    assert frozen["compensating_controls"] == "Second provider on standby" and frozen["expires_on"]
    assert decided.timeline.filter(kind="risk accepted").exists()


def test_accepting_risk_needs_the_authority(in_review, personas):
    with pytest.raises(ValidationError, match="needs risk acceptance authority"):
        _accept(in_review, personas["reviewer"])
    assert not in_review.acceptances.exists()


@pytest.mark.parametrize(
    ("days", "message"),
    [(0, "Set an expiry date after today"), (-5, "Set an expiry date after today"), (1200, "at most three years")],
)
def test_an_acceptance_needs_a_sensible_expiry(in_review, personas, days, message):
    with pytest.raises(ValidationError, match=message):
        _accept(in_review, personas["approver"], days=days)
    assert not in_review.acceptances.exists()


def test_an_acceptance_needs_a_reason(in_review, personas):
    with pytest.raises(ValidationError, match="Give the reason"):
        _accept(in_review, personas["approver"], reason="  ")


def test_an_expired_acceptance_no_longer_counts(in_review, personas):
    acceptance = _accept(in_review, personas["approver"])
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    with pytest.raises(ValidationError, match="High residual risk"):
        _decide(in_review, personas["reviewer"])
    _unchanged(in_review)


def test_knockouts_accepted_become_waivers_and_a_critical_residual_needs_two_executives(thin_saas, personas):
    result = services.decision_review(assessment=thin_saas, user=personas["approver"], authenticated_at=NOW()).result
    knockouts = [k.name for k in result.knockouts]
    assert len(knockouts) == 4 and result.residual == "critical" and result.decision == "reject"
    for name in knockouts:
        _accept(thin_saas, personas["approver"], scope="knockout", rule=name)
    review = services.decision_review(assessment=thin_saas, user=personas["reviewer"], authenticated_at=NOW())
    assert all(k.waived for k in review.result.knockouts)
    assert review.verdict.approve_problems == [
        "Critical residual risk: needs 2 risk acceptances by different members with executive authority (0 recorded)."
    ]
    _accept(thin_saas, personas["approver"])
    with pytest.raises(ValidationError, match="You have already accepted this risk"):
        _accept(thin_saas, personas["approver"])
    admin = Membership.objects.get(user=personas["admin"])
    admin.authority = Membership.Authority.EXECUTIVE
    admin.save()
    _accept(thin_saas, personas["admin"])
    # Approving a Critical residual goes against the recommendation (reject): a note is needed.
    with pytest.raises(ValidationError, match="departs from the recommendation"):
        _decide(thin_saas, personas["reviewer"])
    decided = _decide(thin_saas, personas["reviewer"], note="Board accepted the pilot for three months.")
    assert decided.decision.differs and decided.status == "approved"
    assert decided.frozen_record["decision"]["difference"].startswith("Approved against the engine's recommendation")
    assert len(decided.frozen_record["acceptances"]) == 6


def test_a_pending_knockout_blocks_approval_until_it_is_accepted(org, personas, shipped_version, service):
    """30 days' retirement notice against 180 days to migrate, and the pinned-version question
    unanswered: the retirement knockout is pending, and approving waits for it."""
    from procurement.assessments.demo import profile_answers

    a = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    answers = profile_answers("hyperscaler-pinned-region")
    answers.update({"MOD-03": AnswerInput(30), "INT-06": AnswerInput(180)})
    services.answers_save(assessment=a, values=answers, by=personas["analyst"], base_revisions=None)
    services.assessment_submit(assessment=a, by=personas["analyst"])
    services.assessment_start_review(assessment=a, by=personas["reviewer"])
    # Submitting needs every visible answer, so a rule is pending in review only when a stored
    # answer cannot be read; removing the row stands in for that.
    a.answers.filter(question_code="MOD-13").delete()
    a.refresh_from_db()
    review = services.decision_review(assessment=a, user=personas["reviewer"], authenticated_at=NOW())
    assert [(p.name, p.missing, p.severity) for p in review.result.pending_rules] == [
        ("model_retirement_notice", ("MOD-13",), "knockout")
    ]
    assert review.verdict.approve_problems == [
        "Knockout “Model retirement or change notice shorter than our migration (waiting for answers)”: needs a"
        " risk acceptance by a member with risk acceptance authority."
    ]
    with pytest.raises(ValidationError):
        _decide(a, personas["reviewer"])
    _accept(a, personas["approver"], scope="knockout", rule="model_retirement_notice")
    assert _decide(a, personas["reviewer"]).status == "approved"


def test_rejecting_an_approve_recommendation_needs_a_note(org, personas, shipped_version, service):
    from procurement.assessments.demo import profile_answers

    a = services.assessment_create(service=service, bank=shipped_version.bank, by=personas["analyst"])
    answers = profile_answers("hyperscaler-pinned-region")
    services.answers_save(assessment=a, values=answers, by=personas["analyst"], base_revisions=None)
    services.assessment_submit(assessment=a, by=personas["analyst"])
    services.assessment_start_review(assessment=a, by=personas["reviewer"])
    with pytest.raises(ValidationError, match="departs from the recommendation \\(approve\\)"):
        _decide(a, personas["reviewer"], approve=False)
    assert _decide(a, personas["reviewer"], approve=False, note="Price").decision.differs


def test_separation_of_duties_bars_the_owner_unless_the_organisation_relaxes_it(in_review, personas, org):
    Assessment.objects.filter(pk=in_review.pk).update(owner=personas["reviewer"])
    with pytest.raises(ValidationError, match="You own it, so someone else must decide it"):
        _decide(in_review, personas["reviewer"], approve=False)
    _unchanged(in_review)
    org.separation_of_duties = False
    org.save()
    decided = _decide(in_review, personas["reviewer"], approve=False)
    assert decided.decision.separation_relaxed
    assert "as the organisation's setting allows" in decided.frozen_record["decision"]["difference"]


def test_whoever_answered_and_submitted_cannot_decide(complete_assessment, personas):
    membership_set(user=personas["analyst"], organisation=complete_assessment.organisation, role="admin")
    services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
    services.assessment_start_review(assessment=complete_assessment, by=personas["analyst"])
    complete_assessment.reviewers.clear()
    with pytest.raises(ValidationError, match="You own it, answered questions in it and submitted it"):
        _decide(complete_assessment, personas["analyst"], approve=False)


def test_separation_of_duties_applies_to_accepting_risk(in_review, personas):
    Assessment.objects.filter(pk=in_review.pk).update(owner=personas["approver"])
    with pytest.raises(ValidationError, match="You own it"):
        _accept(in_review, personas["approver"])


def test_assigned_reviewers_decide_or_someone_with_more_authority(in_review, personas, django_user_model, org):
    other = django_user_model.objects.create_user("other-reviewer")
    membership_set(user=other, organisation=org, role="reviewer")
    with pytest.raises(ValidationError, match="Reviewers are assigned"):
        _decide(in_review, other, approve=False)
    with pytest.raises(ValidationError, match="Reviewers are assigned"):
        _decide(in_review, personas["admin"], approve=False)
    assert _decide(in_review, personas["approver"], approve=False).status == "rejected"


@pytest.mark.parametrize("minutes_ago", [None, 16, 60 * 24])
def test_deciding_needs_a_recent_sign_in(in_review, personas, minutes_ago):
    at = None if minutes_ago is None else NOW() - dt.timedelta(minutes=minutes_ago)
    with pytest.raises(ValidationError, match="Confirm your password first"):
        _decide(in_review, personas["reviewer"], approve=False, at=at)
    _unchanged(in_review)
    with pytest.raises(ValidationError, match="Confirm your password first"):
        _accept(in_review, personas["approver"], at=at)


def test_a_stale_confirmation_is_refused(in_review, personas):
    state = services.decision_state(in_review)
    services.override_set(
        assessment=in_review, question_code="SUP-05", points=1, reason="Lease renewed", by=personas["reviewer"]
    )
    with pytest.raises(ValidationError, match="changed after the confirmation page"):
        _decide(in_review, personas["reviewer"], approve=False, state=state)
    _unchanged(in_review)
    assert _decide(in_review, personas["reviewer"], approve=False, state=services.decision_state(in_review))


def test_a_request_names_someone_with_the_authority_and_is_fulfilled_by_the_acceptance(in_review, personas):
    with pytest.raises(ValidationError, match="does not hold risk acceptance authority"):
        services.acceptance_request(
            assessment=in_review, by=personas["reviewer"], scope="residual", requested_from=personas["admin"]
        )
    request = services.acceptance_request(
        assessment=in_review,
        by=personas["reviewer"],
        scope="residual",
        note="Before the launch",
        requested_from=personas["approver"],
    )
    assert request.status == "requested" and request.title == "High residual risk"
    with pytest.raises(ValidationError, match="already been requested"):
        services.acceptance_request(assessment=in_review, by=personas["reviewer"], scope="residual")
    accepted = _accept(in_review, personas["approver"])
    assert accepted.pk == request.pk and accepted.requested_by == personas["reviewer"]
    assert in_review.acceptances.count() == 1


def test_a_request_for_a_risk_that_is_not_raised_is_refused(in_review, personas):
    with pytest.raises(ValidationError, match="not raised on this assessment"):
        services.acceptance_request(assessment=in_review, by=personas["reviewer"], scope="knockout", rule="nope")


def test_declining_needs_the_authority_and_a_reason(in_review, personas):
    request = services.acceptance_request(assessment=in_review, by=personas["reviewer"], scope="residual")
    with pytest.raises(ValidationError, match="needs risk acceptance authority"):
        services.acceptance_decline(acceptance=request, by=personas["reviewer"], note="No")
    with pytest.raises(ValidationError, match="Say why"):
        services.acceptance_decline(acceptance=request, by=personas["approver"], note="")
    declined = services.acceptance_decline(acceptance=request, by=personas["approver"], note="Exit plan missing")
    assert declined.status == "declined" and declined.declined_note == "Exit plan missing"


def test_saving_an_answer_refreshes_the_recommendation_on_the_row(assessment, personas):
    services.answers_save(
        assessment=assessment,
        values={"INT-01": AnswerInput("productivity")},
        by=personas["analyst"],
        base_revisions=None,
    )
    assessment.refresh_from_db()
    before = assessment.recommended_at
    assert before is not None
    services.answers_save(
        assessment=assessment, values={"SUP-05": AnswerInput(90)}, by=personas["analyst"], base_revisions=None
    )
    assessment.refresh_from_db()
    assert assessment.recommended_at > before


# --- Pages -------------------------------------------------------------------------------


def test_the_review_page_says_what_approving_needs_and_who_can_accept(login, personas, in_review):
    page = login(personas["reviewer"]).get(reverse("assessments:review", args=[in_review.pk])).content.decode()
    assert "Approving needs these risk acceptances" in page and "High residual risk" in page
    assert "Who can accept: approver." in page and "Request acceptance" in page
    assert "Accept this risk" not in page, "a standard reviewer is not offered the acceptance form"
    page = login(personas["approver"]).get(reverse("assessments:review", args=[in_review.pk])).content.decode()
    assert "Accept this risk" in page


def test_the_confirmation_page_asks_for_the_password_when_the_sign_in_is_old(client, personas, in_review):
    client.force_login(personas["reviewer"])
    session = client.session
    session["authenticated_at"] = (NOW() - dt.timedelta(hours=2)).isoformat()
    session.save()
    url = reverse("assessments:decide", args=[in_review.pk]) + "?outcome=reject"
    response = client.get(url)
    confirm = reverse("accounts:confirm_password")
    assert response.status_code == 302 and response["Location"].startswith(confirm)
    wrong = client.post(confirm, {"password": "nope", "next": url})
    assert "That is not your password." in wrong.content.decode()
    personas["reviewer"].set_password("right-pass-2026")
    personas["reviewer"].save()
    client.force_login(personas["reviewer"])
    session = client.session
    session["authenticated_at"] = (NOW() - dt.timedelta(hours=2)).isoformat()
    session.save()
    back = client.post(confirm, {"password": "right-pass-2026", "next": url})
    assert back.status_code == 302 and back["Location"] == url
    page = client.get(url)
    assert page.status_code == 200 and "Reject and freeze" in page.content.decode()


def test_a_refused_decision_keeps_the_note_and_changes_nothing(login, personas, in_review):
    client = login(personas["reviewer"])
    url = reverse("assessments:decide", args=[in_review.pk])
    response = client.post(url, {"outcome": "approve", "note": "Looks fine to me", "state": "stale"})
    body = response.content.decode()
    assert response.status_code == 200 and "Nothing was decided." in body and "Looks fine to me" in body
    assert "changed after the confirmation page" in body
    _unchanged(in_review)


def test_an_org_admin_sets_authority_and_separation_of_duties(login, personas, org):
    client = login(personas["admin"])
    url = reverse("accounts:decision_rules")
    reviewer = Membership.objects.get(user=personas["reviewer"])
    assert "Decision authority of" in client.get(url).content.decode()
    data = {f"authority-{m.pk}": m.authority for m in org.memberships.all()} | {f"authority-{reviewer.pk}": 2}
    client.post(url, data)
    reviewer.refresh_from_db()
    org.refresh_from_db()
    assert reviewer.authority == 2 and not org.separation_of_duties
    client.post(url, data | {f"authority-{reviewer.pk}": "9", "separation_of_duties": "on"})
    reviewer.refresh_from_db()
    org.refresh_from_db()
    assert reviewer.authority == 2 and not org.separation_of_duties, "a bad level changes nothing"


def test_editors_and_reviewers_assign_reviewers_from_the_organisation_only(login, personas, in_review, other_org):
    client = login(personas["analyst"])
    url = reverse("assessments:reviewers", args=[in_review.pk])
    client.post(url, {"reviewers": [personas["approver"].pk]})
    assert list(in_review.reviewers.all()) == [personas["approver"]]
    assert in_review.timeline.filter(kind="reviewers").exists()
    for bad in (personas["analyst"].pk, personas["outsider"].pk):
        response = client.post(url, {"reviewers": [bad]}, follow=True)
        assert "Reviewers not changed" in response.content.decode()
        assert list(in_review.reviewers.all()) == [personas["approver"]]
    with pytest.raises(ValidationError, match="reviewers or admins of this organisation"):
        services.assessment_reviewers_set(assessment=in_review, reviewers=[personas["outsider"]], by=None)


# --- Found in review ---------------------------------------------------------------------


def test_an_acceptance_counts_through_its_expiry_day_and_can_be_renewed_after(in_review, personas):
    acceptance = _accept(in_review, personas["approver"])
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=timezone.localdate())
    review = services.decision_review(assessment=in_review, user=personas["reviewer"], authenticated_at=NOW())
    assert review.verdict.can_approve and [a.pk for a in review.in_force] == [acceptance.pk]
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    review = services.decision_review(assessment=in_review, user=personas["reviewer"], authenticated_at=NOW())
    assert not review.verdict.can_approve and review.in_force == []
    renewed = _accept(in_review, personas["approver"])  # not "already accepted": the old one lapsed
    acceptance.refresh_from_db()
    assert acceptance.status == "expired" and renewed.pk != acceptance.pk


def test_the_confirmation_page_lists_only_acceptances_in_force(login, personas, in_review):
    acceptance = _accept(in_review, personas["approver"], reason="Lapsed reason")
    RiskAcceptance.objects.filter(pk=acceptance.pk).update(expires_on=timezone.localdate() - dt.timedelta(days=1))
    url = reverse("assessments:decide", args=[in_review.pk])
    page = login(personas["reviewer"]).get(url, {"outcome": "approve"}).content.decode()
    assert "Lapsed reason" not in page and "High residual risk: needs a risk acceptance" in page


def test_deciding_closes_open_requests_and_a_decided_request_cannot_be_declined(in_review, personas):
    request = services.acceptance_request(assessment=in_review, by=personas["reviewer"], scope="residual")
    _decide(in_review, personas["reviewer"], approve=False)
    request.refresh_from_db()
    assert request.status == "declined" and request.declined_note == "No longer needed: the assessment was decided."
    with pytest.raises(ValidationError, match="submitted or in review"):
        services.acceptance_decline(acceptance=request, by=personas["approver"], note="Too late")


def test_declining_follows_separation_of_duties_and_records_who_declined(in_review, personas):
    request = services.acceptance_request(assessment=in_review, by=personas["reviewer"], scope="residual")
    Assessment.objects.filter(pk=in_review.pk).update(owner=personas["approver"])
    with pytest.raises(ValidationError, match="someone else must decline it"):
        services.acceptance_decline(acceptance=request, by=personas["approver"], note="No")
    Assessment.objects.filter(pk=in_review.pk).update(owner=personas["analyst"])
    declined = services.acceptance_decline(acceptance=request, by=personas["approver"], note="No")
    assert declined.declined_by == personas["approver"] and declined.accepted_by is None


def test_a_request_cannot_name_someone_involved_or_without_a_reviewing_role(in_review, personas, org):
    Membership.objects.filter(user=personas["analyst"]).update(authority=Membership.Authority.EXECUTIVE)
    with pytest.raises(ValidationError, match="does not hold"):
        services.acceptance_request(
            assessment=in_review, by=personas["reviewer"], scope="residual", requested_from=personas["analyst"]
        )
    Assessment.objects.filter(pk=in_review.pk).update(owner=personas["approver"])
    with pytest.raises(ValidationError, match="was involved in the answers"):
        services.acceptance_request(
            assessment=in_review, by=personas["reviewer"], scope="residual", requested_from=personas["approver"]
        )


def test_an_acceptance_under_relaxed_separation_says_so_in_the_record(in_review, personas, org):
    Assessment.objects.filter(pk=in_review.pk).update(owner=personas["approver"])
    org.separation_of_duties = False
    org.save()
    acceptance = _accept(in_review, personas["approver"])
    assert acceptance.separation_relaxed
    org.separation_of_duties = True
    org.save()
    Assessment.objects.filter(pk=in_review.pk).update(owner=personas["analyst"])
    decided = _decide(in_review, personas["reviewer"])
    assert decided.frozen_record["acceptances"][0]["separation_relaxed"] is True


def test_the_state_moves_with_override_reasons_and_the_supply_chain(in_review, personas, providers):
    from procurement.portfolio.services import link_change
    from procurement.vendors.models import SupplyLink

    state = services.decision_state(in_review)
    services.override_set(
        assessment=in_review, question_code="SUP-05", points=4, reason="First", by=personas["reviewer"]
    )
    first = services.decision_state(in_review)
    services.override_set(
        assessment=in_review, question_code="SUP-05", points=4, reason="Second", by=personas["reviewer"]
    )
    second = services.decision_state(in_review)
    link_change(
        link=SupplyLink(service=in_review.service, provider=providers["rival"], role="inference_compute"),
        organisation=in_review.organisation,
    )
    assert len({state, first, second, services.decision_state(in_review)}) == 4


def test_a_member_of_another_organisation_cannot_decide_or_accept_through_the_services(in_review, personas, other_org):
    Membership.objects.filter(user=personas["outsider"]).update(authority=Membership.Authority.EXECUTIVE)
    with pytest.raises(ValidationError, match="Only reviewers and admins"):
        _decide(in_review, personas["outsider"], approve=False)
    with pytest.raises(ValidationError, match="Only reviewers and admins"):
        _accept(in_review, personas["outsider"])
    _unchanged(in_review)


def test_a_submitted_assessment_is_not_offered_for_decision(complete_assessment, personas):
    services.assessment_submit(assessment=complete_assessment, by=personas["analyst"])
    complete_assessment.refresh_from_db()
    review = services.decision_review(assessment=complete_assessment, user=personas["reviewer"], authenticated_at=NOW())
    assert review.verdict.reject_problems[0] == "Start the review first: only an assessment in review is decided."


def test_changing_decision_rules_needs_a_recent_sign_in_and_is_recorded(client, personas, org):
    client.force_login(personas["admin"])
    url = reverse("accounts:decision_rules")
    session = client.session
    session["authenticated_at"] = (NOW() - dt.timedelta(hours=1)).isoformat()
    session.save()
    assert client.get(url)["Location"].startswith(reverse("accounts:confirm_password"))
    client.force_login(personas["admin"])
    reviewer = Membership.objects.get(user=personas["reviewer"])
    data = {f"authority-{m.pk}": m.authority for m in org.memberships.all()}
    client.post(url, data | {f"authority-{reviewer.pk}": 3, "separation_of_duties": "on"})
    (event,) = org.audit_events.all()
    assert event.by == personas["admin"] and event.note == "reviewer: executive authority"
    assert "reviewer: executive authority" in client.get(url).content.decode()


def test_the_review_page_says_how_many_answers_a_provisional_recommendation_waits_for(login, personas, assessment):
    services.answers_save(
        assessment=assessment, values={"SUP-05": AnswerInput(90)}, by=personas["analyst"], base_revisions=None
    )
    page = login(personas["reviewer"]).get(reverse("assessments:review", args=[assessment.pk])).content.decode()
    assert "Provisional: " in page and "scored questions unanswered" in page
