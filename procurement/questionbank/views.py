import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from procurement.core.access import EDITORS, has_role, is_org_admin, is_site_staff, organisation_for
from procurement.questionbank.document import BankFileError, Problem, content_hash, validate_document
from procurement.questionbank.forms import PublishForm, RawRuleParamsForm, RuleParamsForm
from procurement.questionbank.models import BankVersion
from procurement.questionbank.rules_preview import profiles_rescored, rule_lines
from procurement.questionbank.selectors import (
    version_for_preview,
    version_previous,
    version_upstream,
    versions_diff,
    versions_visible_to,
)
from procurement.questionbank.services import (
    bank_can_edit,
    bank_copy_to_organisation,
    version_file,
    version_new_draft,
    version_publish,
    version_set_rule_params,
    version_take_upstream,
    version_to_document,
)


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
        "can_copy": is_org_admin(request.user) and version.status != BankVersion.Status.DRAFT,
        "upstream": version_upstream(version) if version.status == BankVersion.Status.DRAFT else None,
        "previous": version_previous(version),
    }
    return render(request, "questionbank/version_preview.html", ctx)


def _own_rescoring(user) -> bool:
    """Whether to link to the organisation's own assessments rescored under a version (a page
    of the assessments app, for the members who move assessments)."""
    return has_role(user, *EDITORS) and organisation_for(user) is not None


@login_required
def version_download(request: HttpRequest, pk: int) -> HttpResponse:
    """Any version the user can see as a bank file (YAML): to edit offline and upload again, or
    to keep beside the assessments that pin it."""
    version = get_object_or_404(versions_visible_to(request.user), pk=pk)
    name, text = version_file(version)
    response = HttpResponse(text, content_type="application/yaml; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


def _compare_ctx(version: BankVersion, previous: BankVersion) -> dict:
    diff = versions_diff(previous, version)
    return {
        "version": version,
        "previous": previous,
        "diff": diff,
        "substantive": [diff.details[c] for c in diff.changed],
        "editorial": [diff.details[c] for c in sorted({*diff.editorial, *diff.renamed}) if c in diff.details],
    }


@login_required
def version_compare(request: HttpRequest, pk: int) -> HttpResponse:
    """What changed from the previous version (or ``?with=<pk>``), question by question, in words."""
    visible = versions_visible_to(request.user)
    version = get_object_or_404(visible, pk=pk)
    other = request.GET.get("with", "")
    if other:
        previous = get_object_or_404(visible, pk=other) if other.isdigit() else None
        if previous is None:
            raise Http404
    else:
        previous = version_previous(version)
    ctx = {"can_edit": bank_can_edit(request.user, version.bank), "own_rescoring": _own_rescoring(request.user)}
    if previous is None:
        ctx |= {"version": version, "previous": None}
    else:
        ctx |= _compare_ctx(version, previous)
    return render(request, "questionbank/version_compare.html", ctx)


@login_required
def version_publish_page(request: HttpRequest, pk: int) -> HttpResponse:
    """Publish a draft: the diff against the previous version, the changelog (required) and,
    per changed question, whether its answers are kept (editorial) or asked again."""
    version = get_object_or_404(versions_visible_to(request.user), pk=pk)
    if not bank_can_edit(request.user, version.bank):
        raise PermissionDenied
    if version.status != BankVersion.Status.DRAFT:
        messages.info(request, f"{version} is already {version.get_status_display().lower()}.")
        return redirect("questionbank:version_compare", version.pk)
    previous = version_previous(version)
    doc = version_to_document(version)
    ctx = {"can_edit": True, "version": version, "previous": previous, "own_rescoring": _own_rescoring(request.user)}
    if previous is not None:
        ctx |= _compare_ctx(version, previous)
        ctx["profiles"] = profiles_rescored(
            before=version_to_document(previous), after=doc, profiles_dir=settings.BASE_DIR / "fixtures/profiles"
        )
    diff = ctx.get("diff")
    marks = dict(version.questions.exclude(change_kind="").values_list("code", "change_kind"))
    seen = content_hash(doc)
    form = PublishForm(
        request.POST or None, initial={"changelog": version.changelog, "seen": seen}, diff=diff, marks=marks
    )
    problems: list = []
    stale = ""
    if request.method == "POST" and form.is_valid():
        try:
            published = version_publish(
                version=version,
                by=request.user,
                changelog=form.cleaned_data["changelog"],
                marks=form.marks,
                seen=form.cleaned_data["seen"] or None,
            )
        except BankFileError as exc:
            problems = exc.problems
        except ValidationError as exc:
            if exc.code == "stale":  # the page now shows the draft as it is: review it afresh
                stale = " ".join(exc.messages)
                typed = {"changelog": form.cleaned_data["changelog"], "seen": seen}
                form = PublishForm(initial=typed, diff=diff, marks=marks | form.marks)
            else:
                problems = [Problem("", m) for m in exc.messages]
        else:
            if _own_rescoring(request.user):
                text = format_html(
                    'Published {}. <a href="{}">Your assessments on earlier versions</a>: see what moving them does,'
                    " and move the open ones.",
                    published,
                    reverse("assessments:bank_rescoring", args=[published.pk]),
                )
            else:
                text = f"Published {published}."
            messages.success(request, text)
            return redirect("questionbank:version_compare", published.pk)
    # Opened or refused: what stops the draft being published now, each linked to where it is fixed.
    blocking = problems or validate_document(doc)
    ctx |= {
        "form": form,
        "problems": problem_links(version, blocking),
        "refused": bool(problems),
        "stale": stale,
    }
    status = 409 if stale else 400 if problems or form.errors else 200
    return render(request, "questionbank/version_publish.html", ctx, status=status)


def problem_links(version: BankVersion, problems: list[Problem]) -> list[dict]:
    """Each problem in words, with a link to where it is fixed: the question's or the section's
    form in the bank editor, the Scoring rules page, or the changelog field. Two queries."""
    questions = dict(version.questions.values_list("code", "pk"))
    sections = dict(version.sections.values_list("code", "pk"))
    rows = []
    for p in problems:
        url, label = "", ""
        if p.code in questions:
            url, label = reverse("admin:questionbank_question_change", args=[questions[p.code]]), f"Edit {p.code}"
        elif p.code in sections:
            url, label = reverse("admin:questionbank_section_change", args=[sections[p.code]]), f"Edit section {p.code}"
        elif p.code == "rule_params":
            url, label = reverse("questionbank:version_rules", args=[version.pk]), "Open the scoring rules"
        elif p.code == "changelog":
            url, label = "#id_changelog", "Write the changelog"
        rows.append({"text": str(p), "url": url, "label": label})
    return rows


@login_required
@require_POST
def version_copy(request: HttpRequest, pk: int) -> HttpResponse:
    """Customise a version (a shipped one, typically) for the user's organisation: a draft of
    the organisation's own bank, based on it; for a version of the organisation's own bank,
    simply its next draft. Organisation admins only."""
    version = get_object_or_404(versions_visible_to(request.user), pk=pk)
    org = organisation_for(request.user)
    if not is_org_admin(request.user) or org is None:
        raise PermissionDenied("Only your organisation's admins make its own banks.")
    if version.bank.organisation_id == org.pk:
        draft = version_new_draft(version=version)
        messages.success(request, f"Created {draft} from {version}.")
        return redirect("questionbank:version_preview", draft.pk)
    draft = bank_copy_to_organisation(version=version, organisation=org)
    messages.success(
        request,
        f"{version} copied into {org} as {draft}: edit its questions in the bank editor and its scoring rules"
        " here, then publish it.",
    )
    return redirect("questionbank:version_preview", draft.pk)


def _editable_draft(request: HttpRequest, pk: int) -> BankVersion:
    """A draft the user may edit: 404 outside their scope, 403 for others who can see it."""
    version = get_object_or_404(versions_visible_to(request.user), pk=pk)
    if not bank_can_edit(request.user, version.bank):
        raise PermissionDenied
    return version


@login_required
def version_rules(request: HttpRequest, pk: int) -> HttpResponse:
    """The rule parameters of a draft as a form, each rule in words, and the shipped profiles
    rescored under the edited parameters beside the previous version (Preview), before saving."""
    version = _editable_draft(request, pk)
    if version.status != BankVersion.Status.DRAFT:
        messages.info(request, f"{version} is {version.get_status_display().lower()} and never changes.")
        return redirect("questionbank:version_compare", version.pk)
    doc = version_to_document(version)
    params = doc["version"]["rule_params"]
    advanced = is_site_staff(request.user)
    raw_post = request.method == "POST" and "raw" in request.POST
    form = RuleParamsForm(request.POST if request.method == "POST" and not raw_post else None, params=params, doc=doc)
    raw_form = None
    if advanced:
        raw_form = RawRuleParamsForm(
            request.POST if raw_post else None, doc=doc, initial={"raw": json.dumps(params, indent=2)}
        )
    edited = params
    status = 200
    # When this editor opened the draft: kept through Preview, so Save refuses another's save since.
    loaded_at = request.POST.get("loaded_at") or version.updated_at.isoformat()
    stale = ""
    if request.method == "POST":
        bound = raw_form if raw_post else form
        if bound is None:
            raise PermissionDenied
        if bound.is_valid():
            edited = bound.cleaned_data["raw"] if raw_post else form.new_params
            if "save" in request.POST:
                try:
                    version_set_rule_params(version=version, params=edited, seen=loaded_at)
                except ValidationError as exc:
                    stale, status = " ".join(exc.messages), 409
                    loaded_at = version.updated_at.isoformat()  # warned: the next Save is deliberate
                else:
                    messages.success(request, "Rule parameters saved in the draft.")
                    return redirect("questionbank:version_rules", version.pk)
        else:
            status = 400
    after = {**doc, "version": {**doc["version"], "rule_params": edited}}
    previous = version_previous(version)
    before = version_to_document(previous) if previous else doc
    ctx = {
        "version": version,
        "previous": previous,
        "form": form,
        "raw_form": raw_form,
        "rules": rule_lines(after),
        "profiles": profiles_rescored(before=before, after=after, profiles_dir=settings.BASE_DIR / "fixtures/profiles"),
        "previewing": request.method == "POST" and status == 200,
        "own_rescoring": _own_rescoring(request.user),
        "loaded_at": loaded_at,
        "stale": stale,
    }
    return render(request, "questionbank/version_rules.html", ctx, status=status)


def _same_question(a: dict | None, b: dict | None) -> bool:
    strip = lambda q: {k: v for k, v in q.items() if k != "change"}  # noqa: E731
    return a is not None and b is not None and strip(a) == strip(b)


@login_required
def version_upstream_page(request: HttpRequest, pk: int) -> HttpResponse:
    """What the shipped bank changed since this organisation's copy was made, question by
    question, and taking the chosen changes into the draft."""
    version = _editable_draft(request, pk)
    if version.status != BankVersion.Status.DRAFT:
        return redirect("questionbank:version_compare", version.pk)
    pair = version_upstream(version)
    ctx: dict = {"version": version, "upstream": None}
    if pair is not None:
        base, latest = pair
        diff = versions_diff(base, latest)
        mine = {q["code"]: q for s in version_to_document(version)["sections"] for q in s["questions"]}
        theirs = {q["code"]: q for s in version_to_document(latest)["sections"] for q in s["questions"]}
        offered = [*diff.changed, *sorted({*diff.editorial, *diff.renamed}), *diff.added, *diff.removed]
        done = {
            c for c in offered if _same_question(mine.get(c), theirs.get(c)) or (c in diff.removed and c not in mine)
        }
        if request.method == "POST":
            codes = [c for c in request.POST.getlist("take") if c in offered and c not in done]
            if not codes:
                messages.error(request, "Tick the changes to take into your draft.")
            else:
                taken = version_take_upstream(draft=version, upstream=latest, codes=codes)
                messages.success(
                    request, f"Taken into {version}: {', '.join(taken)}. Check them, then publish with a changelog."
                )
                return redirect("questionbank:version_upstream", version.pk)
        ctx |= {
            "base": base,
            "upstream": latest,
            "diff": diff,
            "done": done,
            "substantive": [diff.details[c] for c in diff.changed],
            "editorial": [diff.details[c] for c in sorted({*diff.editorial, *diff.renamed}) if c in diff.details],
        }
    return render(request, "questionbank/version_upstream.html", ctx)
