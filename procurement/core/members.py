"""Members managed by their organisation's admins: invitations by email with a role (a signed,
expiring, single-use link mailed through the outbox), role changes, deactivation.

Every change is an ``AuditEvent`` of the organisation. An org admin acts only on their own
organisation's members and invitations, can grant at most the organisation's admin role (never
site-staff rights), and can never leave the organisation without an active admin.

Where passwords are for site staff only (``OIDC_LOCAL_PASSWORDS=staff``) there are no invitations:
an invited person would get a password account they could never sign in with. People are added
at the identity provider (or approved after their first sign-in, procurement/core/sso.py).
"""

from __future__ import annotations

import datetime as dt
import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core import signing
from django.core.exceptions import ValidationError
from django.core.mail import EmailMessage
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import dateformat, timezone

from procurement.core import outbox
from procurement.core.calendar_feeds import calendar_feeds_revoke_all
from procurement.core.models import MemberInvitation, Membership, Organisation, OutboxMessage
from procurement.core.services import audit_add, membership_set, person_label
from procurement.core.sso import passwords_for_everyone
from procurement.core.tokens import api_tokens_revoke_all

SALT = "procurement.core.members.invitation"
INVITATION_DAYS = 7
MAX_INVITATION_DAYS = 30
SSO_ONLY = (
    "Members sign in through single sign-on here, so an invitation would make a password account they could "
    "never use: add them at the identity provider instead."
)
LAST_ADMIN = "The organisation needs at least one active admin; make someone else an admin first."


def _audit(organisation: Organisation, by, note: str) -> None:
    audit_add(organisation=organisation, by=by, note=note)


def short_day(moment: dt.datetime) -> str:
    return dateformat.format(timezone.localtime(moment), "j M Y")


def _role_label(role: str) -> str:
    return Membership.Role(role).label.lower()


# --- invitation links ------------------------------------------------------------------


def member_invitation_token(invitation: MemberInvitation) -> str:
    return signing.Signer(salt=SALT).sign(invitation.key)


def member_invitation_from_token(token: str) -> MemberInvitation | None:
    """The invitation a token names, or None for a tampered, malformed or unknown token."""
    try:
        key = signing.Signer(salt=SALT).unsign(token)
    except signing.BadSignature:
        return None
    return MemberInvitation.objects.select_related("organisation", "invited_by").filter(key=key).first()


def member_invitation_link(invitation: MemberInvitation, *, base_url: str) -> str:
    return base_url.rstrip("/") + reverse("accounts:join", args=[member_invitation_token(invitation)])


def _ref(invitation: MemberInvitation) -> str:
    return f"member-invitation:{invitation.pk}"


@outbox.builder("accounts.member_invitation")
def _invitation_mail(message: OutboxMessage) -> EmailMessage:
    invitation = (
        MemberInvitation.objects.select_related("organisation", "invited_by")
        .filter(pk=message.payload["invitation"])
        .first()
    )
    if invitation is None or not invitation.is_usable:
        raise outbox.Cancel("the invitation was withdrawn, used or has expired before the mail went out")
    ctx = {
        "invitation": invitation,
        "organisation": invitation.organisation,
        "inviter": person_label(invitation.invited_by),
        "role": invitation.get_role_display(),
        "link": member_invitation_link(invitation, base_url=message.payload["base_url"]),
    }
    subject = outbox.one_line(render_to_string("accounts/email/member_invitation_subject.txt", ctx))
    body = render_to_string("accounts/email/member_invitation.txt", ctx)
    reply_to = [invitation.invited_by.email] if invitation.invited_by and invitation.invited_by.email else None
    return EmailMessage(subject, body, settings.DEFAULT_FROM_EMAIL, [invitation.email], reply_to=reply_to)


def member_invitation_mail_status(invitations: list[MemberInvitation]) -> dict[int, OutboxMessage]:
    latest = outbox.outbox_latest([_ref(i) for i in invitations])
    return {i.pk: latest[_ref(i)] for i in invitations if _ref(i) in latest}


# --- writes ----------------------------------------------------------------------------


@transaction.atomic
def member_invite(
    *, organisation: Organisation, email: str, role: str, by, base_url: str, days: int = INVITATION_DAYS
) -> MemberInvitation:
    """Invite someone to join ``organisation`` with ``role``. An open invitation to the same
    address is renewed (new link, new expiry, the new role) rather than duplicated."""
    email = email.strip()
    if not passwords_for_everyone():
        raise ValidationError(SSO_ONLY, code="sso_only")
    if role not in Membership.Role.values:
        raise ValidationError("Choose one of the listed roles.", code="role")
    if not 1 <= days <= MAX_INVITATION_DAYS:
        raise ValidationError(f"A link may be valid for 1 to {MAX_INVITATION_DAYS} days.", code="days")
    already = Membership.objects.filter(
        organisation=organisation, user__email__iexact=email, user__is_active=True
    ).select_related("user")
    if member := already.first():
        raise ValidationError(f"{email} is already a member ({person_label(member.user)}).", code="member")
    now = timezone.now()
    invitation = (
        MemberInvitation.objects.select_for_update()
        .filter(organisation=organisation, email__iexact=email, accepted_at__isnull=True, revoked_at__isnull=True)
        .first()
    )
    if invitation is not None:
        # A new link replaces the old one, which may sit in an old mail: the old token stops working.
        invitation.revoked_at = now
        invitation.save(update_fields=["revoked_at"])
    invitation = MemberInvitation.objects.create(
        organisation=organisation,
        email=email,
        role=role,
        key=secrets.token_urlsafe(32),
        invited_by=by,
        expires_at=now + dt.timedelta(days=days),
    )
    outbox.outbox_add(
        kind="accounts.member_invitation",
        key=f"accounts.member_invitation:{invitation.pk}",
        ref=_ref(invitation),
        recipient=email,
        payload={"invitation": invitation.pk, "base_url": base_url},
        organisation=organisation,
    )
    _audit(
        organisation,
        by,
        f"invited {email} as {_role_label(role)} (link valid until {short_day(invitation.expires_at)})",
    )
    return invitation


@transaction.atomic
def member_invitation_revoke(*, invitation: MemberInvitation, by) -> None:
    invitation = MemberInvitation.objects.select_for_update().get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(f"This invitation is already {invitation.state}.", code="state")
    invitation.revoked_at = timezone.now()
    invitation.save(update_fields=["revoked_at"])
    _audit(invitation.organisation, by, f"withdrew the invitation to {invitation.email}")


@transaction.atomic
def member_invitation_accept(
    *, invitation: MemberInvitation, username: str, password: str, first_name: str, last_name: str
):
    """The invited person creates their account: a new user with the invitation's email, a
    membership with its role. Single use: a second acceptance is refused."""
    invitation = MemberInvitation.objects.select_for_update().select_related("organisation").get(pk=invitation.pk)
    if not invitation.is_usable:
        raise ValidationError(f"This invitation is {invitation.state}; ask for a new one.", code="state")
    if not passwords_for_everyone():  # sent before the deployment switched to single sign-on
        raise ValidationError(SSO_ONLY, code="sso_only")
    User = get_user_model()
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError("That username is taken; choose another.", code="username")
    user = User.objects.create_user(
        username=username, email=invitation.email, password=password, first_name=first_name, last_name=last_name
    )
    membership_set(user=user, organisation=invitation.organisation, role=invitation.role)
    invitation.accepted_at = timezone.now()
    invitation.accepted_user = user
    invitation.save(update_fields=["accepted_at", "accepted_user"])
    _audit(
        invitation.organisation,
        user,
        f"{person_label(user)} ({invitation.email}) joined as {_role_label(invitation.role)}",
    )
    return user


def _active_admins(organisation: Organisation):
    return Membership.objects.filter(organisation=organisation, role=Membership.Role.ADMIN, user__is_active=True)


def _locked_member(*, organisation: Organisation, membership_id: int) -> Membership:
    """This organisation's member, locked; another organisation's id is as unknown as a wrong one."""
    membership = (
        Membership.objects.select_for_update()
        .select_related("user")
        .filter(organisation=organisation, pk=membership_id)
        .first()
    )
    if membership is None:
        raise Membership.DoesNotExist
    return membership


@transaction.atomic
def member_role_set(*, organisation: Organisation, membership_id: int, role: str, by) -> bool:
    """Change a member's role. Returns False when nothing changed."""
    if role not in Membership.Role.values:
        raise ValidationError("Choose one of the listed roles.", code="role")
    list(_active_admins(organisation).select_for_update())  # serialise changes that could remove the last admin
    membership = _locked_member(organisation=organisation, membership_id=membership_id)
    if membership.role == role:
        return False
    if membership.user_id == getattr(by, "pk", None):
        raise ValidationError("You cannot change your own role; ask another admin.", code="self")
    leaving_admin = membership.role == Membership.Role.ADMIN and membership.user.is_active
    if leaving_admin and _active_admins(organisation).count() <= 1:
        raise ValidationError(LAST_ADMIN, code="last_admin")
    old = membership.role
    membership_set(user=membership.user, organisation=organisation, role=role)
    _audit(
        organisation,
        by,
        f"{person_label(membership.user)}: role {_role_label(old)} → {_role_label(role)}",
    )
    return True


@transaction.atomic
def member_active_set(*, organisation: Organisation, membership_id: int, active: bool, by) -> bool:
    """Deactivate (or reactivate) a member's account. A deactivated member is signed out at
    their next request (the session's user no longer authenticates) and cannot sign in.
    Their answers, decisions and history stay, under their name."""
    list(_active_admins(organisation).select_for_update())
    membership = _locked_member(organisation=organisation, membership_id=membership_id)
    user = membership.user
    if user.is_active == active:
        return False
    if user.pk == getattr(by, "pk", None):
        raise ValidationError("You cannot deactivate yourself; ask another admin.", code="self")
    if user.is_superuser:
        raise ValidationError("Site staff accounts are managed by the site's operators.", code="staff")
    if not active and membership.role == Membership.Role.ADMIN and _active_admins(organisation).count() <= 1:
        raise ValidationError(LAST_ADMIN, code="last_admin")
    user.is_active = active
    user.save(update_fields=["is_active"])
    _audit(organisation, by, f"{person_label(user)}: {'reactivated' if active else 'deactivated'}")
    # Their API tokens stop at once, and stay revoked if the account comes back.
    if not active and (revoked := api_tokens_revoke_all(user=user)):
        _audit(organisation, by, f"{person_label(user)}: {revoked} API token(s) revoked with the deactivation")
    if not active and calendar_feeds_revoke_all(user=user):
        _audit(organisation, by, f"{person_label(user)}: calendar feed address revoked with the deactivation")
    return True
