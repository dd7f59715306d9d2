"""What is due for whom: one read of everyone's obligations.

``obligations_for_user`` is the home page's work queue; ``open_conditions`` is the
portfolio-wide list of conditions and findings still open (the Open conditions page and its
exports); ``calendar`` is every dated obligation of the organisation (the Calendar page and
each person's iCalendar feed). All return ``Item`` rows of one general shape (kind, title,
due date, owner, link, overdue flag).

The calendar's kinds are a registry, ``CALENDAR_KINDS``. Each kind is one function::

    def _calendar_reviews(organisation, filters: CalendarFilters, *, today, limit) -> Dated

that returns ``Dated(dates, build)``: ``dates`` is the (due date, row id) of at most ``limit``
of the organisation's rows of that kind that match ``filters``, in date order (read them with
``_dated`` for the filters and ``_rows`` for the order and limit: an index walk, no names
yet); ``build(ids)`` returns the ``Item`` of each of those row ids (only the rows a page
shows are built). An item carries ``kind`` (the registry key), ``label`` (the kind in
words, e.g. "Last day to give notice"), ``key`` (stable: "<kind>:<row id>", the feed's UID),
``due_date``, ``overdue`` (the date has passed), ``url`` (where to act) and the names it
shows (title, vendor, service, owner, status, detail). A date that has passed is overdue.

Adding a kind is that function plus one line in ``CALENDAR_KINDS``::

    CalendarKind("insurance_renewal", "Insurance renewals", _calendar_insurance_renewals),

(the key, the kind in words for the filter, the function); ``_PATHS`` names the owner and
vendor of a model the calendar has not read before. Dates derived from the vendor records: a
document's expiry (derived from its period) is stored on save and read through its index
(``_calendar_evidence``, ``Document.expiry``); a contract's next renewal moves on with time, so
``_contract_kind`` computes the contracts' dates once per call from their stored terms, without
building rows. The page's
kind filter, the ordering, the iCalendar feed and its UIDs
pick the kind up. Scope every query to ``organisation``; give the date column an index that
starts with the organisation (or the owner) so a page stays cheap at scale (bench/run.py,
``calendar_page_ratio``): a model that reaches the organisation only through a service walks
every service of it (contracts and model lifecycles carry their organisation for this). Name
the rows in ``build`` from plain values (``values_list``, ``_name``, one ``_url_maker`` for the
kind's links, ``order_by()`` since the page orders them): model rows and a ``reverse`` per row
cost most of a full page.
"""

from __future__ import annotations

import datetime as dt
import heapq
from collections.abc import Callable
from contextvars import ContextVar
from dataclasses import dataclass, field, replace
from itertools import islice
from urllib.parse import urlencode

from django.db.models import Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce, Concat, NullIf, Trim
from django.urls import reverse
from django.utils import timezone

from procurement.assessments.models import Assessment, Clarification, Finding, FindingEvent, RiskAcceptance
from procurement.assessments.selectors import list_rows
from procurement.core.access import EDITORS, REVIEWERS, membership_for
from procurement.core.models import Membership, Organisation
from procurement.portal.models import Invitation
from procurement.vendors.contracts import term_dates
from procurement.vendors.models import Contract, Document, Lifecycle, ModelLifecycle
from procurement.vendors.selectors import KIND_LABELS as CONTRACT_LABELS
from procurement.vendors.selectors import (
    contract_deadline_detail,
    dated_document,
    live_expiring,
    retirement_title,
)

CONDITION_SOON_DAYS = 14
REVIEW_SOON_DAYS = 60
GROUP_LIMIT = 8

S = Assessment.Status
FS = Finding.Status
# What the owner still has to do; "done" waits for a verifier.
OWNER_ACTIVE = (FS.OPEN, FS.IN_PROGRESS)


@dataclass(frozen=True)
class Item:
    """One thing someone has to act on. ``url`` is where they act."""

    kind: str  # assessment, vendor_submitted, review, acceptance, clarification, condition, finding, review_due
    title: str
    url: str
    due_date: dt.date | None = None
    owner: str = ""
    overdue: bool = False
    status: str = ""
    vendor: str = ""
    service: str = ""
    detail: str = ""
    assessment_id: int | None = None
    label: str = ""  # the kind in words (the calendar)
    key: str = ""  # stable identifier "<kind>:<row id>" (the calendar feed's UID)


@dataclass
class Group:
    key: str
    heading: str
    empty: str
    items: list[Item] = field(default_factory=list)
    count: int = 0
    more_url: str = ""


@dataclass
class WorkQueue:
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(g.count for g in self.groups)

    @property
    def busy(self) -> list[Group]:
        return [g for g in self.groups if g.count]

    @property
    def idle(self) -> list[Group]:
        return [g for g in self.groups if not g.count]

    def group(self, key: str) -> Group | None:
        return next((g for g in self.groups if g.key == key), None)


def _take(qs: QuerySet, limit: int) -> tuple[list, int]:
    """At most ``limit`` rows and the full count (a COUNT only when there are more)."""
    rows = list(qs[: limit + 1])
    if len(rows) <= limit:
        return rows, len(rows)
    return rows[:limit], qs.order_by().count()


# A work-queue card counts up to this many rows from the ids it reads anyway; a COUNT beyond.
COUNT_READ = 100


def _take_items(qs: QuerySet, limit: int, fields: tuple[str, ...], make: Callable[..., Item]) -> tuple[list, int]:
    """The first ``limit`` rows of ``qs`` as items, and how many rows match.

    Reads the ids in the card's order (up to ``COUNT_READ + 1``: the count from them, a COUNT
    query only beyond), then the ``limit`` shown as plain values, ``make(pk, *fields)`` building
    each item. Names through joins are read for the rows shown only (on the whole match SQLite
    builds them for every row before sorting: 12 ms for 170 overdue conditions), and as plain
    values: model rows with a person's name built in SQL, and a second query to count, cost
    the home page of 2,000 services 1.5 ms a card (bench/run.py, ``calendar_home_page_ratio``)."""
    ids = list(qs.values_list("pk", flat=True)[: COUNT_READ + 1])
    shown = ids[:limit]
    rows = (
        {row[0]: row for row in qs.model.objects.filter(pk__in=shown).order_by().values_list("pk", *fields)}
        if shown
        else {}
    )
    count = len(ids) if len(ids) <= COUNT_READ else qs.order_by().count()
    return [make(*rows[pk]) for pk in shown], count


def _person(prefix: str):
    full = Trim(Concat(f"{prefix}__first_name", Value(" "), f"{prefix}__last_name"))
    return Coalesce(NullIf(full, Value("")), f"{prefix}__username", Value(""))


_ASSESSMENT_FIELDS = (
    "status",
    "due_date",
    "service__vendor__name",
    "service__name",
    "owner__first_name",
    "owner__last_name",
    "owner__username",
)


def _assessment_items(kind: str, url: Callable[..., str], *, today: dt.date, detail: str = "") -> Callable[..., Item]:
    """``make`` for ``_take_items`` over ``_ASSESSMENT_FIELDS``: an assessment as an item (the
    link ``url(pk)``)."""
    statuses = {status.value: str(status.label) for status in S}

    def make(pk, status, due, vendor, service, first, last, username) -> Item:
        return Item(
            kind=kind,
            title=f"A-{pk} {vendor} — {service}",
            url=url(pk),
            due_date=due,
            owner=_name(first, last, username),
            overdue=bool(due and due < today),
            status=statuses[status],
            vendor=vendor,
            service=service,
            detail=detail,
            assessment_id=pk,
        )

    return make


def _assessment_title(a) -> str:
    return f"A-{a.pk} {a.vendor_name} — {a.service_name}"


def _assessment_item(a, *, kind: str, url: str, today: dt.date, detail: str = "") -> Item:
    return Item(
        kind=kind,
        title=_assessment_title(a),
        url=url,
        due_date=a.due_date,
        owner=a.owner_name or "",
        overdue=bool(a.due_date and a.due_date < today),
        status=S(a.status).label,
        vendor=a.vendor_name,
        service=a.service_name,
        detail=detail,
        assessment_id=a.pk,
    )


def _finding_rows(qs: QuerySet[Finding]) -> QuerySet[Finding]:
    """Findings with the names a row shows, without loading the assessment (its frozen record)."""
    return qs.only(
        "id", "assessment_id", "kind", "text", "owner", "owner_user_id", "due_date", "status", "status_changed_at"
    ).annotate(
        vendor_name=F("assessment__service__vendor__name"),
        service_name=F("assessment__service__name"),
        owner_name=_person("owner_user"),
    )


def condition_item(f: Finding, *, today: dt.date) -> Item:
    """A condition or finding as an item (``f`` from ``_finding_rows``)."""
    return Item(
        kind=f.kind,
        title=f.text,
        url=reverse("assessments:finding_detail", args=[f.assessment_id, f.pk]),
        due_date=f.due_date,
        owner=f.owner_name or f.owner,
        overdue=bool(f.due_date and f.due_date < today and f.status in Finding.LIVE),
        status=FS(f.status).label,
        vendor=f.vendor_name,
        service=f.service_name,
        detail=f"A-{f.assessment_id} {f.vendor_name} — {f.service_name}",
        assessment_id=f.assessment_id,
    )


_FINDING_FIELDS = (
    "assessment_id",
    "kind",
    "text",
    "owner",
    "due_date",
    "status",
    "assessment__service__vendor__name",
    "assessment__service__name",
    "owner_user__first_name",
    "owner_user__last_name",
    "owner_user__username",
)


def _condition_items(today: dt.date) -> Callable[..., Item]:
    """``make`` for ``_take_items`` over ``_FINDING_FIELDS``: what ``condition_item`` makes of a row."""
    url = _url_maker("assessments:finding_detail", 2)
    statuses = {status.value: str(status.label) for status in FS}

    def make(pk, assessment_id, kind, text, owner, due, status, vendor, service, first, last, username) -> Item:
        return Item(
            kind=kind,
            title=text,
            url=url(assessment_id, pk),
            due_date=due,
            owner=_name(first, last, username) or owner,
            overdue=bool(due and due < today and status in Finding.LIVE),
            status=statuses[status],
            vendor=vendor,
            service=service,
            detail=f"A-{assessment_id} {vendor} — {service}",
            assessment_id=assessment_id,
        )

    return make


def _live_findings(organisation: Organisation) -> QuerySet[Finding]:
    # Conditions of a rejected assessment bind nobody: the service is not in use.
    return Finding.objects.filter(assessment__organisation=organisation).exclude(assessment__status=S.REJECTED)


# --- The work queue ---------------------------------------------------------------------


def obligations_for_user(user, *, today: dt.date, limit: int = GROUP_LIMIT) -> WorkQueue:
    """Everything the user is expected to act on, in groups, each item linking to where to act.

    Groups (a member sees the ones their role and authority give them):
    to fill in; vendor submitted; vendor asked a question; waiting for my review; waiting for
    my acceptance; conditions awaiting my verification; my conditions overdue; my conditions
    due soon (within 14 days, never the overdue ones); reviews overdue; reviews due soon;
    reassessments needed.
    """
    membership = membership_for(user)
    if membership is None:
        return WorkQueue(groups=[])
    org, role = membership.organisation, membership.role
    groups: list[Group] = []
    mine_or_unowned = Q(owner=user) | Q(owner__isnull=True)
    vendor_done = Exists(
        Invitation.objects.filter(assessment=OuterRef("pk"), revoked_at__isnull=True, submitted_at__isnull=False)
    )

    if role in EDITORS:
        editable = Assessment.objects.filter(organisation=org, status__in=Assessment.EDITABLE).filter(mine_or_unowned)
        by_due = (F("due_date").asc(nulls_last=True), "-created_at", "-id")
        detail_url = _url_maker("assessments:detail", 1)
        items, count = _take_items(
            editable.filter(~vendor_done).order_by(*by_due),
            limit,
            _ASSESSMENT_FIELDS,
            _assessment_items("assessment", detail_url, today=today),
        )
        groups.append(
            Group(
                "fill_in",
                "To fill in",
                "Nothing to fill in.",
                items,
                count,
                reverse("assessments:list") + "?mine=1",
            )
        )
        items, count = _take_items(
            editable.filter(vendor_done).order_by(*by_due),
            limit,
            _ASSESSMENT_FIELDS,
            _assessment_items("vendor_submitted", detail_url, today=today, detail="The vendor submitted"),
        )
        heading = "Vendor submitted: check and submit for review"
        groups.append(Group("vendor_submitted", heading, "No vendor answers waiting.", items, count))

    if role in (*EDITORS, Membership.Role.REVIEWER):
        groups.append(_vendor_questions(org, user, role, today=today, limit=limit))

    if role in REVIEWERS:
        assigned = Assessment.reviewers.through.objects.filter(assessment_id=OuterRef("pk"))
        waiting = (
            Assessment.objects.filter(organisation=org, status__in=(S.SUBMITTED, S.IN_REVIEW))
            .filter(Q(Exists(assigned.filter(user_id=user.pk))) | ~Exists(assigned))
            .order_by(F("due_date").asc(nulls_last=True), "created_at", "id")
        )
        items, count = _take_items(
            waiting,
            limit,
            _ASSESSMENT_FIELDS,
            _assessment_items("review", _url_maker("assessments:review", 1), today=today),
        )
        groups.append(Group("review", "Waiting for my review", "Nothing waiting for review.", items, count))

    acceptances = _acceptances_for(org, user, membership.authority, today=today, limit=limit)
    if acceptances.count or membership.authority >= Membership.Authority.RISK:
        groups.append(acceptances)

    condition = _condition_items(today)
    if role in REVIEWERS:
        done_by = FindingEvent.objects.filter(finding=OuterRef("pk"), to_status=FS.DONE).order_by("-at", "-pk")
        to_verify = (
            _live_findings(org)
            .filter(status=FS.DONE)
            .annotate(done_by=Subquery(done_by.values("by")[:1]))
            .exclude(done_by=user.pk)
            .order_by(F("due_date").asc(nulls_last=True), "pk")
        )
        items, count = _take_items(to_verify, limit, _FINDING_FIELDS, condition)
        groups.append(
            Group(
                "verify",
                "Conditions awaiting my verification",
                "Nothing to verify.",
                items,
                count,
                reverse("portfolio:conditions") + "?status=done",
            )
        )

    mine = _live_findings(org).filter(owner_user=user, status__in=OWNER_ACTIVE, due_date__isnull=False)
    items, count = _take_items(
        mine.filter(due_date__lt=today).order_by("due_date", "pk"), limit, _FINDING_FIELDS, condition
    )
    groups.append(
        Group(
            "conditions_overdue",
            "My conditions overdue",
            "None overdue.",
            items,
            count,
            reverse("portfolio:conditions") + f"?owner={user.pk}&overdue=1",
        )
    )
    soon = mine.filter(due_date__gte=today, due_date__lte=today + dt.timedelta(days=CONDITION_SOON_DAYS))
    items, count = _take_items(soon.order_by("due_date", "pk"), limit, _FINDING_FIELDS, condition)
    groups.append(
        Group(
            "conditions_soon",
            f"My conditions due in the next {CONDITION_SOON_DAYS} days",
            "None due soon.",
            items,
            count,
            reverse("portfolio:conditions") + f"?owner={user.pk}",
        )
    )

    if role in EDITORS:
        groups.extend(_reviews(org, user, role, today=today, limit=limit))
    return WorkQueue(groups=groups)


def _vendor_questions(org, user, role, *, today: dt.date, limit: int) -> Group:
    """Threads whose latest message is the vendor's: the team owes a reply. For the assessment's
    owner, and for analysts and admins when it has none."""
    later = Clarification.objects.filter(
        assessment_id=OuterRef("assessment_id"), question_code=OuterRef("question_code"), pk__gt=OuterRef("pk")
    )
    whose = Q(assessment__owner=user)
    if role in EDITORS:
        whose |= Q(assessment__owner__isnull=True)
    threads = (
        Clarification.objects.filter(
            assessment__organisation=org, assessment__status__in=Assessment.OPEN, from_vendor=True
        )
        .filter(whose)
        .filter(~Exists(later))
        .only("id", "assessment_id", "question_code", "author_label", "body", "created_at")
        .annotate(vendor_name=F("assessment__service__vendor__name"), service_name=F("assessment__service__name"))
        .order_by("created_at", "pk")
    )
    rows, count = _take(threads, limit)
    items = [
        Item(
            kind="clarification",
            title=f"A-{c.assessment_id} {c.vendor_name} — {c.question_code}: {c.body[:120]}",
            url=reverse("assessments:history", args=[c.assessment_id, c.question_code]) + "#clarifications",
            owner=c.author_label,
            vendor=c.vendor_name,
            service=c.service_name,
            detail=f"Asked {c.created_at:%d %b %Y} by {c.author_label}",
            assessment_id=c.assessment_id,
        )
        for c in rows
    ]
    heading = "Vendor questions to answer"
    return Group("vendor_questions", heading, "No questions waiting for a reply.", items, count)


def acceptance_url(acceptance: RiskAcceptance) -> str:
    """Where an approver acts on a requested acceptance: the accept page, on its scope and rule."""
    query = urlencode({"scope": acceptance.scope, "rule": acceptance.rule})
    return reverse("assessments:accept", args=[acceptance.assessment_id]) + f"?{query}"


def _acceptances_for(org, user, authority: int, *, today: dt.date, limit: int) -> Group:
    """Requested acceptances asked of me, or of nobody in particular when my authority is enough:
    a knockout or a rule needs risk-acceptance authority; the residual rating too, and
    executive authority when the residual is critical."""
    A = RiskAcceptance
    unnamed = Q(requested_from__isnull=True)
    if authority >= Membership.Authority.EXECUTIVE:
        mine = Q(requested_from=user) | unnamed
    elif authority >= Membership.Authority.RISK:
        not_critical = Q(scope=A.Scope.RESIDUAL) & ~Q(assessment__risk_band="critical")
        mine = Q(requested_from=user) | (unnamed & (Q(scope__in=[A.Scope.KNOCKOUT, A.Scope.RULE]) | not_critical))
    else:
        mine = Q(requested_from=user)
    qs = (
        A.objects.filter(
            assessment__organisation=org,
            status=A.Status.REQUESTED,
            # Only while a decision is still to come (deciding closes requests; this is the belt).
            assessment__status__in=[Assessment.Status.SUBMITTED, Assessment.Status.IN_REVIEW],
        )
        .filter(mine)
        .only("id", "assessment_id", "scope", "rule", "title", "requested_at", "requested_from_id")
        .annotate(
            vendor_name=F("assessment__service__vendor__name"),
            service_name=F("assessment__service__name"),
            requested_by_name=_person("requested_by"),
        )
        .order_by("requested_at", "pk")
    )
    rows, count = _take(qs, limit)
    items = [
        Item(
            kind="acceptance",
            title=f"A-{r.assessment_id} {r.vendor_name} — {r.service_name}: {r.title}",
            url=acceptance_url(r),
            owner=r.requested_by_name,
            status=A.Status.REQUESTED.label,
            vendor=r.vendor_name,
            service=r.service_name,
            detail=f"{r.get_scope_display()}, asked by {r.requested_by_name or 'someone'}"
            + ("" if r.requested_from_id else ", of any approver"),
            assessment_id=r.assessment_id,
        )
        for r in rows
    ]
    return Group("acceptance", "Waiting for my acceptance", "No risk acceptance waiting for you.", items, count)


def _reviews(org, user, role, *, today: dt.date, limit: int) -> list[Group]:
    """Periodic reviews of decided assessments (the schedule on the Reviews page), overdue and
    due soon kept apart, and services flagged for reassessment. An admin sees all; an analyst
    those they own and those nobody owns.

    Read through the stored next review date (``Assessment.review_due``, fixed when deciding:
    the day the Reviews page computes) and the stored mark of each service's newest assessment
    (``Assessment.is_newest``), by their index (assess_org_newest_review), at most ``limit`` rows
    named per group. Loading every service's newest assessment to compute the dates cost 300 ms
    a page at 2,000 services (bench/run.py, ``calendar_home_page_ratio``); finding it per service
    (one index seek each, in each of the groups' queries) 12 ms; a "no newer one exists" test per
    assessment 80 ms with 2,000 decided assessments of one service (home_page_ratio_2k_decided)."""
    latest = Assessment.objects.filter(organisation=org, is_newest=True).exclude(
        service__status=Lifecycle.ENDED  # ended services are not reviewed any more
    )
    if role != Membership.Role.ADMIN:
        latest = latest.filter(Q(owner=user) | Q(owner__isnull=True))
    due = latest.filter(status=S.APPROVED, review_due__isnull=False, reassess_reason="")
    soon_end = today + dt.timedelta(days=REVIEW_SOON_DAYS)

    new_url = reverse("assessments:create")
    statuses = {status.value: str(status.label) for status in S}
    fields = ("service_id", "status", "review_due", "reassess_reason", "service__vendor__name", "service__name")

    def item(pk, service_id, status, review_due, reassess_reason, vendor, service) -> Item:
        flagged = bool(reassess_reason)
        due = review_due if status == S.APPROVED else None
        return Item(
            kind="review_due",
            title=f"{vendor} — {service}",
            url=f"{new_url}?service={service_id}",
            due_date=due,
            overdue=due is not None and due < today,
            status=statuses[status],
            vendor=vendor,
            service=service,
            detail=(reassess_reason.splitlines() or [""])[-1] if flagged else f"Last decided as A-{pk}",
            assessment_id=pk,
        )

    more = reverse("portfolio:reviews")
    spec = (
        ("reviews_overdue", "Reviews overdue", "No review overdue.", due.filter(review_due__lt=today)),
        (
            "reviews_soon",
            f"Reviews due in the next {REVIEW_SOON_DAYS} days",
            "No review due soon.",
            due.filter(review_due__gte=today, review_due__lte=soon_end),
        ),
        ("reassess", "Reassessment needed", "No service flagged for reassessment.", latest.exclude(reassess_reason="")),
    )
    groups = []
    for key, heading, empty, qs in spec:
        by_date = qs.order_by(F("review_due").asc(nulls_last=True), "pk")
        items, count = _take_items(by_date, limit, fields, item)
        groups.append(Group(key, heading, empty, items, count, more))
    return groups


# --- The portfolio's open conditions ------------------------------------------------------


@dataclass(frozen=True)
class ConditionFilters:
    """Filters of the Open conditions page; every one optional."""

    overdue: bool = False
    owner: int | None = None  # a user id
    vendor: int | None = None
    service: int | None = None
    statuses: tuple[str, ...] = tuple(Finding.LIVE)
    kind: str = ""  # "condition", "finding" or both


def open_conditions_qs(organisation: Organisation, filters: ConditionFilters, *, today: dt.date) -> QuerySet[Finding]:
    """The organisation's conditions and findings matching the filters, soonest due first
    (undated last), shaped for ``condition_item``."""
    qs = _live_findings(organisation).filter(status__in=filters.statuses)
    if filters.overdue:
        qs = qs.filter(due_date__lt=today, status__in=Finding.LIVE)
    if filters.owner is not None:
        qs = qs.filter(owner_user_id=filters.owner)
    if filters.vendor is not None:
        qs = qs.filter(assessment__service__vendor_id=filters.vendor)
    if filters.service is not None:
        qs = qs.filter(assessment__service_id=filters.service)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return _finding_rows(qs).order_by(F("due_date").asc(nulls_last=True), "pk")


def open_conditions(
    organisation: Organisation, filters: ConditionFilters | None = None, *, today: dt.date
) -> list[Item]:
    """Every matching condition and finding as an item (the exports; the calendar later)."""
    qs = open_conditions_qs(organisation, filters or ConditionFilters(), today=today)
    return [condition_item(f, today=today) for f in qs]


# --- The obligations calendar -------------------------------------------------------------

CALENDAR_PAGE = 50


@dataclass(frozen=True)
class CalendarFilters:
    """Filters of the calendar; every one optional. ``start`` and ``end`` bound the due date
    (inclusive); ``kinds`` empty means every kind."""

    start: dt.date | None = None
    end: dt.date | None = None
    owner: int | None = None  # a user id
    vendor: int | None = None
    kinds: tuple[str, ...] = ()


@dataclass(frozen=True)
class Dated:
    """What a kind returns: ``dates``, the (due date, row id) of at most ``limit`` matching
    rows in date order; ``build``, the items of some of those row ids (in any order)."""

    dates: list[tuple[dt.date, int]]
    build: Callable[[list[int]], list[Item]]


@dataclass(frozen=True)
class CalendarKind:
    key: str
    label: str  # the kind in words, for the filter
    read: Callable[..., Dated]  # (organisation, filters, *, today, limit) -> Dated


@dataclass
class CalendarPage:
    items: list[Item]
    more: bool  # more obligations match after these


def _dated(qs: QuerySet, field_name: str, filters: CalendarFilters) -> QuerySet:
    """``qs`` within the filters' dates, owner and vendor. ``field_name`` is the date; the
    owner and vendor paths are the model's (see ``_PATHS``)."""
    if filters.start is not None:
        qs = qs.filter(**{f"{field_name}__gte": filters.start})
    if filters.end is not None:
        qs = qs.filter(**{f"{field_name}__lte": filters.end})
    owner, vendor = _PATHS[qs.model]
    # Ended services leave the calendar (their history stays).
    qs = qs.exclude(**{f"{vendor.removesuffix('__vendor')}__status": Lifecycle.ENDED})
    if filters.owner is not None:
        qs = qs.filter(**{f"{owner}_id": filters.owner})
    if filters.vendor is not None:
        qs = qs.filter(**{f"{vendor}_id": filters.vendor})
    return qs


# Who owns a row and which vendor it is about, per model the calendar reads.
_PATHS = {
    Assessment: ("owner", "service__vendor"),
    Finding: ("owner_user", "assessment__service__vendor"),
    RiskAcceptance: ("assessment__owner", "assessment__service__vendor"),
    Invitation: ("assessment__owner", "assessment__service__vendor"),
}


def _rows(qs: QuerySet, field_name: str, limit: int) -> list[tuple[dt.date, int]]:
    """(date, id) of the first ``limit`` rows in date order: an index walk, no joins for names."""
    return list(qs.order_by(field_name, "pk").values_list(field_name, "pk")[:limit]) if limit > 0 else []


def _name(first: str | None, last: str | None, username: str | None) -> str:
    """A person's name as ``_person`` words it in SQL: first and last name, else the username."""
    return f"{first or ''} {last or ''}".strip() or username or ""


def _url_maker(name: str, arity: int) -> Callable[..., str]:
    """``reverse(name, args=...)`` for many rows at the cost of one reverse: the path with
    marker numbers, filled in per row (whole-number arguments only)."""
    markers = [str(987_654_321_000 + n) for n in range(arity)]
    path = reverse(name, args=markers)
    for n, marker in enumerate(markers):
        path = path.replace(marker, f"{{{n}}}")
    return path.format


def _calendar_reviews(organisation, filters: CalendarFilters, *, today: dt.date, limit: int) -> Dated:
    """Periodic reviews: each service whose newest assessment is approved, on its next review
    date (``Assessment.review_due``, fixed when deciding). A service with a newer assessment is
    being reviewed already: only the newest of each service (``Assessment.is_newest``) counts."""
    qs = _dated(
        Assessment.objects.filter(
            organisation=organisation, is_newest=True, status=S.APPROVED, review_due__isnull=False
        ),
        "review_due",
        filters,
    )

    def build(ids: list[int]) -> list[Item]:
        rows = (
            Assessment.objects.filter(pk__in=ids)
            .order_by()
            .only("id", "service_id", "review_due", "reassess_reason", "owner_id")
            .annotate(
                vendor_name=F("service__vendor__name"), service_name=F("service__name"), owner_name=_person("owner")
            )
        )
        return [
            Item(
                kind="review",
                label="Review due",
                key=f"review:{a.pk}",
                title=f"Review of {a.vendor_name} — {a.service_name}",
                url=reverse("assessments:create") + f"?service={a.service_id}",
                due_date=a.review_due,
                owner=a.owner_name or "",
                overdue=a.review_due < today,
                status="Flagged for reassessment" if a.reassess_reason else "Approved",
                vendor=a.vendor_name,
                service=a.service_name,
                detail=f"Last decided as A-{a.pk}; start a new assessment to review it",
                assessment_id=a.pk,
            )
            for a in rows
        ]

    return Dated(_rows(qs, "review_due", limit), build)


def _calendar_conditions(organisation, filters: CalendarFilters, *, today: dt.date, limit: int) -> Dated:
    """Conditions and findings still live (open, in progress, or done and awaiting
    verification), on their due date."""
    qs = _dated(
        _live_findings(organisation).filter(status__in=Finding.LIVE, due_date__isnull=False), "due_date", filters
    )

    def build(ids: list[int]) -> list[Item]:
        # Plain values and one reverse for every row's link: the page's most frequent kind.
        url = _url_maker("assessments:finding_detail", 2)
        labels = {kind.value: f"{kind.label} due" for kind in Finding.Kind}
        statuses = {status.value: str(status.label) for status in FS}
        rows = Finding.objects.filter(pk__in=ids).order_by().values_list("pk", *_FINDING_FIELDS)
        return [
            Item(
                kind="condition",
                label=labels[kind],
                key=f"condition:{pk}",
                title=text,
                url=url(assessment_id, pk),
                due_date=due,
                owner=_name(first, last, username) or owner,
                overdue=due < today,  # a live one (the kind reads no other)
                status=statuses[status],
                vendor=vendor_name,
                service=service_name,
                detail=f"A-{assessment_id} {vendor_name} — {service_name}",
                assessment_id=assessment_id,
            )
            for (
                pk,
                assessment_id,
                kind,
                text,
                owner,
                due,
                status,
                vendor_name,
                service_name,
                first,
                last,
                username,
            ) in rows
        ]

    # One walk of the (status, due date) index per live status, merged: with the three statuses
    # in one IN, SQLite sorts every finding in the range before the limit (9 ms of 5,000).
    per_status = [_rows(qs.filter(status=status), "due_date", limit) for status in Finding.LIVE]
    return Dated(list(heapq.merge(*per_status))[:limit], build)


def _calendar_acceptances(organisation, filters: CalendarFilters, *, today: dt.date, limit: int) -> Dated:
    """Accepted risks, on the day they expire (in force through that day). The owner is the
    assessment's: they renew it or plan the reassessment."""
    A = RiskAcceptance
    qs = _dated(
        A.objects.filter(assessment__organisation=organisation, status=A.Status.ACCEPTED, expires_on__isnull=False),
        "expires_on",
        filters,
    )

    def build(ids: list[int]) -> list[Item]:
        rows = (
            A.objects.filter(pk__in=ids)
            .order_by()
            .only("id", "assessment_id", "title", "expires_on", "accepted_by_label")
            .annotate(
                vendor_name=F("assessment__service__vendor__name"),
                service_name=F("assessment__service__name"),
                owner_name=_person("assessment__owner"),
            )
        )
        return [
            Item(
                kind="acceptance",
                label="Risk acceptance expires",
                key=f"acceptance:{r.pk}",
                title=r.title,
                url=reverse("assessments:detail", args=[r.assessment_id]),
                due_date=r.expires_on,
                owner=r.owner_name or "",
                overdue=r.expires_on < today,
                status=f"Accepted by {r.accepted_by_label}",
                vendor=r.vendor_name,
                service=r.service_name,
                detail=f"A-{r.assessment_id} {r.vendor_name} — {r.service_name}: renew it or plan the reassessment",
                assessment_id=r.assessment_id,
            )
            for r in rows
        ]

    return Dated(_rows(qs, "expires_on", limit), build)


def _calendar_answers_due(organisation, filters: CalendarFilters, *, today: dt.date, limit: int) -> Dated:
    """Open assessments on their due date (when the answers are due: the date the vendor's
    invitation names)."""
    qs = _dated(
        Assessment.objects.filter(organisation=organisation, status__in=Assessment.OPEN, due_date__isnull=False),
        "due_date",
        filters,
    )

    def build(ids: list[int]) -> list[Item]:
        return [
            Item(
                **{
                    **_assessment_item(a, kind="assessment_due", url=a.get_absolute_url(), today=today).__dict__,
                    "label": "Assessment due",
                    "key": f"assessment_due:{a.pk}",
                    "detail": "The answers are due",
                }
            )
            for a in list_rows(Assessment.objects.filter(pk__in=ids).order_by())
        ]

    return Dated(_rows(qs, "due_date", limit), build)


def _calendar_vendor_links(organisation, filters: CalendarFilters, *, today: dt.date, limit: int) -> Dated:
    """Vendor links still waiting for answers, on the day they stop working (renew them by
    inviting the contact again)."""
    qs = _dated(
        Invitation.objects.filter(
            assessment__organisation=organisation,
            assessment__status__in=Assessment.EDITABLE,
            revoked_at__isnull=True,
            submitted_at__isnull=True,
        ),
        "expires_at__date",
        filters,
    )
    dates = [(timezone.localdate(at), pk) for at, pk in _rows(qs, "expires_at", limit)]

    def build(ids: list[int]) -> list[Item]:
        rows = (
            Invitation.objects.filter(pk__in=ids)
            .order_by()
            .only("id", "assessment_id", "expires_at")
            .annotate(
                contact_name=F("contact__name"),
                vendor_name=F("assessment__service__vendor__name"),
                service_name=F("assessment__service__name"),
                owner_name=_person("assessment__owner"),
            )
        )
        items = []
        for i in rows:
            day = timezone.localdate(i.expires_at)
            items.append(
                Item(
                    kind="vendor_link",
                    label="Vendor link expires",
                    key=f"vendor_link:{i.pk}",
                    title=f"{i.contact_name}'s link for A-{i.assessment_id} {i.vendor_name} — {i.service_name}",
                    url=reverse("assessments:detail", args=[i.assessment_id]),
                    due_date=day,
                    owner=i.owner_name or "",
                    overdue=day < today,
                    status="Waiting for the vendor",
                    vendor=i.vendor_name,
                    service=i.service_name,
                    detail="Invite the contact again to renew the link",
                    assessment_id=i.assessment_id,
                )
            )
        return items

    return Dated(dates, build)


# The vendor records' kinds: documents on their stored expiry (``Document.expiry``: the date given,
# or derived from a SOC 2 period end or a pen-test letter's date, kept on save), model
# retirements, and the contracts' dates, computed from the stored terms once per ``calendar``
# call (a renewing contract's current term moves on with time, so it cannot be stored).


def _person_label(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _calendar_evidence(organisation, filters: CalendarFilters, *, today: dt.date, limit: int) -> Dated:
    """Vendor documents (SOC 2 reports, certificates, pen-test letters) on the day they expire;
    one superseded by a newer document of the same kind is not listed. The vendor's owner
    renews it. Reads the stored expiry through its index (``Document.expiry``)."""
    qs = live_expiring(organisation=organisation, until=filters.end)
    if filters.start is not None:
        qs = qs.filter(expiry__gte=filters.start)
    if filters.owner is not None:
        qs = qs.filter(vendor__owner_id=filters.owner)
    if filters.vendor is not None:
        qs = qs.filter(vendor_id=filters.vendor)

    def build(ids: list[int]) -> list[Item]:
        items = []
        for d in Document.objects.filter(pk__in=ids).order_by().select_related("vendor__owner"):
            r = dated_document(d)
            items.append(
                Item(
                    kind="evidence_expiry",
                    label="Evidence expires",
                    key=f"evidence_expiry:{r.object_id}",
                    title=f"{r.vendor_name}: {r.title}",
                    url=r.url,
                    due_date=r.due,
                    owner=_person_label(r.owner),
                    overdue=r.due < today,
                    status="Expired" if r.due < today else "Valid until then",
                    vendor=r.vendor_name,
                    detail="Ask the vendor for the current report or certificate",
                )
            )
        return items

    return Dated(_rows(qs, "expiry", limit), build)


def _calendar_model_retirements(organisation, filters: CalendarFilters, *, today: dt.date, limit: int) -> Dated:
    """Models the vendor has announced it will retire, on the retirement day; services that have
    ended are left out."""
    qs = ModelLifecycle.objects.filter(organisation=organisation, retires_on__isnull=False).exclude(
        service__status=Lifecycle.ENDED
    )
    for name, value in (("retires_on__gte", filters.start), ("retires_on__lte", filters.end)):
        if value is not None:
            qs = qs.filter(**{name: value})
    if filters.owner is not None:
        qs = qs.filter(service__vendor__owner_id=filters.owner)
    if filters.vendor is not None:
        qs = qs.filter(service__vendor_id=filters.vendor)

    def build(ids: list[int]) -> list[Item]:
        url = _url_maker("vendors:service", 2)
        rows = (
            ModelLifecycle.objects.filter(pk__in=ids)
            .order_by()
            .values_list(
                "pk",
                "retires_on",
                "model_version",
                "replacement",
                "service_id",
                "service__name",
                "service__model_name",
                "service__vendor_id",
                "service__vendor__name",
                "service__vendor__owner__first_name",
                "service__vendor__owner__last_name",
                "service__vendor__owner__username",
            )
        )
        return [
            Item(
                kind="model_retirement",
                label="Model retires",
                key=f"model_retirement:{pk}",
                title=f"{vendor_name} — {service_name}: {retirement_title(version, model_name, replacement)}",
                url=url(vendor_id, service_id),
                due_date=due,
                owner=_name(first, last, username),
                overdue=due < today,
                status="Retired" if due < today else "Announced",
                vendor=vendor_name,
                service=service_name,
                detail="Move to the replacement before this day",
            )
            for (
                pk,
                due,
                version,
                replacement,
                service_id,
                service_name,
                model_name,
                vendor_id,
                vendor_name,
                first,
                last,
                username,
            ) in rows
        ]

    return Dated(_rows(qs, "retires_on", limit), build)


# The contracts' dates of one ``calendar`` call: the three contract kinds read them once.
_CONTRACT_DATES: ContextVar[dict | None] = ContextVar("calendar_contract_dates", default=None)


def _contract_dates(organisation, today: dt.date, filters: CalendarFilters, limit: int) -> list[tuple]:
    """(kind, date, contract id): at least the first ``limit`` dates of each contract kind in
    date order among the organisation's live contracts matching the filters (maybe more, and
    later ones: the callers filter and cut), from stored values only, no rows built.

    Contracts that end without renewing: the database orders and limits them through the
    (organisation, auto_renews, end_date) index. Renewing ones are read in order of their
    written end date, those renewed since (ended before today) first, their current term
    computed (``term_dates``); the reading stops once ``limit`` renewal dates and ``limit`` last
    days to give notice are in hand and no later contract can come before them (a last day to
    give notice is at most the longest notice before the renewal)."""
    until, start = filters.end, filters.start
    memo = _CONTRACT_DATES.get()
    key = (organisation.pk, today, start, filters.owner, filters.vendor, filters.kinds, limit)
    if memo is not None and key in memo:
        read_until, rows = memo[key]  # read up to a later day (or any) serves an earlier one
        if read_until is None or (until is not None and until <= read_until):
            return rows
    wanted = set(filters.kinds or ("contract_end", "contract_notice", "contract_renewal"))
    live = Contract.objects.filter(organisation=organisation, end_date__isnull=False).exclude(
        service__status=Lifecycle.ENDED
    )
    if filters.owner is not None:  # the contract's owner, or else its vendor's
        live = live.filter(Q(owner_id=filters.owner) | Q(owner__isnull=True, service__vendor__owner_id=filters.owner))
    if filters.vendor is not None:
        live = live.filter(service__vendor_id=filters.vendor)
    rows = []
    if "contract_end" in wanted:
        fixed = live.filter(auto_renews=False)
        fixed = fixed.filter(end_date__gte=start) if start is not None else fixed
        fixed = fixed.filter(end_date__lte=until) if until is not None else fixed
        rows.extend(("contract_end", end, pk) for end, pk in _rows(fixed, "end_date", limit))
    if wanted & {"contract_notice", "contract_renewal"}:
        rows.extend(_renewing_dates(live.filter(auto_renews=True), today=today, filters=filters, limit=limit))
    if memo is not None:
        memo[key] = (until, rows)
    return rows


def _renewing_dates(renewing: QuerySet[Contract], *, today: dt.date, filters: CalendarFilters, limit: int) -> list:
    """The notice and renewal dates of renewing contracts for ``_contract_dates``."""
    until, start = filters.end, filters.start
    # A bound, not the organisation's own figure: one table, no join.
    longest = dt.timedelta(
        days=Contract.objects.filter(auto_renews=True).aggregate(days=Max("renewal_notice_days"))["days"] or 0
    )
    if until is not None:
        renewing = renewing.filter(end_date__lte=max(until + longest, today))
    if start is not None:
        renewing = renewing.filter(Q(end_date__lt=today) | Q(end_date__gte=start))
    if until is not None and until < today:
        # One renewed since (its written end passed) is in a term ending today or later: its last
        # day to give notice is at most its notice period before today, and a shorter notice
        # cannot reach back to ``until`` (its renewal is later still). Not read at all.
        renewing = renewing.filter(Q(end_date__gte=today) | Q(renewal_notice_days__gte=(today - until).days))
    notices: list[int] = []  # the first ``limit`` days in range so far, as negated ordinals (heaps)
    renewals: list[int] = []

    def keep(heap: list, day: dt.date) -> None:
        if (start is None or day >= start) and (until is None or day <= until):
            heapq.heappush(heap, -day.toordinal())
            if len(heap) > limit:
                heapq.heappop(heap)

    rows = []
    fields = ("pk", "end_date", "renewal_term_months", "renewal_notice_days")
    for pk, end, months, notice in renewing.order_by("end_date", "pk").values_list(*fields).iterator(64):
        # Every later contract renews after ``end`` and needs notice after ``end - longest``.
        full = end >= today and len(notices) == len(renewals) == limit
        if full and end.toordinal() > -renewals[0] and (end - longest).toordinal() > -notices[0]:
            break
        if end < today:  # renewed since its written date: the current term
            end = term_dates(end, auto_renews=True, months=months, notice_days=notice, today=today).term_end
        notice_by = end - dt.timedelta(days=notice or 0)
        keep(notices, notice_by)
        keep(renewals, end)
        rows.append(("contract_notice", notice_by, pk))
        rows.append(("contract_renewal", end, pk))
    return rows


def _contract_kind(kind: str):
    def read(organisation, filters: CalendarFilters, *, today: dt.date, limit: int) -> Dated:
        dates = sorted(
            (day, pk)
            for k, day, pk in _contract_dates(organisation, today, filters, limit)
            if k == kind
            and (filters.start is None or day >= filters.start)
            and (filters.end is None or day <= filters.end)
        )[:limit]

        def build(ids: list[int]) -> list[Item]:
            # Plain values (contract_deadlines words the same from rows).
            url = _url_maker("vendors:service", 2)
            rows = (
                Contract.objects.filter(pk__in=ids)
                .order_by()
                .values_list(
                    "pk",
                    "reference",
                    "end_date",
                    "auto_renews",
                    "renewal_term_months",
                    "renewal_notice_days",
                    "service_id",
                    "service__name",
                    "service__vendor_id",
                    "service__vendor__name",
                    "owner__first_name",
                    "owner__last_name",
                    "owner__username",
                    "service__vendor__owner__first_name",
                    "service__vendor__owner__last_name",
                    "service__vendor__owner__username",
                )
            )
            items = []
            for pk, ref, end, renews, months, notice, service_id, service, vendor_id, vendor, *names in rows:
                term = term_dates(end, auto_renews=renews, months=months, notice_days=notice, today=today)
                day = term.notice_by if kind == "contract_notice" else term.term_end
                items.append(
                    Item(
                        kind=kind,
                        label=CONTRACT_LABELS[kind],
                        key=f"{kind}:{pk}",
                        title=f"{CONTRACT_LABELS[kind]}: {vendor} — {service}",
                        url=url(vendor_id, service_id) + "#contract",
                        due_date=day,
                        owner=_name(*names[:3]) or _name(*names[3:]),
                        overdue=day < today,
                        vendor=vendor,
                        service=service,
                        detail=contract_deadline_detail(kind, ref, term.term_end),
                    )
                )
            return items

        return Dated(dates, build)

    read.__doc__ = f"Contracts: {CONTRACT_LABELS[kind].lower()} (procurement.vendors.selectors.contract_deadlines)."
    return read


# The calendar's kinds, in the order they sort on one day. Add a kind here (see the module docstring).
CALENDAR_KINDS: tuple[CalendarKind, ...] = (
    CalendarKind("review", "Reviews due", _calendar_reviews),
    CalendarKind("condition", "Conditions and findings due", _calendar_conditions),
    CalendarKind("acceptance", "Risk acceptances expiring", _calendar_acceptances),
    CalendarKind("assessment_due", "Assessments due", _calendar_answers_due),
    CalendarKind("vendor_link", "Vendor links expiring", _calendar_vendor_links),
    CalendarKind("contract_notice", "Last days to give notice", _contract_kind("contract_notice")),
    CalendarKind("contract_renewal", "Contract renewals", _contract_kind("contract_renewal")),
    CalendarKind("contract_end", "Contracts ending", _contract_kind("contract_end")),
    CalendarKind("evidence_expiry", "Evidence expiring", _calendar_evidence),
    CalendarKind("model_retirement", "Model retirements", _calendar_model_retirements),
)


def calendar_kinds() -> tuple[CalendarKind, ...]:
    return CALENDAR_KINDS


def calendar(
    organisation: Organisation,
    filters: CalendarFilters | None = None,
    *,
    today: dt.date,
    offset: int = 0,
    limit: int = CALENDAR_PAGE,
) -> CalendarPage:
    """The organisation's dated obligations matching ``filters``: overdue first (a date that
    has passed), then by due date (on one day, in registry order), from ``offset``, at most
    ``limit``.

    Each kind reads the (date, id) of at most ``offset + limit + 1`` rows through its date
    index, and no later than the last of the first ``offset + limit + 1`` dates the kinds before
    it found; only the rows shown are then read with their names, one query per kind. A page
    costs the same whatever the organisation holds beyond it; deep pages read more dates
    (callers cap the offset). Nothing is counted: ``more`` says whether a next page exists.
    """
    filters = filters or CalendarFilters()
    wanted = [k for k in CALENDAR_KINDS if not filters.kinds or k.key in filters.kinds]
    want = offset + limit + 1
    streams, builders = [], {}
    days: list[dt.date] = []  # the first ``want`` dates of the kinds read so far, in order
    narrowed = filters
    token = _CONTRACT_DATES.set({})
    try:
        for position, kind in enumerate(wanted):
            dated = kind.read(organisation, narrowed, today=today, limit=want)
            builders[kind.key] = dated.build
            # Each kind's dates come in date order, and overdue (a date before today) sorts first.
            streams.append([(day >= today, day, position, pk) for day, pk in dated.dates])
            # Once ``want`` dates are in hand, nothing later than the last of the first ``want`` can
            # be on the page: the next kinds read up to that day only (fewer rows to read and name).
            days = list(islice(heapq.merge(days, [day for day, _ in dated.dates]), want))
            if len(days) >= want and (narrowed.end is None or days[-1] < narrowed.end):
                narrowed = replace(narrowed, end=days[-1])
    finally:
        _CONTRACT_DATES.reset(token)
    merged = list(islice(heapq.merge(*streams), want))
    shown = [(wanted[position].key, pk) for _, _, position, pk in merged[offset : offset + limit]]
    ids: dict[str, list[int]] = {}
    for key, pk in shown:
        ids.setdefault(key, []).append(pk)
    built = {item.key: item for key, pks in ids.items() for item in builders[key](pks)}
    items = [built[f"{key}:{pk}"] for key, pk in shown if f"{key}:{pk}" in built]
    return CalendarPage(items=items, more=len(merged) > offset + limit)


# --- The home page's dates ahead ------------------------------------------------------------

DATES_AHEAD_DAYS = 60


def dates_ahead(
    organisation: Organisation, *, today: dt.date, days: int = DATES_AHEAD_DAYS, limit: int = GROUP_LIMIT
) -> list[Group]:
    """The home page's dates, read from the calendar: evidence expired or expiring within
    ``days``, and the contracts' last days to give notice and ends within ``days`` (and those
    passed), overdue first, at most ``limit`` each. ``more_url`` is the Calendar page showing
    them; ``count`` is the number shown, plus one when there are more."""
    end = today + dt.timedelta(days=days)
    spec = (
        ("evidence", "Evidence expiring", "No document expires in the next {days} days.", ("evidence_expiry",)),
        (
            "contracts",
            "Contract notice dates",
            "No contract needs notice or ends in the next {days} days.",
            ("contract_notice", "contract_end"),
        ),
    )
    groups = []
    for key, heading, empty, kinds in spec:
        page = calendar(organisation, CalendarFilters(end=end, kinds=kinds), today=today, limit=limit)
        query = {"end": end.isoformat()} | ({"kind": kinds[0]} if len(kinds) == 1 else {})
        more = reverse("portfolio:calendar") + "?" + urlencode(query)
        groups.append(Group(key, heading, empty.format(days=days), page.items, len(page.items) + page.more, more))
    return groups
