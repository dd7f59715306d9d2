"""The questions of a section form, written from ``forms.section_rows``: ``{% section_questions %}``.

Why Python and not a template: drawn by the template engine, one question cost ~1 ms (about 200
nodes and variables each: the choices, the basis select, N/A, the documents block, the links),
15 ms of a 15-question section page whose stock ``{{ form }}`` baseline takes ~20 ms; written
here it costs ~40 µs. See docs/performance.md ("Section page, 2026-11-27") for the figure this
buys (``section_page_ratio``, goal ≤ 0.45). Only the provider table, one question in the bank,
is still a template (``assessments/includes/provider_table.html``).

What a question shows is documented beside each part below; the staff page, the vendor portal
and the review page's reviewer checks all draw their questions here. Every value from a bank,
an answer or a document is escaped (``_e``); attribute values are quoted with ``"``.
"""

from __future__ import annotations

import html
from functools import lru_cache

from django import template
from django.template.defaultfilters import filesizeformat
from django.template.loader import get_template
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language

from procurement.assessments.models import Answer

register = template.Library()


def _e(value) -> str:
    """conditional_escape without its lazy-string wrapper (~4x faster; ~400 calls a page): the
    same output, html.escape of the text unless it is already safe."""
    if hasattr(value, "__html__"):
        return value.__html__()
    return html.escape(str(value))


CLOSE_DETAILS = "\n</details>"
CHOICE_TYPES = {"single_choice": "radio", "yes_no": "radio", "multi_choice": "checkbox"}


@lru_cache(maxsize=32)
def _basis_options(selected: str, language: str | None) -> str:
    """The basis select's options (one shared definition, Answer.Basis), ``selected`` chosen."""
    return "".join(
        f'\n<option value="{value}"{" selected" if value == selected else ""}>{_e(str(label))}</option>'
        for value, label in Answer.Basis.choices
    )


def _aria(row: dict) -> str:
    """aria-describedby (errors, the allowed range, the help) and aria-invalid of an answer input."""
    described = f' aria-describedby="{_e(row["describedby"])}"' if row["describedby"] else ""
    return described + (' aria-invalid="true"' if row["answer_invalid"] else "")


def _choices(row: dict, kind: str) -> str:
    code, name = _e(row["code"]), _e(row["name"])
    invalid = " is-invalid" if row["answer_invalid"] else ""
    return "".join(
        f'\n<div class="form-check"><input type="{kind}" class="form-check-input{invalid}" name="{name}"'
        f' id="in-{code}-{n}" value="{_e(value)}"{" checked" if checked else ""}><label class="form-check-label"'
        f' for="in-{code}-{n}">{_e(label)}</label></div>'
        for n, (value, label, checked) in enumerate(row["choices"], start=1)
    )


def _number_or_date(row: dict, q: dict) -> str:
    code, invalid = _e(row["code"]), " is-invalid" if row["answer_invalid"] else ""
    common = f'name="{_e(row["name"])}" id="in-{code}" value="{_e(row["value"])}" aria-labelledby="lg-{code}"'
    if q["type"] == "number":
        unit = f'\n<span class="input-group-text">{_e(q["unit"])}</span>' if q["unit"] else ""
        field = (
            # A text box that asks for a number keyboard, not type="number": screen readers read an
            # empty number box as "0.0" (Orca pass), and the server checks the number anyway.
            f'<div class="input-group w-auto d-inline-flex">\n<input class="form-control{invalid}" type="text"'
            f' inputmode="decimal" spellcheck="false" autocomplete="off" {common}{_aria(row)}>{unit}\n</div>'
        )
    else:
        field = f'<input class="form-control w-auto{invalid}" type="date" {common}{_aria(row)}>'
    undisclosed = ""
    if row["undisclosed_allowed"]:
        undisclosed = (
            f'\n<div class="form-check small mb-0">\n<input class="form-check-input" type="checkbox"'
            f' name="nd-{code}" id="nd-{code}"{" checked" if row["undisclosed"] else ""}><label'
            f' class="form-check-label" for="nd-{code}">Vendor does not disclose<span class="visually-hidden">:'
            f" {_e(q['text'])}</span></label></div>"
        )
    return f'<div class="d-flex flex-wrap align-items-center column-gap-3">\n{field}{undisclosed}\n</div>'


def _answer_input(row: dict, q: dict, env: dict) -> str:
    """The answer's own input(s), by question type."""
    qtype, code = q["type"], _e(row["code"])
    if qtype in CHOICE_TYPES:
        return _choices(row, CHOICE_TYPES[qtype])
    if qtype in ("number", "date"):
        return _number_or_date(row, q)
    invalid = " is-invalid" if row["answer_invalid"] else ""
    if qtype == "evidence":
        return (
            f'<input type="file" class="form-control{invalid}" name="{_e(row["name"])}" id="in-{code}"'
            f' accept="{_e(env["document_accept"])}" aria-labelledby="lg-{code}"{_aria(row)}>'
        )
    if qtype == "provider_table":
        return get_template("assessments/includes/provider_table.html").render({"row": row})
    return (
        f'<textarea class="form-control{invalid}" rows="3" name="{_e(row["name"])}" id="in-{code}"'
        f' maxlength="20000" aria-labelledby="lg-{code}"{_aria(row)}>{_e(row["value"])}</textarea>'
    )


def _mark(row: dict, env: dict) -> str:
    """A reassessment's mark (needs attention, to confirm, up to date) and, for a carried answer
    nothing asks about, the answer in one line with its "Confirm unchanged" button."""
    mark, code = row.get("mark"), _e(row["code"])
    if not mark:
        return ""
    badge = {
        "attention": '<span class="badge text-bg-warning">Needs attention</span>',
        "confirm": '<span class="badge text-bg-light border">To confirm or change</span>',
    }.get(mark.state, '<span class="badge text-bg-success">Up to date</span>')
    reasons = "".join(f'<span class="d-block">{_e(reason)}</span>' for reason in mark.reasons)
    provenance = ""
    if mark.provenance:
        confirmed = f"\n· {_e(mark.confirmed)}" if mark.confirmed else ""
        provenance = f'\n<span class="d-block text-secondary">{_e(mark.provenance)}{confirmed}</span>'
    out = [f'\n<div class="reassess-mark small mb-1" id="mark-{code}">\n{badge}\n{reasons}{provenance}\n</div>']
    if mark.collapsed:
        out.append(
            f'\n<p class="mb-1">{_e(row["q"]["text"])}</p>\n<p class="mb-1 carried-answer" id="carried-{code}">'
            f'<span class="text-secondary">Answer:</span>\n{_e(row.get("carried_words", ""))}</p>'
        )
    if mark.confirmable and env["can_edit"]:
        out.append(
            f'\n<button class="btn btn-sm btn-outline-success mb-1" type="submit" name="confirm" value="{code}"'
            f' formnovalidate>Confirm unchanged<span class="visually-hidden">: {code}</span></button>'
        )
    if mark.collapsed:
        out.append(
            f'\n<details class="mb-1"{" open" if row["errors"] else ""}>\n<summary class="small">Change this'
            f' answer<span class="visually-hidden"> ({code})</span></summary>'
        )
    return "".join(out)


def _reworded(row: dict, env: dict) -> str:
    """The "wording changed since answered" badge, with its "Answer still holds" button."""
    if not row.get("reworded"):
        return ""
    code = _e(row["code"])
    button = (
        f' <button class="btn btn-sm btn-outline-success py-0" type="submit" name="confirm_wording"'
        f' value="{code}" formnovalidate>Answer still holds<span class="visually-hidden">: {code}</span></button>'
        if env["can_edit"]
        else ""
    )
    return (
        f'\n<p class="small mb-1" id="rw-{code}"><span class="badge text-bg-warning">Wording changed since'
        " answered</span> The question was reworded in a newer version of the questionnaire; check that the"
        f" answer still holds.{button}</p>"
    )


def _notes(row: dict, q: dict) -> str:
    """Under the inputs: errors (the inputs' aria-describedby names them), the soft-range
    warning, the allowed range, the help, and where a pre-filled answer came from."""
    code, out = _e(row["code"]), []
    if row["errors"]:
        errors = "".join(
            f'<span class="d-block"><span class="visually-hidden">Error: </span>{_e(e)}</span>' for e in row["errors"]
        )
        out.append(f'\n<div class="invalid-feedback d-block" id="err-{code}">{errors}</div>')
    if row["warning"]:
        out.append(
            f'\n<div class="form-text text-warning-emphasis" id="warn-{code}">\n<strong>Check:</strong>'
            f" {_e(row['warning'])}</div>"
        )
    if row["allowed"]:
        out.append(f'\n<div class="form-text" id="range-{code}">Allowed: {_e(row["allowed"])}</div>')
    if q["help"]:
        out.append(f'\n<div class="form-text" id="help-{code}">{_e(q["help"])}</div>')
    if row["from_service"]:
        out.append(
            f'\n<div class="form-text text-info-emphasis" id="source-{code}">Pre-filled from the service'
            " record's annual spend; change it here if it is wrong.</div>"
        )
    return "".join(out)


def _basis(row: dict, env: dict) -> str:
    """What the answer rests on: the select and whether a reviewer confirmed it."""
    if not row.get("basis_allowed"):
        return ""
    code, confirmed = _e(row["code"]), row["basis_confirmed"]
    if confirmed and env["portal"]:
        note = "Confirmed by the team's reviewer."
    elif confirmed:
        note = f"{_e(confirmed)}."
    elif row["basis_pending"]:
        below = "; attach the document below" if env["portal"] and not row.get("documents") else ""
        note = f"Counts once a reviewer confirms it{below}."
    else:
        note = "A document attached below lifts it to “Document”."
    return (
        '\n<div class="d-flex flex-wrap align-items-center small column-gap-2 basis-row mt-1">\n<label'
        f' class="text-secondary" for="bs-{code}">This answer rests on<span class="visually-hidden">'
        f' ({code})</span></label>\n<select class="form-select form-select-sm w-auto" name="bs-{code}"'
        f' id="bs-{code}" aria-describedby="bsn-{code}">{_basis_options(row["basis"], get_language())}\n</select>'
        f'\n<span id="bsn-{code}" class="{"text-success-emphasis" if confirmed else "text-secondary"}">\n{note}'
        "</span>\n</div>"
    )


def _not_applicable(row: dict, q: dict) -> str:
    """The N/A box and its reason; the reason's error is described by the row's error block."""
    if not q["na"]:
        return ""
    code, text = _e(row["code"]), _e(q["text"])
    invalid = row["reason_invalid"]
    aria = f' aria-invalid="true" aria-describedby="err-{code}"' if invalid else ""
    return (
        '\n<div class="d-flex align-items-center small gap-2 na-row mt-1">\n<div class="form-check mb-0 me-2">'
        f'<input class="form-check-input" type="checkbox" name="na-{code}" id="na-{code}"'
        f'{" checked" if row["na"] else ""}><label class="form-check-label" for="na-{code}">Not applicable<span'
        f' class="visually-hidden">: {text}</span></label></div>\n<input class="form-control form-control-sm'
        f' flex-grow-1{" is-invalid" if invalid else ""}" name="nar-{code}" id="nar-{code}"'
        f' value="{_e(row["na_reason"])}" maxlength="2000" placeholder="Why it does not apply (required for N/A)"'
        f' aria-label="Why it does not apply: {text}"{aria}>'
        "\n</div>"
    )


def _document_option(d) -> str:
    return f'\n<option value="{d.pk}">{_e(d.original_name)} ({_e(d.type_label)},\n{filesizeformat(d.size)})</option>'


def _documents(row: dict, env: dict) -> str:
    """The answer's supporting documents, what the register's dates say about them, a refused
    upload, and (when the page can edit) the inputs to add one. Files go up with Save or
    Attach, never with autosave."""
    code, evidence = _e(row["code"]), row["q"]["type"] == "evidence"
    out = [f'\n<div class="answer-documents small mt-1" id="docs-{code}">']
    for e in row.get("documents") or ():
        out.append(
            f'\n<div class="attached-document">\n<span class="text-secondary">'
            f"{'Uploaded' if evidence else 'Supporting document'}:</span>\n<a"
            f' href="{_e(env["evidence_url"])}{e.pk}/" download>{_e(e.document.original_name)}</a>\n<span'
            f' class="text-secondary">({_e(e.document.type_label)}, {filesizeformat(e.document.size)})</span></div>'
        )
    for n in row.get("evidence_notes") or ():
        level = n["level"]
        title = {"contradiction": "Dates disagree:", "expired": "Expired:"}.get(level, "Expiring:")
        out.append(
            f'\n<div data-evidence-note="{_e(level)}" class="evidence-note'
            f' {"text-body-secondary" if level == "expiring" else "text-danger"}">\n<strong>{title}</strong>'
            f"\n{_e(n['text'])}</div>"
        )
    document_errors = row.get("document_errors") or ()
    out.extend(f'\n<div class="invalid-feedback d-block">{_e(e)}</div>' for e in document_errors)
    attachable = row.get("attachable")
    if env["can_edit"] and (not evidence or attachable):
        upload = (
            ""
            if evidence
            else f'\n<input class="form-control form-control-sm w-auto" type="file" name="doc-{code}"'
            f' id="doc-{code}" accept="{_e(env["document_accept"])}" aria-label="Supporting document for {code}">'
        )
        chosen = ""
        if attachable:
            options = env["document_options"]
            listed = "".join(options.get(d.pk) or _document_option(d) for d in attachable)
            chosen = (
                f'\n<select class="form-select form-select-sm w-auto" name="attach-{code}" aria-label="A document'
                f' already uploaded, for {code}">\n<option value="">'
                f"{'Choose a document' if evidence else '…or one already uploaded'}</option>{listed}\n</select>"
            )
        out.append(
            f'\n<details class="mt-1"{" open" if document_errors else ""}>\n<summary>'
            f"{'Attach a document you uploaded before' if evidence else 'Attach a supporting document'}"
            f'<span class="visually-hidden">&nbsp;for {code}</span></summary>'
            f'\n<div class="d-flex flex-wrap align-items-center gap-2 mt-1">{upload}{chosen}\n<button class="btn'
            f' btn-sm btn-outline-secondary" type="submit" name="attach_to" value="{code}">Attach</button>\n</div>'
            '\n<div class="form-text">PDF, PNG, JPEG, plain text, Word (.docx) or Excel (.xlsx); macro-enabled files'
            " are refused. A file already uploaded for this vendor is linked, not stored again.</div>\n</details>"
        )
    out.append("\n</div>")
    return "".join(out)


def _links(row: dict, env: dict) -> str:
    """The question's side page: the clarification thread for the vendor, history for the team."""
    code, base = _e(row["code"]), _e(env["question_url"])
    if env["portal"]:
        thread = row.get("thread")
        so_far = f"\n· {thread} message{'' if thread == 1 else 's'} so far" if thread else ""
        return (
            f'\n<div class="small mt-1">\n<a href="{base}{code}/clarify/">Ask the team about this question<span'
            f' class="visually-hidden">&nbsp;({code})</span></a>{so_far}\n</div>'
        )
    return (
        f'\n<div class="small mt-1"><a href="{base}{code}/history/">history and comments<span'
        f' class="visually-hidden">&nbsp;on {code}</span></a></div>'
    )


def question_html(row: dict, env: dict) -> str:
    """One question of the form: its code and badges, a reassessment's mark, the inputs in a
    fieldset whose legend is the question (each input is labelled by it), the notes under it,
    what the answer rests on, N/A, supporting documents and the side-page link."""
    q, code = row["q"], _e(row["code"])
    attrs = ""
    if row["show_if_here"]:
        attrs = (
            f' data-show-if-question="{_e(q["show_if"]["question"])}" data-show-if-values="{_e(row["show_if_values"])}"'
        )
    if row["hidden"]:
        attrs += " hidden"
    badges = ""
    if not env["portal"]:
        critical = '<span class="badge text-bg-danger ms-1">Critical</span>' if q["critical"] else ""
        buyer = '<span class="badge text-bg-info ms-1">Buyer intake</span>' if q["audience"] == "buyer" else ""
        badges = f"\n<span>{critical}{buyer}</span>"
    collapsed = bool(row.get("mark")) and row["mark"].collapsed
    described = f' aria-describedby="err-{code}"' if row["errors"] else ""
    # Each question is a heading under the section's (h1 in the portal, h2 on the staff page), so a
    # screen reader's heading keys go from question to question (docs/accessibility.md, Orca pass).
    heading = "h2" if env["portal"] else "h3"
    return (
        f'\n<div class="question border-bottom pb-3 mb-3" id="q-{code}"{attrs}>\n<div class="d-flex'
        f' justify-content-between">\n<span class="text-secondary small fw-semibold">{code}</span>{badges}\n</div>'
        f"{_mark(row, env)}"
        f'\n<fieldset class="mb-1"{described}>'
        f'\n<legend class="form-label fs-6 mb-1" id="lg-{code}"><{heading} class="fs-6 fw-normal lh-base m-0">'
        f"{_e(q['text'])}</{heading}></legend>{_reworded(row, env)}"
        f"\n{_answer_input(row, q, env)}\n</fieldset>"
        f"{_notes(row, q)}{_basis(row, env)}{_not_applicable(row, q)}"
        f"{CLOSE_DETAILS if collapsed else ''}{_documents(row, env)}{_links(row, env)}\n</div>"
    )


@register.simple_tag(takes_context=True)
def section_questions(context, rows) -> SafeString:
    """Every question of ``rows`` (``forms.section_rows``, plus the page's marks, documents and
    threads). From the context: ``portal`` (the vendor's page), ``can_edit``, ``question_url`` and
    ``evidence_url`` (URL prefixes, reversed once per page), ``document_accept``."""
    env = {
        "portal": bool(context.get("portal")),
        "can_edit": bool(context.get("can_edit")),
        "question_url": context.get("question_url") or "",
        "evidence_url": context.get("evidence_url") or "",
        "document_accept": context.get("document_accept") or "",
        "document_options": {},
    }
    # One <option> per document of the vendor, written once and listed under every question.
    for row in rows:
        for d in row.get("attachable") or ():
            if d.pk not in env["document_options"]:
                env["document_options"][d.pk] = _document_option(d)
    return mark_safe("".join(question_html(row, env) for row in rows))  # every value is escaped above
