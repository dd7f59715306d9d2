from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render

from procurement.questionbank.selectors import version_for_preview, versions_visible_to
from procurement.questionbank.services import bank_can_edit


@login_required
def version_preview(request: HttpRequest, pk: int) -> HttpResponse:
    """A version as a respondent will see it: every section, question, widget and help text."""
    version = get_object_or_404(versions_visible_to(request.user), pk=pk)
    sections = version_for_preview(version)
    audience = request.GET.get("audience", "")
    if audience in {"vendor", "buyer", "reviewer"}:
        sections = [s for s in sections if any(q.audience == audience for q in s.questions)]
        for s in sections:
            s.questions[:] = [q for q in s.questions if q.audience == audience]
    ctx = {
        "version": version,
        "sections": sections,
        "audience": audience,
        "question_total": sum(len(s.questions) for s in sections),
        "can_edit": bank_can_edit(request.user, version.bank),
    }
    return render(request, "questionbank/version_preview.html", ctx)
