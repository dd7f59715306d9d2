"""Who may do what. Every view and admin class asks these helpers.

A user belongs to at most one organisation (see Membership). "Site staff"
are Django superusers: they run the installation and own the shipped banks.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.contrib.auth import get_user_model

from procurement.core.models import Membership, Organisation

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


def membership_for(user: AbstractBaseUser | AnonymousUser) -> Membership | None:
    """The user's membership, cached on the user object (one query per request)."""
    if not getattr(user, "is_authenticated", False):
        return None
    if not hasattr(user, "_membership_cache"):
        # One per user (core_membership_one_per_user): no ORDER BY, whose default (organisation
        # name, username) joined the users table on every request.
        found = Membership.objects.select_related("organisation").filter(user=user).order_by()[:1]
        user._membership_cache = next(iter(found), None)
    return user._membership_cache


def user_with_membership(user_id):
    """The session's user read with their membership and organisation in one query (the sign-in
    backends' ``get_user``, on every request), kept where ``membership_for`` looks, so a
    member's request reads no membership of its own: one query fewer on every page. A user
    without a membership (site staff) is read alone. None when there is no such user."""
    found = Membership.objects.select_related("user", "organisation").filter(user_id=user_id).order_by()[:1]
    membership = next(iter(found), None)
    if membership is not None:
        user = membership.user
    else:
        user = get_user_model()._default_manager.filter(pk=user_id).first()
        if user is None:
            return None
    user._membership_cache = membership
    return user


def organisation_for(user) -> Organisation | None:
    membership = membership_for(user)
    return membership.organisation if membership else None


def is_site_staff(user) -> bool:
    return bool(getattr(user, "is_authenticated", False) and user.is_active and user.is_superuser)


def has_role(user, *roles: str) -> bool:
    membership = membership_for(user)
    return membership is not None and membership.role in roles


def is_org_admin(user) -> bool:
    return has_role(user, Membership.Role.ADMIN)


EDITORS = ("admin", "analyst")
REVIEWERS = ("admin", "reviewer")


def require_role(user, *roles: str) -> None:
    """403 for a member whose role does not allow the action (outsiders already got 404)."""
    from django.core.exceptions import PermissionDenied

    if not has_role(user, *roles):
        raise PermissionDenied("Your role does not allow this.")
