"""The obligations calendar: the selector's kinds, filters, ordering and organisation scoping
(portfolio/obligations.py), the Calendar page, and each person's iCalendar feed behind a
revocable secret address (core/calendar_feeds.py, portfolio/calendar_views.py)."""

import datetime as dt
import logging

import icalendar
import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from procurement.assessments import services
from procurement.assessments.models import Assessment, Finding, RiskAcceptance
from procurement.core.calendar_feeds import calendar_feed_create, calendar_feed_revoke
from procurement.core.members import member_active_set
from procurement.core.models import CalendarFeed
from procurement.core.reauth import SESSION_KEY
from procurement.core.tokens import secret_hash
from procurement.portal import services as portal_services
from procurement.portfolio.obligations import CALENDAR_KINDS, CalendarFilters, calendar
from procurement.vendors.models import AIService, Vendor, VendorContact

pytestmark = pytest.mark.django_db

TODAY = timezone.localdate()


def day(n: int) -> dt.date:
    return TODAY + dt.timedelta(days=n)


def _condition(assessment, owner, days, *, text=None, kind="condition"):
    return services.finding_add(
        assessment=assessment,
        kind=kind,
        text=text or f"due {days:+d}",
        owner_user=owner,
        due_date=None if days is None else day(days),
        by=owner,
    )


def _approve(assessment, *, review_in: int, owner=None):
    """Approved (without the decide service: its rules are not what is tested here), its next
    review ``review_in`` days from today."""
    Assessment.objects.filter(pk=assessment.pk).update(
        status="approved",
        frozen_record={"score": {"tier": 1}},
        frozen_hash="x",
        decided_at=timezone.now(),
        review_due=day(review_in),
        **({"owner": owner} if owner else {}),
    )
    assessment.refresh_from_db()
    return assessment


def _accepted(assessment, approver, *, expires_in: int, title="Notice gap: 90 days against 180"):
    return RiskAcceptance.objects.create(
        assessment=assessment,
        scope="knockout",
        rule="notice_gap",
        title=title,
        status="accepted",
        reason="Exit plan funded",
        accepted_by=approver,
        accepted_by_label="Approver",
        accepted_authority=3,
        accepted_at=timezone.now(),
        expires_on=day(expires_in),
    )


def _service(org, vendor_name, service_name):
    vendor, _ = Vendor.objects.get_or_create(organisation=org, name=vendor_name)
    return AIService.objects.create(vendor=vendor, name=service_name)


@pytest.fixture
def spread(in_review, personas, shipped_version, org):
    """One obligation of each kind, at different dates, across two vendors and owners."""
    analyst, admin = personas["analyst"], personas["admin"]
    _condition(in_review, analyst, -3, text="overdue condition")
    _condition(in_review, admin, 10, text="admin's finding", kind="finding")
    _condition(in_review, analyst, None, text="undated")  # not on a calendar
    _accepted(in_review, personas["approver"], expires_in=20)
    other = _service(org, "Second Vendor", "Second API")
    reviewed = services.assessment_create(service=other, bank=shipped_version.bank, by=admin)
    _approve(reviewed, review_in=-1, owner=admin)
    third = services.assessment_create(
        service=_service(org, "Third Vendor", "Chat"), bank=shipped_version.bank, by=analyst
    )
    Assessment.objects.filter(pk=third.pk).update(due_date=day(5))
    contact = VendorContact.objects.create(vendor=third.service.vendor, name="Dana Vendor", email="dana@third.example")
    portal_services.invite(assessment=third, contacts=[contact], by=analyst, base_url="http://testserver", days=30)
    return {"reviewed": reviewed, "third": third, "other": other}


# --- The selector ------------------------------------------------------------------------------


def test_every_kind_is_listed_overdue_first_then_by_date(spread, org):
    page = calendar(org, today=TODAY)
    assert [(i.kind, i.due_date) for i in page.items] == [
        ("condition", day(-3)),
        ("review", day(-1)),
        ("assessment_due", day(5)),
        ("condition", day(10)),
        ("acceptance", day(20)),
        ("vendor_link", day(30)),
    ]
    assert [i.overdue for i in page.items] == [True, True, False, False, False, False]
    assert page.more is False
    assert [i.label for i in page.items if i.kind != "condition"] == [
        "Review due",
        "Assessment due",
        "Risk acceptance expires",
        "Vendor link expires",
    ]
    assert [i.label for i in page.items if i.kind == "condition"] == ["Condition due", "Finding due"]
    review = page.items[1]
    assert review.title == "Review of Second Vendor — Second API"
    assert review.url == f"/assessments/new/?service={spread['other'].pk}"
    assert all(i.key and i.url and i.due_date for i in page.items)
    assert len({i.key for i in page.items}) == 6


def test_an_overdue_item_sorts_before_an_earlier_dated_one_that_is_not(spread, org):
    """Overdue first holds whatever the dates: the ordering key starts with the flag."""
    page = calendar(org, today=TODAY)
    assert [i.overdue for i in page.items] == sorted((i.overdue for i in page.items), reverse=True)


def test_filters_by_owner_vendor_kind_and_dates(spread, org, personas):
    admin = personas["admin"]
    mine = calendar(org, CalendarFilters(owner=admin.pk), today=TODAY).items
    assert {(i.kind, i.title) for i in mine} == {
        ("condition", "admin's finding"),
        ("review", "Review of Second Vendor — Second API"),
    }
    third_vendor = spread["third"].service.vendor_id
    assert {i.kind for i in calendar(org, CalendarFilters(vendor=third_vendor), today=TODAY).items} == {
        "assessment_due",
        "vendor_link",
    }
    assert [i.kind for i in calendar(org, CalendarFilters(kinds=("acceptance",)), today=TODAY).items] == ["acceptance"]
    window = calendar(org, CalendarFilters(start=day(0), end=day(10)), today=TODAY)
    assert [i.due_date for i in window.items] == [day(5), day(10)]
    assert calendar(org, CalendarFilters(kinds=("no_such_kind",)), today=TODAY).items == []


def test_closed_conditions_rejected_assessments_and_newer_assessments_leave_the_calendar(
    spread, org, personas, shipped_version
):
    reviewed = spread["reviewed"]
    assert "review" in {i.kind for i in calendar(org, today=TODAY).items}
    services.assessment_create(service=reviewed.service, bank=shipped_version.bank, by=personas["admin"])
    assert "review" not in {i.kind for i in calendar(org, today=TODAY).items}  # the review has started

    overdue = Finding.objects.get(text="overdue condition")
    Finding.objects.filter(pk=overdue.pk).update(status="verified", verified_at=timezone.now())
    titles = {i.title for i in calendar(org, today=TODAY).items}
    assert "overdue condition" not in titles and "admin's finding" in titles
    Assessment.objects.filter(pk=overdue.assessment_id).update(
        status="rejected", frozen_record={"score": {}}, frozen_hash="x"
    )
    kinds = {i.kind for i in calendar(org, today=TODAY).items}
    assert "condition" not in kinds  # a rejected service is not in use: its conditions bind nobody
    assert "acceptance" in kinds  # still reminded by send_notifications, so still on the calendar


def test_the_page_pages_through_everything_with_next_and_previous(in_review, personas, login):
    for n in range(-3, 60):
        _condition(in_review, personas["analyst"], n)
    client = login(personas["viewer"])
    first = client.get(reverse("portfolio:calendar")).content.decode()
    assert "1 to 50 on this page, more on the next" in " ".join(first.split()) and "page=2" in first
    second = client.get(reverse("portfolio:calendar"), {"page": 2}).content.decode()
    assert "51 to 63 on this page." in " ".join(second.split()) and "page=1" in second and "due +59" in second
    assert client.get(reverse("portfolio:calendar"), {"page": "x"}).status_code == 200  # the first page


def test_pages_follow_each_other_without_gaps_or_repeats(in_review, personas, org):
    for n in range(-5, 20):
        _condition(in_review, personas["analyst"], n)
    _accepted(in_review, personas["approver"], expires_in=3)
    whole = [i.key for i in calendar(org, today=TODAY, limit=100).items]
    pages = [calendar(org, today=TODAY, offset=offset, limit=7) for offset in range(0, 28, 7)]
    assert [i.key for p in pages for i in p.items] == whole and len(whole) == 26
    assert [p.more for p in pages] == [True, True, True, False]


def test_a_page_costs_the_same_number_of_queries_whatever_the_organisation_holds(in_review, personas, org):
    for n in range(-2, 10):  # a full page and more, then many more
        _condition(in_review, personas["analyst"], n)
    calendar(org, today=TODAY, limit=10)
    with CaptureQueriesContext(connection) as few:
        calendar(org, today=TODAY, limit=10)
    for n in range(-40, 60):
        _condition(in_review, personas["analyst"], n)
    with CaptureQueriesContext(connection) as many:
        calendar(org, today=TODAY, limit=10)
    assert len(many) == len(few)
    assert calendar(org, today=TODAY, limit=10).more is True


def test_nothing_crosses_organisations(spread, org, other_assessment, personas):
    _condition(other_assessment, personas["outsider"], 1, text="theirs")
    ours = calendar(org, today=TODAY).items
    assert "theirs" not in {i.title for i in ours}
    theirs = calendar(other_assessment.organisation, today=TODAY).items
    assert [i.title for i in theirs] == ["theirs"]


def test_approving_fixes_the_next_review_date_the_review_schedule_shows(approved_with_acceptance, org):
    from procurement.portfolio.selectors import review_schedule

    a = approved_with_acceptance
    (row,) = review_schedule(org, today=TODAY)
    assert a.review_due == row["due"] and a.review_due > TODAY
    (item,) = calendar(org, CalendarFilters(kinds=("review",), end=day(4000)), today=TODAY).items
    assert item.due_date == a.review_due and item.assessment_id == a.pk


def test_expiring_evidence_contract_dates_and_model_retirements_are_on_the_calendar(in_review, personas, org):
    """The vendor records' dates: a SOC 2 report that expired yesterday (overdue, first), a
    model retiring in 20 days, and a renewing contract's last day to give notice and its
    renewal; a service that has ended leaves the calendar."""
    from django.core.files.uploadedfile import SimpleUploadedFile

    from procurement.assessments.evidence import evidence_store
    from procurement.vendors.models import Contract, ModelLifecycle

    document = evidence_store(
        assessment=in_review,
        question_code="SEC-01B",
        upload=SimpleUploadedFile("soc2.pdf", b"%PDF-1.4\n%%EOF\n"),
        by=personas["analyst"],
        field="f",
    ).document
    document.kind, document.issued_on, document.expires_on = "soc2_type2", day(-400), day(-1)
    document.save()
    ModelLifecycle.objects.create(service=in_review.service, model_version="fx-1", retires_on=day(20))
    Contract.objects.create(
        service=in_review.service,
        buyer_party="Acme",
        vendor_party="Frontier",
        start_date=day(-300),
        end_date=day(65),
        auto_renews=True,
        renewal_notice_days=30,
    )

    page = calendar(org, CalendarFilters(end=day(90)), today=TODAY)

    got = [(i.kind, i.due_date, i.overdue) for i in page.items if i.kind not in ("assessment_due", "vendor_link")]
    assert got == [
        ("evidence_expiry", day(-1), True),
        ("model_retirement", day(20), False),
        ("contract_notice", day(35), False),
        ("contract_renewal", day(65), False),
    ]
    assert all(i.label and i.url and i.title for i in page.items)
    mine = calendar(org, CalendarFilters(end=day(90), kinds=("model_retirement",)), today=TODAY).items
    assert [i.service for i in mine] == [in_review.service.name]

    AIService.objects.filter(pk=in_review.service_id).update(status="ended", ended_at=timezone.now())
    left = {i.kind for i in calendar(org, CalendarFilters(end=day(90)), today=TODAY).items}
    assert not left & {"model_retirement", "contract_notice", "contract_renewal", "assessment_due"}


def test_the_registry_names_each_kind_once_in_words():
    assert len({k.key for k in CALENDAR_KINDS}) == len(CALENDAR_KINDS)
    assert all(k.label and k.label[0].isupper() and "_" not in k.label for k in CALENDAR_KINDS)


# --- The page ----------------------------------------------------------------------------------


def test_the_page_lists_overdue_first_grouped_by_month(spread, login, personas):
    response = login(personas["viewer"]).get(reverse("portfolio:calendar"))
    assert response.status_code == 200
    html = response.content.decode()
    assert html.index("Overdue") < html.index("overdue condition") < html.index("Review of Second Vendor")
    assert (
        f"{day(20):%B %Y}" in html and "Everything overdue, and everything due by" in html and "6 obligations." in html
    )
    assert 'href="/portfolio/calendar/"' in html  # in the navigation


def test_the_calendar_and_the_home_page_escape_what_people_typed(in_review, personas, login):
    text = 'Check <script>alert("x")</script> & the vendor\'s "terms"'
    _condition(in_review, personas["analyst"], -3, text=text)
    client = login(personas["analyst"])
    escaped = "Check &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; the vendor&#x27;s &quot;terms&quot;"
    for url in (reverse("portfolio:calendar"), reverse("core:home")):
        page = client.get(url).content.decode()
        assert escaped in page and "<script>alert" not in page


def test_the_page_groups_by_week_and_filters(spread, login, personas):
    client = login(personas["analyst"])
    response = client.get(reverse("portfolio:calendar"), {"by": "week", "kind": "condition"})
    html = response.content.decode()
    assert "Week of" in html or "This week" in html
    assert "overdue condition" in html and "Review of" not in html


def test_bad_filters_are_refused_in_words_and_the_usual_range_shown(spread, login, personas, other_org):
    client = login(personas["analyst"])
    response = client.get(reverse("portfolio:calendar"), {"start": "2027-03-01", "end": "2027-01-01"})
    assert response.status_code == 400
    assert "The last day is before the first" in response.content.decode()
    response = client.get(reverse("portfolio:calendar"), {"start": "soon"})
    assert response.status_code == 400 and "Give the first day as a date" in response.content.decode()
    foreign = Vendor.objects.create(organisation=other_org, name="Foreign")
    response = client.get(reverse("portfolio:calendar"), {"vendor": foreign.pk})
    assert response.status_code == 400 and "Choose a vendor from the list." in response.content.decode()
    assert "overdue condition" in response.content.decode()
    for far in ({"end": "0001-01-01"}, {"start": "0001-01-01", "end": "0001-01-02"}, {"end": "9999-12-31"}):
        response = client.get(reverse("portfolio:calendar"), far)
        assert response.status_code == 400 and "Give a day between 1 Jan 2000 and" in response.content.decode()


def test_outsiders_and_people_without_an_organisation_get_404(login, personas):
    assert login(personas["outsider"]).get(reverse("portfolio:calendar")).status_code == 200  # their own, empty
    assert login(personas["staff"]).get(reverse("portfolio:calendar")).status_code == 404
    assert login(personas["nobody"]).get(reverse("portfolio:calendar")).status_code == 404


# --- The feed ----------------------------------------------------------------------------------


def _feed_path(secret: str) -> str:
    return reverse("portfolio:calendar_feed", args=[secret])


def test_the_feed_parses_and_each_obligation_is_an_all_day_event_with_a_stable_uid(spread, client, personas):
    _, secret = calendar_feed_create(user=personas["viewer"], scope="all")
    response = client.get(_feed_path(secret))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/calendar")
    cal = icalendar.Calendar.from_ical(response.content)
    events = list(cal.walk("VEVENT"))
    assert len(events) == 6
    assert str(cal["X-WR-CALNAME"]) == "Obligations · Acme Buyer"
    by_summary = {str(e["SUMMARY"]): e for e in events}
    review = by_summary["Review due: Review of Second Vendor — Second API"]
    assert review.decoded("DTSTART") == day(-1) and review.decoded("DTEND") == day(0)
    assert isinstance(review.decoded("DTSTART"), dt.date) and not isinstance(review.decoded("DTSTART"), dt.datetime)
    assert str(review["URL"]).startswith("http") and "/assessments/new/?service=" in str(review["URL"])
    assert "(overdue)" in str(review["DESCRIPTION"])
    assert "Condition due: overdue condition" in by_summary
    again = icalendar.Calendar.from_ical(client.get(_feed_path(secret)).content)
    assert sorted(str(e["UID"]) for e in again.walk("VEVENT")) == sorted(str(e["UID"]) for e in events)
    assert len({str(e["UID"]) for e in events}) == 6


def test_only_a_hash_of_the_secret_is_stored(personas):
    feed, secret = calendar_feed_create(user=personas["analyst"], scope="mine")
    assert secret.startswith("cal_") and len(secret) > 40
    stored = CalendarFeed.objects.get(pk=feed.pk)
    assert stored.secret_hash == secret_hash(secret) and secret not in str(stored.__dict__)


def test_a_mine_only_feed_shows_what_the_person_owns(spread, client, personas):
    _, secret = calendar_feed_create(user=personas["admin"], scope="mine")
    events = icalendar.Calendar.from_ical(client.get(_feed_path(secret)).content).walk("VEVENT")
    assert sorted(str(e["SUMMARY"]) for e in events) == [
        "Finding due: admin's finding",
        "Review due: Review of Second Vendor — Second API",
    ]


def test_a_revoked_replaced_wrong_or_deactivated_address_gives_404(spread, client, personas):
    _, secret = calendar_feed_create(user=personas["analyst"], scope="all")
    assert client.get(_feed_path(secret)).status_code == 200
    assert calendar_feed_revoke(user=personas["analyst"]) is True
    assert client.get(_feed_path(secret)).status_code == 404
    _, first = calendar_feed_create(user=personas["analyst"], scope="all")
    _, second = calendar_feed_create(user=personas["analyst"], scope="all")
    assert client.get(_feed_path(first)).status_code == 404  # a new address revokes the old
    assert client.get(_feed_path(second)).status_code == 200
    assert client.get(_feed_path(second[:-2] + "xx")).status_code == 404
    assert client.get(_feed_path("not-a-secret")).status_code == 404
    membership = personas["analyst"].memberships.get()
    member_active_set(
        organisation=membership.organisation, membership_id=membership.pk, active=False, by=personas["admin"]
    )
    assert client.get(_feed_path(second)).status_code == 404
    assert not CalendarFeed.objects.filter(user=personas["analyst"], revoked_at__isnull=True).exists()


def test_the_feed_shows_only_the_persons_organisation(spread, other_assessment, client, personas):
    _condition(other_assessment, personas["outsider"], 1, text="theirs")
    _, secret = calendar_feed_create(user=personas["outsider"], scope="all")
    events = icalendar.Calendar.from_ical(client.get(_feed_path(secret)).content).walk("VEVENT")
    assert [str(e["SUMMARY"]) for e in events] == ["Condition due: theirs"]
    _, staff_secret = calendar_feed_create(user=personas["staff"], scope="all")
    assert client.get(_feed_path(staff_secret)).status_code == 404  # no organisation, nothing to show


def test_the_feed_secret_never_reaches_a_log_line(personas, client, caplog):
    """A revoked address is a 404 that Django's request log names: every configured handler
    on the way prints the path with the secret blanked."""
    _, secret = calendar_feed_create(user=personas["analyst"], scope="all")
    calendar_feed_revoke(user=personas["analyst"])
    with caplog.at_level(logging.WARNING, logger="django.request"):
        assert client.get(_feed_path(secret)).status_code == 404
    (record,) = [r for r in caplog.records if r.name == "django.request"]
    handlers, logger = [], logging.getLogger("django.request")
    while logger:
        handlers.extend(h for h in logger.handlers if h.level <= record.levelno)
        logger = logger.parent if logger.propagate else None
    printed = [h.format(record) for h in handlers if h.filter(record)]
    assert printed and all("Not Found: /portfolio/calendar/feed/<redacted>" in line for line in printed)
    assert not any(secret[4:] in line for line in printed) and secret[4:] not in caplog.text


# --- The settings page -------------------------------------------------------------------------


def test_the_settings_page_makes_shows_once_and_revokes_the_address(login, personas):
    client = login(personas["analyst"])
    page = client.get(reverse("accounts:calendar_feed"))
    assert "You have no live address." in page.content.decode() and "Calendar feed" in page.content.decode()
    session = client.session
    session[SESSION_KEY] = (timezone.now() - dt.timedelta(hours=2)).isoformat()
    session.save()
    asked = client.post(reverse("accounts:calendar_feed"), {"scope": "mine"})
    assert asked.status_code == 302 and asked["Location"].startswith(reverse("accounts:confirm_password"))
    assert not CalendarFeed.objects.exists()  # an address outlives the session: a recent sign-in first
    session[SESSION_KEY] = timezone.now().isoformat()
    session.save()
    made = client.post(reverse("accounts:calendar_feed"), {"scope": "mine"})
    html = made.content.decode()
    assert made.status_code == 200 and "Your new calendar address" in html
    feed = CalendarFeed.objects.get(user=personas["analyst"], revoked_at__isnull=True)
    start = html.index("/portfolio/calendar/feed/cal_") + len("/portfolio/calendar/feed/")
    secret = html[start : html.index(".ics", start)]
    assert secret_hash(secret) == feed.secret_hash and feed.scope == "mine"
    later = client.get(reverse("accounts:calendar_feed")).content.decode()
    assert (
        secret not in later
        and "You have a live address" in later
        and "What it shows: Only what I own" in " ".join(later.split())
    )
    client.post(reverse("accounts:calendar_feed_revoke"))
    assert client.get(_feed_path(secret)).status_code == 404


def test_contract_dates_on_the_calendar_follow_renewals_and_long_notice_periods(service, org):
    """A contract renewing by itself since 2020 shows its current term; one renewing in ten
    months with 300 days' notice shows its notice date inside a 90-day range; one ending after
    the range does not show."""
    from procurement.vendors.models import AIService, Contract

    def contract(name, **fields):
        s = AIService.objects.create(vendor=service.vendor, name=name)
        base = {"buyer_party": "Acme", "vendor_party": "Lab", "start_date": dt.date(2019, 1, 1)}
        return Contract.objects.create(service=s, reference=name, **(base | fields))

    old = contract(
        "old", end_date=dt.date(2020, 1, 1), auto_renews=True, renewal_term_months=12, renewal_notice_days=30
    )
    long = contract("long", end_date=day(300), auto_renews=True, renewal_notice_days=250)
    contract("later", end_date=day(200))
    page = calendar(org, CalendarFilters(end=day(90)), today=TODAY)
    got = {(i.kind, i.title.split(": ")[1].split(" — ")[1], i.due_date) for i in page.items if "contract" in i.kind}
    renews = dt.date(TODAY.year + (dt.date(TODAY.year, 1, 1) < TODAY), 1, 1)  # the next 1 January from today
    expected = {("contract_notice", "long", day(50))}
    if renews - dt.timedelta(days=30) <= day(90):
        expected.add(("contract_notice", "old", renews - dt.timedelta(days=30)))
    if renews <= day(90):
        expected.add(("contract_renewal", "old", renews))
    assert got == expected
    assert {old.pk, long.pk} >= {int(i.key.split(":")[1]) for i in page.items if "contract" in i.kind}


def test_contract_dates_come_in_order_page_by_page_whatever_the_notice(service, org):
    """Renewing contracts are read in order of their end date and the reading stops early: the
    pages still hold every notice and renewal date in order, long notices and contracts renewed
    years ago included, and match the dates contract_deadlines gives."""
    from procurement.vendors.models import AIService, Contract
    from procurement.vendors.selectors import contract_deadlines

    for n, (end, notice) in enumerate([(-900, 30), (-10, 60), (5, 0), (20, 200), (40, 10), (41, 90), (70, 5)] * 2):
        s = AIService.objects.create(vendor=service.vendor, name=f"Renewing {n}")
        Contract.objects.create(
            service=s,
            buyer_party="Acme",
            vendor_party="Lab",
            start_date=day(end - 1000),
            end_date=day(end),
            auto_renews=True,
            renewal_notice_days=notice,
        )
    until = day(400)
    expected = [(r.date, r.kind, r.contract.pk) for r in contract_deadlines(organisation=org, until=until, today=TODAY)]
    for kind in ("contract_notice", "contract_renewal"):
        filters = CalendarFilters(end=until, kinds=(kind,))
        pages = [calendar(org, filters, today=TODAY, offset=offset, limit=3).items for offset in range(0, 15, 3)]
        got = [(i.due_date, i.kind, int(i.key.split(":")[1])) for page in pages for i in page]
        assert got == sorted(e for e in expected if e[1] == kind) and len(got) == 14
    # A range that ended before today: only notices long enough to reach back into it, those of
    # contracts renewed since included (the reading leaves shorter ones out).
    renewed = AIService.objects.create(vendor=service.vendor, name="Renewed, long notice")
    long_notice = Contract.objects.create(
        service=renewed,
        buyer_party="Acme",
        vendor_party="Lab",
        start_date=day(-1000),
        end_date=day(-10),
        auto_renews=True,
        renewal_term_months=12,
        renewal_notice_days=400,
    )
    past = day(-20)
    expected = [(r.date, r.kind, r.contract.pk) for r in contract_deadlines(organisation=org, until=past, today=TODAY)]
    got = [
        (i.due_date, i.kind, int(i.key.split(":")[1]))
        for i in calendar(org, CalendarFilters(end=past), today=TODAY).items
    ]
    assert got == sorted(expected) and len(got) >= 5 and long_notice.pk in {pk for _, _, pk in got}
