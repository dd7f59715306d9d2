"""The obligations calendar: the page (every dated obligation of the organisation, filtered,
overdue on top, grouped by month or week) and each person's iCalendar feed behind a secret
address (procurement/core/calendar_feeds.py)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_required
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.safestring import SafeString, mark_safe
from django.views.decorators.cache import never_cache
from icalendar import Calendar, Event

from procurement.core.access import membership_for, organisation_for
from procurement.core.calendar_feeds import calendar_feed_for_secret
from procurement.core.models import CalendarFeed
from procurement.core.notifications import absolute_url
from procurement.core.text import clipped, day_words, month_words
from procurement.core.text import html_escaped as _e
from procurement.portfolio.forms import CalendarFilterForm
from procurement.portfolio.obligations import CALENDAR_PAGE, CalendarFilters, Item, calendar, calendar_kinds
from procurement.vendors.models import Vendor

# Pages beyond this are not offered: narrow the filters instead (each kind reads up to a page's end).
CALENDAR_MAX_PAGES = 20
# The feed: a year back (overdue ones stay visible) and two ahead, at most this many events.
FEED_PAST_DAYS = 365
FEED_AHEAD_DAYS = 730
FEED_MAX_EVENTS = 2000


def _groups(items: list[Item], *, by: str, today: dt.date) -> list[dict]:
    """Consecutive items under one heading: "Overdue", then each month ("December 2026") or
    week ("Week of 30 Nov 2026")."""
    groups: list[dict] = []
    for item in items:
        if item.overdue:
            key, heading = "overdue", "Overdue"
        elif by == "week":
            monday = item.due_date - dt.timedelta(days=item.due_date.weekday())
            key, heading = monday.isoformat(), f"Week of {day_words(monday)}"
            if monday <= today:
                heading = "This week"
        else:
            key, heading = f"{item.due_date.year}-{item.due_date.month:02d}", month_words(item.due_date)
        if not groups or groups[-1]["key"] != key:
            groups.append({"key": key, "heading": heading, "items": []})
        groups[-1]["items"].append(_row(item))
    for group in groups:  # the rows as one string: the template writes it once
        rows = group.pop("items")
        group["count"], group["rows"] = len(rows), mark_safe("".join(rows))
    return groups


def _options(pairs, chosen: str | None) -> SafeString:
    """A select's options as escaped HTML, built here: a template loop over 200 vendors cost
    about 9 ms of the page (bench/run.py, ``calendar_page_ratio``), this about 0.2."""
    return mark_safe(
        "".join(
            f'<option value="{value if type(value) is int else _e(value)}"'
            f"{' selected' if str(value) == chosen else ''}>{_e(label)}</option>"
            for value, label in pairs
        )
    )


TITLE_CHARS = 140
_OVERDUE_BADGE = '<div><span class="badge text-bg-danger">overdue</span></div>'


def _row(item: Item) -> SafeString:
    """An item as a table row, drawn here rather than by a template loop (its variable lookups
    and filters cost 6-7 ms for a page of 50 rows, this under one; bench/run.py,
    ``calendar_page_ratio``): the due date in words (and "overdue"), what to do with its link
    (the title cut at 140 characters) and detail, the vendor and service, the owner ("nobody
    named" when none) and the status. Every value escaped."""
    d = item.due_date
    title = clipped(item.title, TITLE_CHARS)
    detail = f'<div class="text-secondary">{_e(item.detail)}</div>' if item.detail else ""
    service = f" — {_e(item.service)}" if item.service else ""
    red, badge = (' class="table-danger"', _OVERDUE_BADGE) if item.overdue else ("", "")
    return mark_safe(
        f'<tr{red}><td class="text-nowrap">{day_words(d, weekday=True)}{badge}</td>'
        f'<td><span class="fw-semibold">{_e(item.label)}:</span> <a href="{_e(item.url)}">{_e(title)}</a>{detail}</td>'
        f"<td>{_e(item.vendor)}{service}</td><td>{_e(item.owner or 'nobody named')}</td><td>{_e(item.status)}</td></tr>"
    )


@login_required
def calendar_page(request: HttpRequest) -> HttpResponse:
    """Every dated obligation of the organisation, filterable by owner, vendor, kind and dates."""
    org = organisation_for(request.user)
    if org is None:
        raise Http404
    today = timezone.localdate()
    kinds = calendar_kinds()
    form = CalendarFilterForm(request.GET or None, organisation=org, kinds=kinds)
    problems = form.errors if form.is_bound and not form.is_valid() else {}
    filters = form.filters(today=today)
    try:
        number = max(1, min(int(request.GET.get("page") or 1), CALENDAR_MAX_PAGES))
    except ValueError:
        number = 1
    offset = (number - 1) * CALENDAR_PAGE
    result = calendar(org, filters, today=today, offset=offset, limit=CALENDAR_PAGE)
    chosen = {k: request.GET.get(k, "") for k in ("owner", "vendor", "kind")} if not problems else {}
    by = (form.cleaned_data.get("by") if not problems and form.is_bound else "") or "month"
    # The selects list plain (id, name) pairs: cheaper than the form's model choices at scale.
    people = (
        get_user_model()
        .objects.filter(memberships__organisation=org)
        .order_by("username")
        .only("id", "username", "first_name", "last_name")
    )
    ctx = {
        "form": form,
        "problems": [str(e) for errors in problems.values() for e in errors],
        "filters": filters,
        "number": number,
        "first": offset + 1,
        "last": offset + len(result.items),
        "previous": number - 1 if number > 1 else None,
        "next": number + 1 if result.more and number < CALENDAR_MAX_PAGES else None,
        "capped": result.more and number >= CALENDAR_MAX_PAGES,
        "owners": _options([(u.pk, u.get_full_name() or u.username) for u in people], chosen.get("owner")),
        "vendors": _options(
            Vendor.objects.filter(organisation=org).order_by("name").values_list("pk", "name"), chosen.get("vendor")
        ),
        "kinds": _options([(k.key, k.label) for k in kinds], chosen.get("kind")),
        "groups": _groups(result.items, by=by, today=today),
        "kind_label": next((k.label for k in kinds if (k.key,) == filters.kinds), ""),
        "by": by,
        "today": today,
        "filtered": form.is_bound and not problems,
        "start_value": request.GET.get("start", "") if form.is_bound else "",
        "end_value": request.GET.get("end", "") if form.is_bound else f"{filters.end:%Y-%m-%d}",
    }
    return render(request, "portfolio/calendar.html", ctx, status=400 if problems else 200)


def _event(item: Item, *, host: str, stamp: dt.datetime) -> Event:
    event = Event()
    event.add("uid", f"{item.key.replace(':', '-')}@{host}")
    event.add("dtstamp", stamp)
    event.add("dtstart", item.due_date)
    event.add("dtend", item.due_date + dt.timedelta(days=1))
    event.add("summary", f"{item.label}: {item.title}"[:250])
    lines = [
        f"{item.label} on {item.due_date:%-d %B %Y}" + (" (overdue)" if item.overdue else ""),
        f"Vendor: {item.vendor} — {item.service}" if item.vendor else "",
        f"Owner: {item.owner}" if item.owner else "",
        f"Status: {item.status}" if item.status else "",
        item.detail,
        f"Open it: {absolute_url(item.url)}",
    ]
    event.add("description", "\n".join(line for line in lines if line))
    event.add("url", absolute_url(item.url))
    event.add("transp", "TRANSPARENT")  # a deadline, not a meeting: the day stays free
    return event


@never_cache
def calendar_feed(request: HttpRequest, secret: str) -> HttpResponse:
    """The iCalendar feed of one person's address: no sign-in (calendar apps fetch it), the
    secret is the key. A revoked, unknown or malformed address, or one whose person is no
    longer a member, is 404. Shows what the person may see: their organisation's dated
    obligations (all of them, or only those they own, as they chose)."""
    feed = calendar_feed_for_secret(secret)
    membership = membership_for(feed.user) if feed is not None else None
    if membership is None:
        raise Http404
    org = membership.organisation
    today = timezone.localdate()
    filters = CalendarFilters(
        start=today - dt.timedelta(days=FEED_PAST_DAYS),
        end=today + dt.timedelta(days=FEED_AHEAD_DAYS),
        owner=feed.user.pk if feed.scope == CalendarFeed.Scope.MINE else None,
    )
    items = calendar(org, filters, today=today, limit=FEED_MAX_EVENTS).items
    cal = Calendar()
    cal.add("prodid", "-//AI vendor due diligence//Obligations calendar//EN")
    cal.add("version", "2.0")
    cal.add("calscale", "GREGORIAN")
    cal.add("x-wr-calname", f"Obligations · {org.name}")
    cal.add("refresh-interval", dt.timedelta(hours=4), parameters={"VALUE": "DURATION"})
    host = request.get_host().split(":")[0] or "localhost"
    stamp = timezone.now()
    for item in items:
        cal.add_component(_event(item, host=host, stamp=stamp))
    response = HttpResponse(cal.to_ical(), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = 'inline; filename="obligations.ics"'
    response["Referrer-Policy"] = "no-referrer"
    return response
