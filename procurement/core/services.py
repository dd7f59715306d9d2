"""Writes for organisations and memberships."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction

from procurement.core.models import Membership, Organisation

DEMO_ORG = ("Demo Buyer Ltd", "demo")
DEMO_PASSWORD = "demo-pass-2026"  # noqa: S105 - printed for the local demo only
DEMO_USERS = (
    ("admin", Membership.Role.ADMIN, "Ada Admin"),
    ("analyst", Membership.Role.ANALYST, "Ana Analyst"),
    ("reviewer", Membership.Role.REVIEWER, "Rita Reviewer"),
    ("viewer", Membership.Role.VIEWER, "Vic Viewer"),
)
DEMO_STAFF = ("staff", "Sam Sitestaff")


@dataclass(frozen=True)
class DemoLogin:
    username: str
    password: str
    role: str


def membership_set(*, user, organisation: Organisation, role: str) -> Membership:
    membership, _ = Membership.objects.update_or_create(
        user=user, defaults={"organisation": organisation, "role": role}
    )
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
    for username, role, full_name in DEMO_USERS:
        first, last = full_name.split(" ", 1)
        user, created = User.objects.get_or_create(username=username, defaults={"first_name": first, "last_name": last})
        if created:
            user.set_password(DEMO_PASSWORD)
            user.save()
        membership_set(user=user, organisation=org, role=role)
        logins.append(DemoLogin(username, DEMO_PASSWORD, Membership.Role(role).label))
    first, last = DEMO_STAFF[1].split(" ", 1)
    staff, created = User.objects.get_or_create(
        username=DEMO_STAFF[0],
        defaults={"first_name": first, "last_name": last, "is_staff": True, "is_superuser": True},
    )
    if created:
        staff.set_password(DEMO_PASSWORD)
        staff.save()
    logins.append(DemoLogin(staff.username, DEMO_PASSWORD, "Site staff (superuser)"))
    return logins
