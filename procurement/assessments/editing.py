"""One section's page and the saving of its posted form: shared by the staff screens and the vendor portal.

Only who may write and how the page looks differ between the two: the views check the
permission and name the templates and URLs; ``section_page`` does the rest.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.evidence import (
    EvidenceRejected,
    evidence_attach_existing,
    evidence_notes,
    evidence_store,
    section_documents,
)
from procurement.assessments.forms import SectionForm, section_rows
from procurement.assessments.models import Assessment
from procurement.assessments.presentation import answer_label, answer_words, has_basis
from procurement.assessments.reassessment import CONFIRM, marks_by_section, reassessment_marks
from procurement.assessments.records import stored_answer
from procurement.assessments.selectors import (
    answers_by_code,
    answers_visibility,
    bank_structure,
    reworded_since_answered,
    section_progress,
)
from procurement.vendors.documents import ACCEPT as DOCUMENT_ACCEPT

CONFLICT_MESSAGE = (
    "Someone else saved this section while you were editing it. "
    "Their answers are shown below; enter yours again where they differ."
)


@dataclass
class SaveOutcome:
    valid: bool
    revision: int
    conflict: services.StaleSection | None = None


def section_save(
    *,
    assessment: Assessment,
    section: str,
    questions: list[dict],
    form: SectionForm,
    files,
    revision: int | None,
    by,
    by_label: str = "",
    attach: dict | None = None,
    portal_codes=None,
) -> SaveOutcome:
    """Save every valid answer in the form and store its uploads; invalid ones come back with their messages.

    Any question takes supporting documents: an evidence-type question's own file input
    (``q-CODE``), any other's ``doc-CODE``, and ``attach`` ({"attach-CODE": document pk}) links a
    document of the vendor stored before (``portal_codes``: see documents_attachable). The
    answers are saved before the uploads, so a rejected file loses no typed answer.

    ``revision`` is the section's revision as the caller read it, returned when this save wrote
    none; None reads it then (the autosave reads it only in that case).
    """
    valid = form.is_valid()
    # A missing or tampered revision can never match, so the save is treated as stale.
    base = form.cleaned_data.get("revision")
    base = -1 if base is None and "revision" in form.data else base
    inputs = form.answer_inputs(only_valid=True)
    try:
        if inputs:
            revision = services.answers_save(
                assessment=assessment,
                values=inputs,
                by=by,
                by_label=by_label,
                base_revisions={section: base if base is not None else -1},
            ).get(section, revision)
    except services.StaleSection as exc:
        return SaveOutcome(False, exc.current_revision if revision is None else revision, exc)
    attach = attach or {}
    documented = []
    for q in questions:
        # An evidence question's input is its answer field, so its refusal shows on the question.
        field = f"q-{q['code']}" if q["type"] == "evidence" else f"doc-{q['code']}"
        try:
            if upload := files.get(field):
                evidence_store(
                    assessment=assessment,
                    question_code=q["code"],
                    upload=upload,
                    by=by,
                    by_label=by_label,
                    field=field,
                )
            if chosen := attach.get(f"attach-{q['code']}"):
                evidence_attach_existing(
                    assessment=assessment,
                    question_code=q["code"],
                    document_pk=chosen,
                    by=by,
                    by_label=by_label,
                    field=field,
                    codes=portal_codes,
                )
        except EvidenceRejected as exc:
            form.add_document_error(q["code"], exc.message)
            valid = False
        else:
            if has_basis(q) and (files.get(field) or attach.get(f"attach-{q['code']}")):
                documented.append(q["code"])
    # A document attached to an answer lifts it from the vendor's statement to a document
    # (claimed until a reviewer confirms it).
    if documented and services.answers_basis_lift(assessment=assessment, codes=documented, by=by, by_label=by_label):
        revision = services.section_revisions(assessment).get(section, revision)
    if revision is None:  # nothing was saved: the section's revision as it stands
        revision = services.section_revisions(assessment).get(section, 0)
    return SaveOutcome(valid, revision)


def _confirm(request, *, assessment, section, questions, by, by_label, urls) -> HttpResponse:
    """The section's "Confirm unchanged" buttons: one carried answer (``target`` is its code) or
    every carried answer of the section that needs no attention (``target`` is "section"); and
    the "Answer still holds" buttons of reworded questions."""
    if "confirm_wording" in request.POST:
        return _confirm_wording(
            request,
            assessment=assessment,
            section=section,
            questions=questions,
            target=request.POST["confirm_wording"],
            by=by,
            by_label=by_label,
            urls=urls,
        )
    target = request.POST["confirm"]
    codes = {q["code"] for q in questions}
    if target == "section":
        marks = reassessment_marks(assessment)
        chosen = [c for c in codes if (m := marks.get(c)) is not None and m.state == CONFIRM]
    else:
        chosen = [target] if target in codes else []
    confirmed = services.answers_confirm(assessment=assessment, codes=chosen, by=by, by_label=by_label)
    if confirmed:
        messages.success(request, f"Confirmed unchanged: {len(confirmed)} answer{'s' if len(confirmed) != 1 else ''}.")
    else:
        messages.info(request, services.carry.NOTHING_TO_CONFIRM)
    anchor = f"#q-{target}" if target in codes else ""
    return redirect(reverse(urls.section, args=[assessment.pk, section]) + anchor)


def _confirm_wording(request, *, assessment, section, questions, target, by, by_label, urls) -> HttpResponse:
    """A "Still holds" button beside a "wording changed since answered" badge (``target`` is
    the question's code): the answers were saved first, as with every button of the form."""
    codes = [target] if target in {q["code"] for q in questions} else []
    if services.answers_confirm_wording(assessment=assessment, codes=codes, by=by, by_label=by_label):
        messages.success(request, f"{target}: the answer still holds after the rewording (recorded in its history).")
    else:
        messages.info(request, services.NO_WORDING_TO_CONFIRM)
    anchor = f"#q-{target}" if codes else ""
    return redirect(reverse(urls.section, args=[assessment.pk, section]) + anchor)


@dataclass(frozen=True)
class SectionUrls:
    """URL names (each takes the assessment pk and one more argument) of one area's section page."""

    section: str  # the page itself: Save redirects to it, the sidebar links to its siblings
    question: str  # a question's side page: history for staff, clarification for the vendor
    evidence: str  # an evidence download


def _prefix(name: str, pk: int, placeholder: str | int) -> str:
    """The URL up to its last argument, so the template appends a code or pk without a reverse per row."""
    return reverse(name, args=[pk, placeholder]).rpartition(f"/{placeholder}/")[0] + "/"


def conflict_rows(questions: list[dict], answers: dict, form: SectionForm) -> list[dict]:
    """Their stored answer beside mine, per question, for the stale-write conflict page: both as
    a person reads them (choice labels, units, N/A with its reason), never stored values. Evidence
    questions are left out: their answer is a file, and a stale save never loses an attached file."""
    mine = form.answer_inputs() if hasattr(form, "cleaned_data") else {}
    rows = []
    for q in questions:
        if q["type"] == "evidence":
            continue
        theirs = answers.get(q["code"])
        my = mine.get(q["code"])
        their_key = (theirs.value, theirs.na, theirs.na_reason) if theirs else (None, False, "")
        my_key = (my.value, my.na, my.na_reason) if my else (None, False, "")
        rows.append(
            {
                "code": q["code"],
                "text": q["text"],
                "theirs": answer_words(q, *their_key[:1], na=their_key[1], na_reason=their_key[2]),
                "mine": answer_words(q, *my_key[:1], na=my_key[1], na_reason=my_key[2]),
                "differs": their_key != my_key,
            }
        )
    return rows


def _autosave(request: HttpRequest, *, assessment, code: str, questions, by, by_label: str) -> HttpResponse:
    """An htmx autosave: the same form, answered with a status line. It never stores or attaches a
    file (a file goes up once, with Save or Attach; autosave.js leaves file inputs out too).

    It reads neither the stored answers nor the section's revision first: a bound form validates
    what was posted (the stored answers only give an unbound form its initial values), and the
    save returns the revision it wrote (``section_save`` reads it only when nothing was saved).
    Two queries fewer on the most frequent request of the section page."""
    form = SectionForm(request.POST, questions=questions, answers={}, revision=0)
    outcome = section_save(
        assessment=assessment,
        section=code,
        questions=questions,
        form=form,
        files={},
        revision=None,
        by=by,
        by_label=by_label,
    )
    ctx = {
        "conflict": outcome.conflict,
        "reload_url": request.path,
        "revision": outcome.revision,
        "saved_at": timezone.now(),
        "errors": not outcome.valid,
    }
    return render(request, "assessments/includes/save_status.html", ctx)


def section_page(
    request: HttpRequest,
    *,
    assessment: Assessment,
    sections: list[dict],
    section: dict,
    questions: list[dict],
    can_edit: bool,
    by,
    by_label: str = "",
    template: str,
    urls: SectionUrls,
    audience: str | None = None,
    conflict_template: str | None = None,
    threads: Callable[[], dict[str, int]] | None = None,
    extra: dict | None = None,
) -> HttpResponse:
    """One section's form: GET shows it, POST saves it (htmx autosave posts the same form and gets a status line).

    The caller has checked that a POST may write. ``sections`` are the sections this reader may
    open, in order (they set "next" and which posted ``next`` is followed); ``questions`` are the
    section's questions this reader answers. A stale save renders ``conflict_template`` (409) when
    given, or else redirects back to the section with a message. ``threads`` counts the messages per
    question shown beside each row; ``extra`` adds to the page's context.
    """
    code = section["code"]
    # The vendor portal may reuse only documents already on its own questions (documents_attachable).
    portal_codes = {q["code"] for s in sections for q in s["questions"]} if audience == "vendor" else None
    if request.method == "POST" and request.headers.get("HX-Request") == "true":
        return _autosave(request, assessment=assessment, code=code, questions=questions, by=by, by_label=by_label)
    revision = services.section_revisions(assessment).get(code, 0)
    answers = answers_by_code(assessment)
    form = None
    if request.method == "POST":
        attach = {k: v for k, v in request.POST.items() if k.startswith("attach-") and v}
        # The form validates posted answers (an empty POST is still a bound, valid form);
        # a GET writes the inputs straight from the stored answers.
        form = SectionForm(request.POST, request.FILES or None, questions=questions, answers=answers, revision=revision)
        outcome = section_save(
            assessment=assessment,
            section=code,
            questions=questions,
            form=form,
            files=request.FILES,
            revision=revision,
            by=by,
            by_label=by_label,
            attach=attach,
            portal_codes=portal_codes,
        )
        if outcome.conflict is not None:
            if conflict_template is None:
                messages.error(request, CONFLICT_MESSAGE)
                return redirect(urls.section, assessment.pk, code)
            rows = conflict_rows(questions, answers, form)
            ctx = {"assessment": assessment, "section": section, "conflict": outcome.conflict, "rows": rows}
            return render(request, conflict_template, ctx, status=409)
        if outcome.valid and ("confirm" in request.POST or "confirm_wording" in request.POST):
            return _confirm(
                request,
                assessment=assessment,
                section=code,
                questions=questions,
                by=by,
                by_label=by_label,
                urls=urls,
            )
        if outcome.valid:
            messages.success(request, "Saved.")
            target = request.POST.get("next")
            if target not in {s["code"] for s in sections}:
                target = code
            attached_to = request.POST.get("attach_to", "")
            if attached_to in {q["code"] for q in questions}:  # back to the question the file went to
                return redirect(reverse(urls.section, args=[assessment.pk, code]) + f"#q-{attached_to}")
            return redirect(urls.section, assessment.pk, target)
        revision = outcome.revision
        answers = answers_by_code(assessment)

    structure = bank_structure(assessment.bank_version)
    rows = section_rows(form, questions=questions, answers=answers, visible=answers_visibility(structure, answers))
    if threads is not None:
        counts = threads()
        for row in rows:
            row["thread"] = counts.get(row["code"], 0)
    codes = [s["code"] for s in sections]
    i = codes.index(code)
    shown = {q["code"] for q in questions}
    attached, attachable = section_documents(assessment, shown, can_attach=can_edit, codes=portal_codes)
    reworded = reworded_since_answered(assessment, shown)
    marks = reassessment_marks(assessment, answers=answers)
    for row in rows:
        row["mark"] = marks.get(row["code"])
        if row["mark"] is not None and row["mark"].provenance:
            row["carried_words"] = answer_label(row["q"], stored_answer(answers.get(row["code"])))[1]
    section_marks = marks_by_section(assessment, marks) if marks else {}
    progress = section_progress(assessment, answers, audience=audience)
    for s in progress:
        s["marks"] = section_marks.get(s["code"])
    today = timezone.localdate()
    for row in rows:
        row["reworded"] = row["code"] in reworded
        row["documents"] = attached.get(row["code"], [])
        row["evidence_notes"] = (
            evidence_notes(question=row["q"], answer=answers.get(row["code"]), links=row["documents"], today=today)
            if row["documents"]
            else []
        )
        mine = {e.document_id for e in row["documents"]}
        row["attachable"] = [d for d in attachable if d.pk not in mine]
    ctx = {
        **(extra or {}),
        "assessment": assessment,
        "section": section,
        "sections": progress,
        "previous": assessment.previous if assessment.previous_id else None,
        "section_marks": section_marks.get(code) if marks else None,
        "form": form,
        "rows": rows,
        # URL prefixes, so the template does not reverse a URL per question and per section.
        "question_url": _prefix(urls.question, assessment.pk, "CODE"),
        "section_url": _prefix(urls.section, assessment.pk, "CODE"),
        "evidence_url": _prefix(urls.evidence, assessment.pk, 0),
        "revision": revision,
        "can_edit": can_edit,
        "document_accept": DOCUMENT_ACCEPT,
        "next_section": codes[i + 1] if i + 1 < len(codes) else None,
    }
    return render(request, template, ctx, status=400 if form is not None and form.errors else 200)
