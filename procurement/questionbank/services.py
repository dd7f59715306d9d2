"""Writes to question banks. Every path (admin, commands, views) goes through here."""

from __future__ import annotations

from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from procurement.core.access import is_org_admin, is_site_staff, organisation_for
from procurement.core.models import Organisation
from procurement.questionbank import document as bankdoc
from procurement.questionbank.models import BankVersion, Choice, Question, QuestionBank, Section

NOT_A_DRAFT = "Only a draft can be published; {version} is {status}."
NOT_PUBLISHED = "Only a published version can be retired; {version} is {status}."
CHANGELOG_REQUIRED = "Write a changelog before publishing: say what changed in this version and why."
SHIPPED_SLUG_TAKEN = "A bank with slug {slug!r} already exists for this organisation."


# --- Permissions -----------------------------------------------------------------


def bank_can_edit(user, bank: QuestionBank | None) -> bool:
    """Bank editors: site staff for shipped banks, organisation admins for their own."""
    if bank is None:
        return is_site_staff(user) or is_org_admin(user)
    if bank.organisation_id is None:
        return is_site_staff(user)
    org = organisation_for(user)
    return is_org_admin(user) and org is not None and org.pk == bank.organisation_id


# --- Reading a version as a document ----------------------------------------------


def version_to_document(version: BankVersion) -> dict:
    """The version's rows as a normalised bank document (4 queries)."""
    sections = list(version.sections.order_by("order", "code"))
    questions = list(version.questions.order_by("order", "code").prefetch_related("choices"))
    by_section: dict[int, list[Question]] = {}
    for q in questions:
        by_section.setdefault(q.section_id, []).append(q)
    return {
        "format": bankdoc.FORMAT_VERSION,
        "bank": {"slug": version.bank.slug, "name": version.bank.name, "description": version.bank.description},
        "version": {"changelog": version.changelog, "rule_params": version.rule_params or {}},
        "sections": [
            {
                "code": s.code,
                "title": s.title,
                "description": s.description,
                "weight": _plain_number(s.weight),
                "questions": [_question_to_dict(q) for q in by_section.get(s.pk, [])],
            }
            for s in sections
        ],
    }


def _plain_number(value) -> int | float:
    f = float(value)
    return int(f) if f.is_integer() else f


def _question_to_dict(q: Question) -> dict:
    return {
        "code": q.code,
        "text": q.text,
        "help": q.help_text,
        "type": q.answer_type,
        "unit": q.unit,
        "weight": q.weight,
        "critical": q.critical,
        "scored": q.scored,
        "audience": q.audience,
        "na": q.allow_na,
        "show_if": {"question": q.show_if_question, "in": list(q.show_if_values)} if q.show_if_question else None,
        "refs": list(q.framework_refs),
        "choices": [
            {"value": c.value, "label": c.label, "points": c.points}
            | ({"renamed_from": list(c.renamed_from)} if c.renamed_from else {})
            for c in sorted(q.choices.all(), key=lambda c: (c.order, c.pk))
        ],
        "bands": [dict(b) for b in q.bands],
        "limits": dict(q.limits or {}),
        "score_by": q.score_by,
        "fresh_for_months": q.fresh_for_months,
    } | ({"change": q.change_kind} if q.change_kind else {})


# --- Creating versions ------------------------------------------------------------


@transaction.atomic
def version_create_from_document(
    *, bank: QuestionBank, doc: dict, based_on: BankVersion | None = None, changelog: str | None = None
) -> BankVersion:
    """A new draft holding the document's sections, questions and choices."""
    version = BankVersion.objects.create(
        bank=bank,
        status=BankVersion.Status.DRAFT,
        changelog=doc["version"]["changelog"] if changelog is None else changelog,
        rule_params=doc["version"]["rule_params"],
        based_on=based_on,
    )
    # Rows of a brand-new draft: bulk inserts are safe (nothing is locked yet).
    sections = Section.objects.bulk_create(
        Section(
            version=version,
            code=s["code"],
            title=s["title"],
            description=s["description"],
            order=i,
            weight=s["weight"],
        )
        for i, s in enumerate(doc["sections"])
    )
    questions: list[Question] = []
    pending_choices: list[tuple[int, list[dict]]] = []
    for section, s in zip(sections, doc["sections"], strict=True):
        for j, q in enumerate(s["questions"]):
            questions.append(
                Question(
                    version=version,
                    section=section,
                    code=q["code"],
                    text=q["text"],
                    help_text=q["help"],
                    answer_type=q["type"],
                    unit=q["unit"],
                    bands=q["bands"],
                    limits=q.get("limits") or {},
                    score_by=q.get("score_by") or "",
                    fresh_for_months=q.get("fresh_for_months"),
                    weight=q["weight"],
                    critical=q["critical"],
                    scored=q["scored"],
                    audience=q["audience"],
                    allow_na=q["na"],
                    show_if_question=q["show_if"]["question"] if q["show_if"] else "",
                    show_if_values=q["show_if"]["in"] if q["show_if"] else [],
                    framework_refs=q["refs"],
                    change_kind=q.get("change") or "",
                    order=j,
                )
            )
            pending_choices.append((len(questions) - 1, q["choices"]))
    questions = Question.objects.bulk_create(questions)
    Choice.objects.bulk_create(
        Choice(
            question=questions[i],
            label=c["label"],
            value=c["value"],
            points=c["points"],
            renamed_from=c.get("renamed_from") or [],
            order=k,
        )
        for i, choices in pending_choices
        for k, c in enumerate(choices)
    )
    return version


def version_new_draft(*, version: BankVersion) -> BankVersion:
    """ "New draft from this version": a full copy that can be edited."""
    doc = version_to_document(version)
    # An editor's editorial/substantive mark describes a change from the version before;
    # the new draft starts with none.
    for section in doc["sections"]:
        for q in section["questions"]:
            q.pop("change", None)
    return version_create_from_document(bank=version.bank, doc=doc, based_on=version, changelog="")


@transaction.atomic
def version_set_rule_params(*, version: BankVersion, params: dict) -> BankVersion:
    """New rule parameters for a draft (already checked by the form; publishing checks again)."""
    version = BankVersion.objects.select_for_update().get(pk=version.pk)
    if version.is_locked:
        raise version.locked_error()
    version.rule_params = params
    version.save(update_fields=["rule_params", "updated_at"])
    return version


@transaction.atomic
def bank_copy_to_organisation(*, version: BankVersion, organisation: Organisation) -> BankVersion:
    """An organisation's own copy of a version it can see (a shipped one, typically): a draft
    in the organisation's bank of the same slug (made if missing), based on ``version`` so
    "What changed" compares the copy with it. Published versions are never touched."""
    source = version.bank
    bank = QuestionBank.objects.filter(organisation=organisation, slug=source.slug).first()
    if bank is None:
        bank = QuestionBank.objects.create(
            organisation=organisation, slug=source.slug, name=source.name, description=source.description
        )
    doc = version_to_document(version)
    for section in doc["sections"]:
        for q in section["questions"]:
            q.pop("change", None)
    return version_create_from_document(
        bank=bank, doc=doc, based_on=version, changelog=f"Copied from {source.name} {version.label}."
    )


def _question_fields(q: dict) -> dict:
    """A document question as Question model fields (choices apart)."""
    return {
        "text": q["text"],
        "help_text": q["help"],
        "answer_type": q["type"],
        "unit": q["unit"],
        "bands": q["bands"],
        "limits": q.get("limits") or {},
        "score_by": q.get("score_by") or "",
        "weight": q["weight"],
        "critical": q["critical"],
        "scored": q["scored"],
        "audience": q["audience"],
        "allow_na": q["na"],
        "show_if_question": q["show_if"]["question"] if q["show_if"] else "",
        "show_if_values": q["show_if"]["in"] if q["show_if"] else [],
        "framework_refs": q["refs"],
        "fresh_for_months": q.get("fresh_for_months"),
    }


@transaction.atomic
def version_take_upstream(*, draft: BankVersion, upstream: BankVersion, codes: list[str]) -> list[str]:
    """Take ``codes`` from ``upstream`` (a newer shipped version) into an organisation's draft,
    question by question: a question upstream replaces the draft's (text, answer rules and
    choices), is added to the section of the same code (or the last section) when the draft
    lacks it, or is removed from the draft when upstream removed it. Returns the codes taken."""
    draft = BankVersion.objects.select_for_update().get(pk=draft.pk)
    if draft.is_locked:
        raise draft.locked_error()
    upstream_doc = version_to_document(upstream)
    up = {q["code"]: (s["code"], q) for s in upstream_doc["sections"] for q in s["questions"]}
    taken = []
    for code in codes:
        existing = draft.questions.filter(code=code).first()
        if code not in up:
            if existing is not None:
                existing.delete()
                taken.append(code)
            continue
        section_code, q = up[code]
        if existing is None:
            section = draft.sections.filter(code=section_code).first() or draft.sections.order_by("-order").first()
            last = section.questions.order_by("-order").values_list("order", flat=True).first()
            existing = Question(version=draft, section=section, code=code, order=(last or 0) + 1)
        for name, value in _question_fields(q).items():
            setattr(existing, name, value)
        existing.save()
        existing.choices.all().delete()
        for k, c in enumerate(q["choices"]):
            Choice.objects.create(
                question=existing,
                label=c["label"],
                value=c["value"],
                points=c["points"],
                renamed_from=c.get("renamed_from") or [],
                order=k,
            )
        taken.append(code)
    if taken:
        note = f"Taken from {upstream.bank.name} {upstream.label}: {', '.join(taken)}."
        draft.changelog = f"{draft.changelog}\n{note}".strip()
        draft.save(update_fields=["changelog", "updated_at"])
    return taken


@transaction.atomic
def version_publish(
    *,
    version: BankVersion,
    by=None,
    changelog: str | None = None,
    marks: dict[str, str] | None = None,
    loaded_from: dict | None = None,
) -> BankVersion:
    """Validate the whole version, then freeze it under the next version number. A version
    that follows another needs a changelog (given here or already on the draft). ``marks``
    sets, per question code, the editor's classification of its change ("editorial",
    "substantive", or "" to let the comparison decide) before the version freezes.

    ``loaded_from`` is the validated document the draft was created from, untouched since
    (bank_load): it is the version's content, so it is not read back and checked again."""
    version = BankVersion.objects.select_for_update().select_related("bank").get(pk=version.pk)
    if version.status != BankVersion.Status.DRAFT:
        raise ValidationError(NOT_A_DRAFT.format(version=version.label, status=version.status), code="not_draft")
    if changelog is not None:
        version.changelog = changelog.strip()
    for code, kind in (marks or {}).items():
        if kind not in ("", *Question.ChangeKind.values):
            raise ValidationError(f"{code}: choose editorial, substantive or automatic.", code="bad_mark")
        question = version.questions.filter(code=code).first()
        if question is not None and question.change_kind != kind:
            question.change_kind = kind
            question.save(update_fields=["change_kind", "updated_at"])
    follows = version.based_on_id is not None or version.bank.versions.exclude(status=BankVersion.Status.DRAFT).exists()
    no_changelog = follows and not version.changelog.strip()
    doc = loaded_from if loaded_from is not None and not marks else version_to_document(version)
    problems = bankdoc.validate_document(doc) if doc is not loaded_from else []
    if problems:
        raise bankdoc.BankFileError(problems + ([bankdoc.Problem("changelog", CHANGELOG_REQUIRED)] * no_changelog))
    if no_changelog:
        raise ValidationError(CHANGELOG_REQUIRED, code="changelog_required")
    # Lock the bank row so two publishes cannot take the same number.
    QuestionBank.objects.select_for_update().filter(pk=version.bank_id).first()
    latest = BankVersion.objects.filter(bank_id=version.bank_id).aggregate(n=Max("number"))["n"] or 0
    version.number = latest + 1
    version.status = BankVersion.Status.PUBLISHED
    version.content_hash = bankdoc.content_hash(doc)
    version.published_at = timezone.now()
    version.published_by = by if getattr(by, "pk", None) else None
    version.save()
    return version


@transaction.atomic
def version_retire(*, version: BankVersion) -> BankVersion:
    if version.status != BankVersion.Status.PUBLISHED:
        raise ValidationError(NOT_PUBLISHED.format(version=version.label, status=version.status), code="not_published")
    version.status = BankVersion.Status.RETIRED
    version.save()
    return version


# --- Files ------------------------------------------------------------------------


@dataclass(frozen=True)
class LoadResult:
    bank: QuestionBank
    version: BankVersion
    created: bool
    message: str


@transaction.atomic
def bank_load(
    *, raw: bytes | str, source: str, organisation: Organisation | None = None, publish: bool = True, by=None
) -> LoadResult:
    """Load a bank file. Same content as the bank's latest version: nothing changes.

    Changed content becomes a new version: published (the next number) unless
    ``publish`` is False, in which case it stays a draft. A bad file raises
    BankFileError with every problem and writes nothing.
    """
    doc = bankdoc.parse_document(raw, source=source, max_bytes=settings.BANK_FILE_MAX_BYTES)
    digest = bankdoc.content_hash(doc)
    meta = doc["bank"]
    bank, bank_created = QuestionBank.objects.get_or_create(
        organisation=organisation,
        slug=meta["slug"],
        defaults={"name": meta["name"], "description": meta["description"]},
    )
    if not bank_created and (bank.name, bank.description) != (meta["name"], meta["description"]):
        bank.name, bank.description = meta["name"], meta["description"]
        bank.save(update_fields=["name", "description", "updated_at"])
    latest = bank.versions.order_by("-created_at", "-pk").first()
    if latest is not None:
        latest_hash = latest.content_hash or bankdoc.content_hash(version_to_document(latest))
        if latest_hash == digest:
            if latest.status == BankVersion.Status.DRAFT and publish:
                latest = version_publish(version=latest, by=by)
                return LoadResult(bank, latest, True, f"{bank.slug}: published the matching draft as {latest.label}")
            return LoadResult(
                bank, latest, False, f"{bank.slug}: unchanged, {latest.label} ({latest.get_status_display()})"
            )
        # An earlier published version's file (a shipped bank's history, loaded before the
        # current file on a new installation): it is that version, not a new one.
        earlier = bank.versions.exclude(status=BankVersion.Status.DRAFT).filter(content_hash=digest).first()
        if earlier is not None:
            return LoadResult(
                bank, earlier, False, f"{bank.slug}: already {earlier.label}; the latest is {latest.label}, unchanged"
            )
    version = version_create_from_document(bank=bank, doc=doc, based_on=latest)
    if publish:
        version = version_publish(version=version, by=by, loaded_from=doc)
    else:
        version.content_hash = digest
        version.save(update_fields=["content_hash", "updated_at"])
    return LoadResult(bank, version, True, f"{bank.slug}: loaded as {version.label} ({version.get_status_display()})")


def bank_export(*, bank: QuestionBank, number: int | None = None) -> str:
    versions = bank.versions.exclude(status=BankVersion.Status.DRAFT)
    version = versions.get(number=number) if number is not None else versions.order_by("-number").first()
    if version is None:
        raise BankVersion.DoesNotExist(f"{bank.slug} has no published version")
    return bankdoc.dump_document(version_to_document(version))
