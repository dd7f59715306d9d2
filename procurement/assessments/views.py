"""Assessment screens. Views fetch with a permission check, validate a form,
call a service, then redirect or render."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.defaultfilters import pluralize
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from procurement.assessments import services
from procurement.assessments.answer_files import MAX_BYTES as MAX_ANSWER_FILE
from procurement.assessments.answer_files import AnswerFileError, detect_format, dump_answers, parse_answers
from procurement.assessments.editing import SectionUrls, conflict_rows, section_page, section_save
from procurement.assessments.evidence import clean_name
from procurement.assessments.forms import (
    AssessmentCreateForm,
    BasisConfirmForm,
    FindingAcceptForm,
    FindingForm,
    FindingUpdateForm,
    FindingVerifyForm,
    OverrideForm,
    RequestChangesForm,
    ReviewersForm,
    SectionForm,
    section_rows,
)
from procurement.assessments.models import Answer, Assessment, RiskAcceptance
from procurement.assessments.presentation import (
    SELF_ATTESTED_WORDS,
    acceptance_rows,
    answer_label,
    basis_words,
    change_label,
    decision_summary,
    provisional_words,
    score_provisional,
    stale_sentence,
    timeline_words,
)
from procurement.assessments.reassessment import reassessment_diff
from procurement.assessments.records import stored_answer
from procurement.assessments.selectors import (
    answer_documents,
    answers_by_code,
    answers_visibility,
    assessment_for_section,
    assessment_for_user,
    assessment_score,
    assessments_listed,
    bank_structure,
    finding_frozen_state,
    finding_rows,
    list_rows,
    reworded_since_answered,
    section_progress,
    supply_chain_snapshot,
)
from procurement.core.access import EDITORS, REVIEWERS, has_role, organisation_for, require_role
from procurement.core.pagination import CountingPaginator
from procurement.core.reauth import authenticated_at
from procurement.questionbank.models import BankVersion
from procurement.questionbank.selectors import banks_visible_to
from procurement.vendors.diagram import chain_diagram
from procurement.vendors.documents import document_response
from procurement.vendors.models import AIService

PAGE_SIZE = 25
# Past this many the list says "more than 10,000" instead of counting them all (docs/performance.md).
LIST_COUNT_LIMIT = 10_000
STAFF_SECTION_URLS = SectionUrls(
    section="assessments:section", question="assessments:history", evidence="assessments:evidence"
)


@login_required
def assessment_list(request: HttpRequest) -> HttpResponse:
    qs = assessments_listed(request.user)
    # Filters are free text in the URL; PostgreSQL refuses NUL in any query parameter.
    params = {key: value.replace("\x00", "") for key, value in request.GET.items()}
    status = params.get("status", "")
    if status in Assessment.Status.values:
        qs = qs.filter(status=status)
    if band := params.get("band", ""):
        qs = qs.filter(risk_band=band)
    if recommendation := params.get("recommendation", ""):
        qs = qs.filter(recommendation=recommendation)
    if request.GET.get("mine"):
        qs = qs.filter(owner=request.user)
    if request.GET.get("overdue"):
        qs = qs.filter(due_date__lt=timezone.localdate(), status__in=Assessment.OPEN)
    if q := params.get("q", "").strip():
        qs = qs.filter(Q(service__name__icontains=q) | Q(service__vendor__name__icontains=q))
    # The page's ids from the filtered rows alone, then their names (list_rows) for those ids.
    page = CountingPaginator(
        qs.order_by("-created_at", "-id"), PAGE_SIZE, count_from=qs, count_limit=LIST_COUNT_LIMIT, shape=list_rows
    ).get_page(request.GET.get("page"))
    ctx = {
        "page": page,
        "statuses": Assessment.Status.choices,
        "filters": request.GET,
        "can_create": has_role(request.user, *EDITORS),
    }
    return render(request, "assessments/assessment_list.html", ctx)


@login_required
def assessment_create(request: HttpRequest) -> HttpResponse:
    org = organisation_for(request.user)
    if org is None:
        raise Http404
    require_role(request.user, *EDITORS)
    members = get_user_model().objects.filter(memberships__organisation=org).order_by("username")
    form = AssessmentCreateForm(
        request.POST or None,
        services=AIService.objects.filter(vendor__organisation=org).select_related("vendor"),
        # Only banks with a published version can be pinned (an imported bank's one version is retired).
        banks=banks_visible_to(request.user).filter(versions__status=BankVersion.Status.PUBLISHED).distinct(),
        members=members,
        initial={"service": request.GET.get("service"), "owner": request.user.pk},
    )
    if request.method == "POST" and form.is_valid():
        try:
            assessment = services.assessment_create(
                service=form.cleaned_data["service"],
                bank=form.cleaned_data["bank"],
                by=request.user,
                owner=form.cleaned_data["owner"],
                reviewers=form.cleaned_data["reviewers"],
                due_date=form.cleaned_data["due_date"],
            )
        except ValidationError as exc:
            form.add_error("bank", exc)
        else:
            messages.success(request, f"Created {assessment}. Start with the buyer intake.")
            first = bank_structure(assessment.bank_version).document["sections"][0]["code"]
            return redirect("assessments:section", assessment.pk, first)
    return render(request, "assessments/assessment_create.html", {"form": form})


@login_required
def assessment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    answers = answers_by_code(assessment)
    progress = section_progress(assessment, answers)
    # A decided assessment shows the chain as it was frozen with the decision.
    record = assessment.frozen_record or {}
    chain = record["supply_chain"] if "supply_chain" in record else supply_chain_snapshot(assessment, answers)
    index = bank_structure(assessment.bank_version).question_index
    provisional = ""
    if not assessment.is_final:
        provisional = provisional_words(assessment.recommendation_unanswered, assessment.recommended_at)
    ctx = {
        "assessment": assessment,
        "progress": progress,
        "table_answers": [code for code in answers if index.get(code, {}).get("type") == "provider_table"],
        "done": sum(r["done"] for r in progress),
        "total": sum(r["total"] for r in progress),
        "timeline": [
            {"event": e, "what": timeline_words(e.kind, e.from_status, e.to_status)}
            for e in assessment.timeline.select_related("by")
        ],
        "findings": finding_rows(assessment),
        "can_edit": assessment.is_editable and has_role(request.user, *EDITORS),
        "can_review": has_role(request.user, *REVIEWERS),
        "can_edit_chain": has_role(request.user, *EDITORS),
        "reviewers_form": ReviewersForm(
            initial={"reviewers": list(assessment.reviewers.all())}, candidates=reviewer_candidates(assessment)
        )
        if not assessment.is_final and has_role(request.user, *EDITORS, *REVIEWERS)
        else None,
        "record": assessment.frozen_record,
        # The recommendation (on the row, recomputed on every save) beside the decision people
        # recorded, read from the frozen record: old (format 1) and imported records too.
        "summary": decision_summary(record.get("decision"), score=record.get("score")),
        "acceptances": acceptance_rows(record.get("acceptances")),
        "provisional": provisional,
        # provisional_words says "as of" itself when it has only the time to go on.
        "provisional_at": assessment.recommended_at if assessment.recommendation_unanswered else None,
        "snapshot": chain,
        "facts": chain.get("facts"),
        "diagram": chain_diagram(
            chain, service_name=assessment.service.name, vendor_name=assessment.service.vendor.name
        ),
        "newer_version": assessment.bank_version.bank.versions.filter(
            status="published", number__gt=assessment.bank_version.number
        ).first(),
    }
    return render(request, "assessments/assessment_detail.html", ctx)


@login_required
def section_edit(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """One section's form. POST saves (htmx autosave posts the same form and gets a status line back)."""
    assessment = assessment_for_section(request.user, pk)
    structure = bank_structure(assessment.bank_version)
    section_doc = structure.section(section)
    if section_doc is None:
        raise Http404("No such section.")
    if request.method == "POST":
        require_role(request.user, *EDITORS)
        if not assessment.is_editable:
            messages.error(
                request, f"This assessment is {assessment.get_status_display().lower()}; answers are locked."
            )
            return redirect(assessment)
    return section_page(
        request,
        assessment=assessment,
        sections=structure.document["sections"],
        section=section_doc,
        questions=[q for q in section_doc["questions"] if q["audience"] != "reviewer"],
        can_edit=assessment.is_editable and has_role(request.user, *EDITORS),
        by=request.user,
        template="assessments/section.html",
        conflict_template="assessments/conflict.html",
        urls=STAFF_SECTION_URLS,
    )


@login_required
@require_POST
def assessment_submit(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    require_role(request.user, *EDITORS)
    try:
        services.assessment_submit(assessment=assessment, by=request.user)
    except services.MissingAnswers as exc:
        return render(
            request, "assessments/missing.html", {"assessment": assessment, "missing": exc.missing}, status=400
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, "Submitted for review.")
    return redirect(assessment)


REVIEWER_PENDING = "To be answered by the reviewer"


def _reviewer_checks(assessment: Assessment, answers: dict, *, bound: dict | None = None) -> list[dict]:
    """Each section's reviewer-only questions as a small form: the rows the inputs are written
    from, and the revision the stale-write check compares. ``bound`` maps a section code to a
    posted SectionForm, shown with its messages and what was typed."""
    structure = bank_structure(assessment.bank_version)
    revisions = services.section_revisions(assessment)
    visible = answers_visibility(structure, answers)
    checks = []
    for section in structure.document["sections"]:
        questions = [q for q in section["questions"] if q["audience"] == "reviewer"]
        if not questions:
            continue
        form = (bound or {}).get(section["code"])
        checks.append(
            {
                "section": section,
                "rows": section_rows(form, questions=questions, answers=answers, visible=visible),
                "revision": revisions.get(section["code"], 0),
                "answers": [(q, _answer_label(q, answers.get(q["code"]))) for q in questions],
            }
        )
    return checks


def _review_page(request: HttpRequest, assessment: Assessment, *, bound: dict | None = None, status: int = 200):
    # A decided assessment shows its frozen score, never a recomputation.
    live = None if assessment.is_final else assessment_score(assessment)
    result_dict = assessment.frozen_record["score"] if live is None else live.as_dict()
    structure = bank_structure(assessment.bank_version)
    answers = answers_by_code(assessment)
    results = {r["code"]: r for r in result_dict["questions"]}
    # Answers kept across a rewording that the respondent has not checked since (open ones only).
    reworded = set() if assessment.is_final else reworded_since_answered(assessment, structure.question_index)
    sections = []
    for section in structure.document["sections"]:
        rows = []
        for q in section["questions"]:
            label = _answer_label(q, answers.get(q["code"]))
            if q["audience"] == "reviewer" and label == "—" and not assessment.is_final:
                label = REVIEWER_PENDING
            r = results[q["code"]]
            stale = stale_sentence(r.get("explanation", ""))
            answer = answers.get(q["code"])
            rows.append(
                {
                    "q": q,
                    "r": r,
                    "answer": answer,
                    "label": label,
                    "stale": stale,
                    "reworded": q["code"] in reworded,
                    "basis": basis_words(q, answer),
                    "self_attested": SELF_ATTESTED_WORDS if r.get("self_attested") else "",
                }
            )
        sections.append(
            {
                "doc": section,
                "result": next(s for s in result_dict["sections"] if s["code"] == section["code"]),
                "rows": rows,
            }
        )
    can_review = has_role(request.user, *REVIEWERS) and not assessment.is_final
    ctx = {
        # "provisional: N scored questions unanswered", as on the list and the assessment page.
        "provisional": score_provisional(result_dict) if live is not None else "",
        "assessment": assessment,
        "result": result_dict,
        # A reassessment: what moved since the previous decision's frozen record.
        "since": reassessment_diff(assessment, score=result_dict) if assessment.previous_id else None,
        "sections": sections,
        "can_review": can_review,
        # Reviewer-only questions: inputs for reviewers until the decision, the answers for everyone.
        "reviewer_checks": _reviewer_checks(assessment, answers, bound=bound),
        "can_answer_checks": can_review,
        "question_url": reverse("assessments:history", args=[assessment.pk, "CODE"]).rpartition("/CODE/")[0] + "/",
        "findings": finding_rows(assessment),
        "override_form": OverrideForm(),
        "basis_choices": Answer.Basis.choices,
        "finding_form": FindingForm(members=_members(assessment)),
        "changes_form": RequestChangesForm(),
        "decision": services.decision_review(
            assessment=assessment, user=request.user, authenticated_at=authenticated_at(request), result=live
        )
        if can_review and assessment.status in (Assessment.Status.SUBMITTED, Assessment.Status.IN_REVIEW)
        else None,
    }
    return render(request, "assessments/review.html", ctx, status=status)


@login_required
def review(request: HttpRequest, pk: int) -> HttpResponse:
    return _review_page(request, assessment_for_user(request.user, pk))


@login_required
@require_POST
def review_answers(request: HttpRequest, pk: int, section: str) -> HttpResponse:
    """Save a section's reviewer-only answers from the review page (the same answers_save path,
    history and stale-write check as every other answer)."""
    assessment = review_action(request, pk)
    section_doc = bank_structure(assessment.bank_version).section(section)
    questions = [q for q in (section_doc or {}).get("questions", []) if q["audience"] == "reviewer"]
    if not questions:
        raise Http404("No reviewer questions in this section.")
    answers = answers_by_code(assessment)
    revision = services.section_revisions(assessment).get(section, 0)
    form = SectionForm(request.POST, questions=questions, answers=answers, revision=revision)
    try:
        outcome = section_save(
            assessment=assessment,
            section=section,
            questions=questions,
            form=form,
            files={},
            revision=revision,
            by=request.user,
        )
    except ValidationError as exc:  # decided meanwhile
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:review", pk)
    if outcome.conflict is not None:
        ctx = {
            "assessment": assessment,
            "section": section_doc,
            "conflict": outcome.conflict,
            "rows": conflict_rows(questions, answers, form),
            "back_url": reverse("assessments:review", args=[pk]) + f"#checks-{section}",
        }
        return render(request, "assessments/conflict.html", ctx, status=409)
    if not outcome.valid:
        messages.error(request, "Not saved: correct the answer marked below.")
        return _review_page(request, assessment, bound={section: form}, status=400)
    messages.success(request, "Reviewer answers saved.")
    return redirect(reverse("assessments:review", args=[pk]) + f"#checks-{section}")


def _answer_label(q: dict, answer) -> str:
    if answer is None:
        return "—"
    kind, text = answer_label(q, stored_answer(answer))
    return "—" if kind == "empty" else text


def review_action(request, pk: int):
    """The assessment, for a reviewer or admin of its organisation (others: 404 or 403)."""
    assessment = assessment_for_user(request.user, pk)
    require_role(request.user, *REVIEWERS)
    return assessment


@login_required
@require_POST
def review_start(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = review_action(request, pk)
    try:
        services.assessment_start_review(assessment=assessment, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    return redirect("assessments:review", pk)


@login_required
@require_POST
def override(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = review_action(request, pk)
    form = OverrideForm(request.POST)
    if not form.is_valid():
        messages.error(
            request, "Override not saved: " + "; ".join(f"{k}: {' '.join(v)}" for k, v in form.errors.items())
        )
        return redirect("assessments:review", pk)
    try:
        services.override_set(assessment=assessment, by=request.user, **form.cleaned_data)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Override on {form.cleaned_data['question_code']} saved.")
    return redirect(f"/assessments/{pk}/review/#row-{form.cleaned_data['question_code']}")


@login_required
@require_POST
def basis_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    """A reviewer confirms what one answer rests on (an analyst gets 403)."""
    assessment = review_action(request, pk)
    form = BasisConfirmForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Basis not confirmed: " + _form_problems(form))
        return redirect("assessments:review", pk)
    code = form.cleaned_data["question_code"]
    try:
        services.answers_basis_confirm(assessment=assessment, bases={code: form.cleaned_data["basis"]}, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request, f"Basis of {code} confirmed: {Answer.Basis(form.cleaned_data['basis']).label.lower()}."
        )
    return redirect(reverse("assessments:review", args=[pk]) + f"#row-{code}")


def _members(assessment: Assessment):
    return get_user_model().objects.filter(memberships__organisation=assessment.organisation).order_by("username")


def _form_problems(form) -> str:
    return " ".join(str(e) for errors in form.errors.values() for e in errors)


@login_required
@require_POST
def finding(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = review_action(request, pk)
    form = FindingForm(request.POST, members=_members(assessment))
    if form.is_valid():
        try:
            services.finding_add(assessment=assessment, by=request.user, **form.cleaned_data)
        except ValidationError as exc:
            messages.error(request, "Not saved: " + " ".join(exc.messages))
        else:
            messages.success(request, f"{form.cleaned_data['kind'].capitalize()} recorded.")
    else:
        messages.error(request, "Not saved: " + _form_problems(form))
    return redirect("assessments:review", pk)


# --- A condition or finding after the decision -------------------------------------------


def _finding_for(request, pk: int, finding_pk: int):
    assessment = assessment_for_user(request.user, pk)
    return assessment, get_object_or_404(assessment.findings.select_related("owner_user"), pk=finding_pk)


def _accepted_for_findings(assessment: Assessment):
    return assessment.acceptances.filter(
        status=RiskAcceptance.Status.ACCEPTED,
        scope__in=[RiskAcceptance.Scope.RULE, RiskAcceptance.Scope.RESIDUAL],
    )


@login_required
def finding_detail(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    """One condition or finding: its state at the decision beside the current one, its history,
    closure notes and evidence, and the forms for whoever may act on it."""
    assessment, item = _finding_for(request, pk, finding_pk)
    may_update = services.finding_may_update(item, request.user)
    may_verify = services.finding_may_verify(item, request.user)
    live = item.status in item.LIVE
    acceptances = _accepted_for_findings(assessment)
    ctx = {
        "assessment": assessment,
        "item": item,
        "frozen": finding_frozen_state(assessment, item),
        "events": item.events.select_related("by"),
        "evidence": item.evidence.all(),
        "today": timezone.localdate(),
        "update_choices": [
            (value, label)
            for value, label in FindingUpdateForm.base_fields["status"].choices
            if value in services.OWNER_MOVES.get(item.status, ())
        ],
        "update_form": FindingUpdateForm(initial={"status": "done" if item.status == "in_progress" else "in_progress"})
        if may_update and live
        else None,
        "verify_form": FindingVerifyForm() if may_verify and item.status == "done" else None,
        "done_by_me": item.status == "done" and services.finding_done_by(item) == request.user.pk,
        "accept_form": FindingAcceptForm(acceptances=acceptances) if may_verify and live else None,
        "has_acceptances": acceptances.exists() if may_verify and live else False,
    }
    return render(request, "assessments/finding.html", ctx)


@login_required
@require_POST
def finding_update(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    _, item = _finding_for(request, pk, finding_pk)
    if not services.finding_may_update(item, request.user):
        raise PermissionDenied("Only the owner, an analyst or an admin may update this.")
    form = FindingUpdateForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, "Not saved: " + _form_problems(form))
        return redirect("assessments:finding_detail", pk, finding_pk)
    try:
        services.finding_update(
            finding=item,
            to=form.cleaned_data["status"],
            by=request.user,
            note=form.cleaned_data["note"],
            upload=form.cleaned_data["file"],
        )
    except ValidationError as exc:
        messages.error(request, "Not saved: " + " ".join(exc.messages))
    else:
        messages.success(request, f"Now {item.Status(form.cleaned_data['status']).label.lower()}.")
    return redirect("assessments:finding_detail", pk, finding_pk)


@login_required
@require_POST
def finding_verify(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    _, item = _finding_for(request, pk, finding_pk)
    if not services.finding_may_verify(item, request.user):
        raise PermissionDenied("Only a reviewer or an admin may verify this.")
    form = FindingVerifyForm(request.POST)
    if not form.is_valid():
        messages.error(request, "Not saved: " + _form_problems(form))
        return redirect("assessments:finding_detail", pk, finding_pk)
    verified = form.cleaned_data["verified"]
    try:
        services.finding_verify(finding=item, by=request.user, verified=verified, note=form.cleaned_data["note"])
    except ValidationError as exc:
        messages.error(request, "Not saved: " + " ".join(exc.messages))
    else:
        messages.success(request, "Verified and closed." if verified else "Sent back to the owner: not verified.")
    return redirect("assessments:finding_detail", pk, finding_pk)


@login_required
@require_POST
def finding_accept(request: HttpRequest, pk: int, finding_pk: int) -> HttpResponse:
    assessment, item = _finding_for(request, pk, finding_pk)
    if not services.finding_may_verify(item, request.user):
        raise PermissionDenied("Only a reviewer or an admin may record an accepted risk.")
    form = FindingAcceptForm(request.POST, acceptances=_accepted_for_findings(assessment))
    if not form.is_valid():
        messages.error(request, "Not saved: " + _form_problems(form))
        return redirect("assessments:finding_detail", pk, finding_pk)
    try:
        services.finding_accept_risk(
            finding=item, by=request.user, acceptance=form.cleaned_data["acceptance"], note=form.cleaned_data["note"]
        )
    except ValidationError as exc:
        messages.error(request, "Not saved: " + " ".join(exc.messages))
    else:
        messages.success(request, "Recorded as accepted risk.")
    return redirect("assessments:finding_detail", pk, finding_pk)


@login_required
@require_POST
def request_changes(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = review_action(request, pk)
    form = RequestChangesForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError("Say what needs to change.")
        services.assessment_request_changes(
            assessment=assessment, by=request.user, comment=form.cleaned_data["comment"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return redirect("assessments:review", pk)
    messages.success(request, "Changes requested.")
    return redirect(assessment)


def reviewer_candidates(assessment: Assessment):
    ids = assessment.organisation.memberships.filter(role__in=REVIEWERS).values_list("user", flat=True)
    return get_user_model().objects.filter(pk__in=ids, is_active=True).order_by("last_name", "username")


@login_required
@require_POST
def reviewers(request: HttpRequest, pk: int) -> HttpResponse:
    """Assign the reviewers; only they, or someone with more authority, then decide it."""
    assessment = assessment_for_user(request.user, pk)
    require_role(request.user, *EDITORS, *REVIEWERS)
    form = ReviewersForm(request.POST, candidates=reviewer_candidates(assessment))
    try:
        if not form.is_valid():
            raise ValidationError("Choose reviewers from the list.")
        services.assessment_reviewers_set(
            assessment=assessment, reviewers=form.cleaned_data["reviewers"], by=request.user
        )
    except ValidationError as exc:
        messages.error(request, "Reviewers not changed: " + " ".join(exc.messages))
    else:
        messages.success(request, "Reviewers saved.")
    return redirect(assessment)


@login_required
def question_history(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    index = bank_structure(assessment.bank_version).question_index
    if code not in index:
        raise Http404
    ctx = {
        "assessment": assessment,
        "q": index[code],
        "changes": [
            {
                "change": c,
                "old": change_label(index[code], c.old_value, empty="—"),
                "new": change_label(index[code], c.new_value, empty="(cleared)"),
            }
            for c in assessment.answer_changes.filter(question_code=code).select_related("by")
        ],
        "documents": answer_documents(assessment, [code]).get(code, []),
        "comments": assessment.comments.filter(question_code=code).select_related("author"),
        "clarifications": assessment.clarifications.filter(question_code=code),
        "can_comment": has_role(request.user, "admin", "analyst", "reviewer"),
        "vendor_question": index[code]["audience"] == "vendor",
    }
    return render(request, "assessments/history.html", ctx)


@login_required
def evidence_download(request: HttpRequest, pk: int, evidence_pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    item = get_object_or_404(assessment.evidence.select_related("document"), pk=evidence_pk)
    return document_response(item.document)


@login_required
@require_POST
def answers_import(request: HttpRequest, pk: int) -> HttpResponse:
    """Upload a returned answer file (JSON, YAML or CSV). All or nothing."""
    assessment = assessment_for_user(request.user, pk)
    require_role(request.user, *EDITORS)
    upload = request.FILES.get("file")
    problems: list[str] = []
    warnings: list[str] = []
    if upload is None:
        problems = ["Choose a file to import."]
    else:
        try:
            fmt = detect_format(upload.name)
            values = parse_answers(
                upload.read(MAX_ANSWER_FILE + 1),
                fmt=fmt,
                source=clean_name(upload.name),
                questions=bank_structure(assessment.bank_version).question_index,
                warnings=warnings,
            )
            services.answers_save(
                assessment=assessment, values=values, by=request.user, base_revisions=None, by_label=""
            )
        except AnswerFileError as exc:
            problems = exc.problems
        except ValidationError as exc:
            problems = exc.messages
    if problems:
        ctx = {"assessment": assessment, "problems": problems}
        return render(request, "assessments/import_problems.html", ctx, status=400)
    messages.success(request, f"Imported {len(values)} answer(s).")
    for warning in warnings:
        messages.warning(request, f"Imported, but check: {warning}")
    return redirect(assessment)


@login_required
def answers_export(request: HttpRequest, pk: int) -> HttpResponse:
    assessment = assessment_for_user(request.user, pk)
    fmt = request.GET.get("format", "json")
    if fmt not in ("json", "yaml", "csv"):
        raise Http404
    answers = {a.question_code: stored_answer(a) for a in assessment.answers.all()}
    content_type = {"json": "application/json", "yaml": "application/yaml", "csv": "text/csv"}[fmt]
    questions = bank_structure(assessment.bank_version).question_index
    text = dump_answers(answers, fmt=fmt, questions=questions)
    response = HttpResponse(text, content_type=f"{content_type}; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="A-{assessment.pk}-answers.{fmt}"'
    return response


@login_required
def upgrade(request: HttpRequest, pk: int) -> HttpResponse:
    """Show what moving to the latest published version changes; POST applies it."""
    assessment = assessment_for_user(request.user, pk)
    require_role(request.user, *EDITORS)
    target = (
        assessment.bank_version.bank.versions.filter(status="published", number__gt=assessment.bank_version.number)
        .order_by("-number")
        .first()
    )
    if target is None:
        messages.info(request, "This assessment already uses the latest published version.")
        return redirect(assessment)
    diff = services.version_diff(assessment.bank_version, target)
    if request.method == "POST":
        try:
            done = services.assessment_upgrade(assessment=assessment, target=target, by=request.user)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(
                request,
                f"Moved to v{target.number}: {len(done.kept)} answer{pluralize(len(done.kept))} kept, "
                f"{len(done.cleared)} cleared, {len(done.added)} new question{pluralize(len(done.added))}.",
            )
        return redirect(assessment)
    answered = set(answers_by_code(assessment))
    counts = diff.counts_for(answered, services.answers_outside_new_limits(assessment, diff, target))
    details = diff.details
    ctx = {
        "assessment": assessment,
        "target": target,
        "diff": diff,
        "counts": counts,
        "lost": counts.cleared,
        "substantive": [details[c] for c in diff.changed if c in details],
        "editorial": [details[c] for c in sorted(set(diff.editorial) | set(diff.renamed)) if c in details],
        "answered": answered,
    }
    return render(request, "assessments/upgrade.html", ctx)


def _thread_post(request: HttpRequest, pk: int, code: str, add, sent: str = "") -> HttpResponse:
    """Add a message to one of a question's threads (``add`` is the service), then back to its page."""
    assessment = assessment_for_user(request.user, pk)
    require_role(request.user, "admin", "analyst", "reviewer")
    try:
        add(assessment=assessment, question_code=code, body=request.POST.get("body", ""), by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if sent:
            messages.success(request, sent)
    return redirect("assessments:history", pk, code)


@login_required
@require_POST
def comment(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """An internal comment: the team only."""
    return _thread_post(request, pk, code, services.comment_add)


@login_required
@require_POST
def clarification(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """The team's reply in a question's clarification thread, which the vendor sees."""
    return _thread_post(request, pk, code, services.clarification_add, "Reply sent; the vendor sees it in the portal.")


@login_required
@require_POST
def chain_from_answer(request: HttpRequest, pk: int, code: str) -> HttpResponse:
    """Record the vendor's provider table as the service's supply chain."""
    assessment = assessment_for_user(request.user, pk)
    require_role(request.user, *EDITORS)
    try:
        created, updated = services.chain_record_from_answer(assessment=assessment, question_code=code, by=request.user)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, f"Supply chain recorded from {code}: {created} link(s) added, {updated} updated.")
    return redirect(assessment)
