"""Writes for organisations and memberships."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.db import transaction

from procurement.core.models import AuditEvent, CurrencyRate, Membership, Organisation

DEMO_ORG = ("Demo Buyer Ltd", "demo")
DEMO_RATES = (("USD", "0.92"), ("GBP", "1.17"))  # into the demo's reporting currency, EUR
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the local demo only
A = Membership.Authority
# (username, role, full name, decision authority). The approver is a reviewer with executive
# authority; with the admin, two executives can sign off a Critical residual.
DEMO_USERS = (
    ("admin", Membership.Role.ADMIN, "Ada Admin", A.EXECUTIVE),
    ("analyst", Membership.Role.ANALYST, "Ana Analyst", A.STANDARD),
    ("reviewer", Membership.Role.REVIEWER, "Rita Reviewer", A.STANDARD),
    ("approver", Membership.Role.REVIEWER, "Alex Approver", A.EXECUTIVE),
    ("viewer", Membership.Role.VIEWER, "Vic Viewer", A.STANDARD),
)
DEMO_STAFF = ("staff", "Sam Sitestaff")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


def membership_set(*, user, organisation: Organisation, role: str, authority: int | None = None) -> Membership:
    defaults = {"organisation": organisation, "role": role}
    if authority is not None:
        defaults["authority"] = authority
    membership, _ = Membership.objects.update_or_create(user=user, defaults=defaults)
    # Org admins edit their organisation's banks in the Django admin, which needs is_staff.
    wants_staff = role == Membership.Role.ADMIN or user.is_superuser
    if user.is_staff != wants_staff:
        user.is_staff = wants_staff
        user.save(update_fields=["is_staff"])
    return membership


@transaction.atomic
def demo_seed() -> list[DemoLogin]:
    """The demo organisation, one user per role and a site-staff user. Idempotent."""
    User = get_user_model()
    org, _ = Organisation.objects.get_or_create(slug=DEMO_ORG[1], defaults={"name": DEMO_ORG[0]})
    logins = []
    for username, role, full_name, authority in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        membership_set(user=user, organisation=org, role=role, authority=authority)
        label = Membership.Role(role).label + (" with executive authority" if authority == A.EXECUTIVE else "")
        logins.append(DemoLogin(username, DEMO_PASSWORD, label))
    first, last = DEMO_STAFF[1].split(" ", 1)
    staff, created = User.objects.get_or_create(
        username=DEMO_STAFF[0],
        defaults={"first_name": first, "last_name": last, "is_staff": True, "is_superuser": True},
    )
    if created:
        staff.set_password(DEMO_PASSWORD)
        staff.save()
    logins.append(DemoLogin(staff.username, DEMO_PASSWORD, "Site staff (superuser)"))
    if not org.currency_rates.exists():  # the demo's services spend in USD and GBP too
        for currency, rate in DEMO_RATES:
            currency_rate_set(organisation=org, currency=currency, rate=Decimal(rate), as_of=dt.date.today())
    return logins


def person_label(user) -> str:
    """Who did it, as the audit log and mails name them."""
    return (user.get_full_name() or user.get_username()) if user else "system"


def audit_add(*, organisation: Organisation, by, note: str) -> AuditEvent:
    """One line on the organisation's audit log (members, decision rules, webhooks, ...)."""
    return AuditEvent.objects.create(organisation=organisation, by=by, by_label=person_label(by), note=note)


def audit_own(user, note: str) -> None:
    """A member's change to their own account (two-step sign-in, API tokens), on their
    organisation's log as "<name> <note>"; nothing for someone without an organisation."""
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    if membership is not None:
        audit_add(organisation=membership.organisation, by=user, note=f"{person_label(user)} {note}")


@transaction.atomic
def organisation_decision_rules_set(
    *, organisation: Organisation, separation_of_duties: bool, authorities: dict[int, int], by=None
) -> list[str]:
    """An org admin sets who may decide what: each member's authority, and whether separation of
    duties applies. ``authorities`` maps membership ids of this organisation to a level.
    Returns what changed, in words, for the confirmation message."""
    changes = []
    if organisation.separation_of_duties != separation_of_duties:
        organisation.separation_of_duties = separation_of_duties
        organisation.save(update_fields=["separation_of_duties", "updated_at"])
        changes.append("separation of duties " + ("on" if separation_of_duties else "relaxed"))
    members = Membership.objects.select_for_update().filter(organisation=organisation, pk__in=list(authorities))
    for membership in members.select_related("user"):
        level = authorities[membership.pk]
        if level not in Membership.Authority.values:
            raise ValueError(f"unknown authority level {level}")
        if membership.authority != level:
            membership.authority = level
            membership.save(update_fields=["authority", "updated_at"])
            name = membership.user.get_full_name() or membership.user.get_username()
            changes.append(f"{name}: {Membership.Authority(level).label.split(':')[0].lower()} authority")
    if changes:
        audit_add(organisation=organisation, by=by, note="; ".join(changes))
    return changes


# --- Currency rates ---------------------------------------------------------------


def _audit(organisation: Organisation, by, note: str) -> None:
    audit_add(organisation=organisation, by=by, note=note)


@transaction.atomic
def organisation_reporting_currency_set(*, organisation: Organisation, currency: str, by=None) -> bool:
    """The currency the portfolio's spend-weighted figures are shown in. Rates into the previous
    one stay on record and apply again if it comes back. Returns whether it changed."""
    if organisation.reporting_currency == currency:
        return False
    before = organisation.reporting_currency
    organisation.reporting_currency = currency
    organisation.save(update_fields=["reporting_currency", "updated_at"])
    _audit(organisation, by, f"reporting currency {before} → {currency}")
    return True


@transaction.atomic
def currency_rate_set(
    *, organisation: Organisation, currency: str, rate: Decimal, as_of: dt.date, by=None
) -> CurrencyRate:
    """1 ``currency`` = ``rate`` of the reporting currency, as of a date; replaces the previous rate."""
    to = organisation.reporting_currency
    if currency == to:
        raise ValueError("a rate needs two different currencies")
    row, _ = CurrencyRate.objects.update_or_create(
        organisation=organisation,
        currency=currency,
        to_currency=to,
        defaults={"rate": rate, "as_of": as_of, "set_by": by if getattr(by, "pk", None) else None},
    )
    row.full_clean()
    _audit(organisation, by, f"rate 1 {currency} = {rate.normalize():f} {to} as of {as_of.isoformat()}")
    return row


@transaction.atomic
def currency_rate_remove(*, organisation: Organisation, currency: str, by=None) -> bool:
    deleted, _ = CurrencyRate.objects.filter(
        organisation=organisation, currency=currency, to_currency=organisation.reporting_currency
    ).delete()
    if deleted:
        _audit(organisation, by, f"rate for {currency} removed")
    return bool(deleted)
