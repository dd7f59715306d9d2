"""A bank version's effect on the organisation's own recent assessments, and moving the open ones
to it: linked from the question bank's publish, rules and "What changed" pages."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render

from procurement.assessments import services
from procurement.assessments.bank_rescoring import RECENT_DAYS, RECENT_MAX, assessments_rescored, recent_assessments
from procurement.assessments.models import Assessment
from procurement.core.access import EDITORS, organisation_for, require_role
from procurement.questionbank.models import BankVersion
from procurement.questionbank.selectors import versions_visible_to


@login_required
def bank_rescoring(request: HttpRequest, pk: int) -> HttpResponse:
    """The organisation's recent assessments scored under a bank version (a draft before it is
    published, or a published one) beside the version each is on; POST moves the chosen open
    ones to a published version, each through the upgrade (answers kept and cleared as shown)."""
    version = get_object_or_404(versions_visible_to(request.user), pk=pk)
    organisation = organisation_for(request.user)
    if organisation is None:
        raise Http404("No organisation.")
    require_role(request.user, *EDITORS)
    if request.method == "POST":
        if version.status != BankVersion.Status.PUBLISHED:
            messages.error(request, f"{version} is not published: assessments move only to a published version.")
            return redirect("assessments:bank_rescoring", version.pk)
        chosen = [int(v) for v in request.POST.getlist("move") if v.isdigit()]
        rows = (
            recent_assessments(organisation=organisation, version=version)
            .filter(pk__in=chosen, bank_version__bank_id=version.bank_id, status__in=Assessment.OPEN)
            .order_by("pk")
        )
        if not chosen:
            messages.error(request, "Tick the assessments to move.")
            return redirect("assessments:bank_rescoring", version.pk)
        moved, refused = services.assessments_upgrade(assessments=list(rows), target=version, by=request.user)
        if moved:
            messages.success(
                request,
                f"Moved to {version.label}: "
                + "; ".join(f"A-{a.pk} ({len(d.kept)} kept, {len(d.cleared)} cleared)" for a, d in moved)
                + ".",
            )
        for line in refused:
            messages.error(request, line)
        return redirect("assessments:bank_rescoring", version.pk)
    rows, total = assessments_rescored(organisation=organisation, version=version)
    ctx = {
        "version": version,
        "rows": rows,
        "total": total,
        "recommendation_changing": sum(r.recommendation_changed for r in rows),
        "score_changing": sum(r.changed and not r.recommendation_changed for r in rows),
        "movable": any(r.movable for r in rows),
        "recent_max": RECENT_MAX,
        "recent_months": RECENT_DAYS // 30,
    }
    return render(request, "assessments/bank_rescoring.html", ctx)
