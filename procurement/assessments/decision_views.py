"""Deciding and accepting risk: the confirmation page, the acceptance page, and requests.

Each action needs a recent sign-in: without one the page sends the person to confirm their
password and brings them back. The services enforce every rule; these pages say beforehand
what is missing, and keep what was typed when something is refused.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from procurement.assessments import services
from procurement.assessments.authority import AUTHORITY_LABELS, acceptance_authority
from procurement.assessments.forms import AcceptanceForm, AcceptanceRequestForm, DecisionForm
from procurement.assessments.views import review_action
from procurement.core.access import membership_for
from procurement.core.reauth import authenticated_at, confirm_first


@login_required
def decide(request: HttpRequest, pk: int) -> HttpResponse:
    """The confirmation step: what will be frozen, then approve or reject."""
    assessment = review_action(request, pk)
    if request.method == "GET" and (response := confirm_first(request)):
        return response
    outcome = request.POST.get("outcome") or request.GET.get("outcome")
    if outcome not in ("approve", "reject"):
        return redirect("assessments:review", pk)
    form = DecisionForm(request.POST or None, initial={"outcome": outcome})
    if request.method == "POST" and form.is_valid():
        try:
            services.assessment_decide(
                assessment=assessment,
                by=request.user,
                approve=form.cleaned_data["outcome"] == "approve",
                note=form.cleaned_data["note"],
                state=form.cleaned_data["state"],
                authenticated_at=authenticated_at(request),
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Approved and frozen." if outcome == "approve" else "Rejected and frozen.")
            return redirect(assessment)
    review = services.decision_review(
        assessment=assessment, user=request.user, authenticated_at=authenticated_at(request)
    )
    # The page always carries the state it shows; a stale post sees the new state and confirms again.
    form.data = form.data.copy() if form.is_bound else form.data
    if form.is_bound:
        form.data["state"] = review.state
    else:
        form.initial["state"] = review.state
    approve = outcome == "approve"
    ctx = {
        "assessment": assessment,
        "outcome": outcome,
        "approve": approve,
        "form": form,
        "review": review,
        "problems": review.verdict.approve_problems if approve else review.verdict.reject_problems,
        "differs": review.differs(approve),
        "findings": assessment.findings.all(),
        "in_force": review.in_force,
    }
    return render(request, "assessments/decide.html", ctx)


@login_required
def accept(request: HttpRequest, pk: int) -> HttpResponse:
    """Record a risk acceptance (a knockout, a flagged rule, or the residual), with an expiry."""
    assessment = review_action(request, pk)
    if request.method == "GET" and (response := confirm_first(request)):
        return response
    data = request.POST or None
    initial = {"scope": request.GET.get("scope", ""), "rule": request.GET.get("rule", "")}
    form = AcceptanceForm(data, initial=initial, assessment=assessment)
    if request.method == "POST" and form.is_valid():
        try:
            services.acceptance_record(
                assessment=assessment,
                by=request.user,
                authenticated_at=authenticated_at(request),
                **form.cleaned_data,
            )
        except ValidationError as exc:
            for message in exc.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Risk accepted and recorded.")
            return redirect("assessments:review", pk)
    review = services.decision_review(
        assessment=assessment, user=request.user, authenticated_at=authenticated_at(request)
    )
    scope = form["scope"].value()
    rule = form["rule"].value() or ""
    hits = {h.name: h for h in (*review.result.knockouts, *review.result.flags)}
    need = next((n for n in review.needs if n.scope == scope and n.rule == rule), None)
    needed = acceptance_authority(scope=scope or "", residual=review.result.residual)
    membership = membership_for(request.user)
    ctx = {
        "assessment": assessment,
        "form": form,
        "review": review,
        "hit": hits.get(rule),
        "need": need,
        # Said before anyone types: who holds the authority this acceptance needs.
        "lacks_authority": membership is None or membership.authority < needed,
        "needed_label": AUTHORITY_LABELS[needed],
        "acceptors": review.acceptors.get(needed, []),
    }
    return render(request, "assessments/accept.html", ctx)


@login_required
@require_POST
def acceptance_request(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = review_action(request, pk)
    form = AcceptanceRequestForm(
        request.POST, candidates=services.acceptance_candidates(assessment, scope=request.POST.get("scope", ""))
    )
    try:
        if not form.is_valid():
            raise ValidationError("choose what is to be accepted and, if you name an approver, one from the list.")
        services.acceptance_request(assessment=assessment, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, "Acceptance not requested: " + " ".join(exc.messages))
    else:
        messages.success(request, "Acceptance requested.")
    return redirect("assessments:review", pk)


@login_required
@require_POST
def acceptance_decline(request: HttpRequest, pk: int, acceptance_pk: int) -> HttpResponse:
    assessment = review_action(request, pk)
    acceptance = get_object_or_404(assessment.acceptances, pk=acceptance_pk)
    try:
        services.acceptance_decline(acceptance=acceptance, by=request.user, note=request.POST.get("note", ""))
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Acceptance declined.")
    return redirect("assessments:review", pk)
