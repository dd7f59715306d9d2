"""Starting a reassessment by hand, and the organisation's reassessment settings."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from procurement.assessments.selectors import assessment_for_user
from procurement.core.access import EDITORS, membership_for, require_role
from procurement.core.models import Membership
from procurement.portfolio.forms import ReassessmentPolicyForm
from procurement.portfolio.reassessment import reassessment_policies_set, reassessment_start


@login_required
@require_POST
def reassess(request: HttpRequest, pk: int) -> HttpResponse:
    """Start a reassessment of the decided assessment ``pk`` (or open the one already started)."""
    previous = assessment_for_user(request.user, pk)
    require_role(request.user, *EDITORS)
    try:
        assessment, created = reassessment_start(previous=previous, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect(previous)
    if created:
        messages.success(
            request,
            f"Reassessment A-{assessment.pk} started from A-{previous.pk}'s answers: "
            "the ones that still hold are carried forward; new, changed and out-of-date ones are marked.",
        )
    else:
        messages.info(request, f"A-{previous.pk} is already being reassessed in A-{assessment.pk}.")
    return redirect(assessment)


@login_required
def reassessment_settings(request: HttpRequest) -> HttpResponse:
    """Organisation admins choose, per trigger, whether a reassessment starts on its own."""
    membership = membership_for(request.user)
    if membership is None:
        raise Http404
    require_role(request.user, Membership.Role.ADMIN)
    organisation = membership.organisation
    form = ReassessmentPolicyForm(request.POST or None, organisation=organisation)
    if request.method == "POST" and form.is_valid():
        changed = reassessment_policies_set(organisation=organisation, actions=form.cleaned_data, by=request.user)
        messages.success(request, ("Saved: " + "; ".join(changed) + ".") if changed else "Nothing changed.")
        return redirect("portfolio:reassessment_settings")
    ctx = {"form": form, "organisation": organisation}
    return render(request, "portfolio/reassessment_settings.html", ctx, status=400 if form.errors else 200)
