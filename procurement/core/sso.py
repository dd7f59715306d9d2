"""Single sign-on with OpenID Connect, through mozilla-django-oidc.

Off unless the deployment sets ``OIDC_ISSUER``, ``OIDC_CLIENT_ID`` and ``OIDC_CLIENT_SECRET``
(README, Production; ``.env.example``). Then:

* The login page offers "Sign in with <provider>". The provider's endpoints come from its
  discovery document (``<issuer>/.well-known/openid-configuration``), fetched when someone
  starts a sign-in and kept for an hour. A provider that does not answer gives a plain message
  on the login page; site staff's password login does not depend on it.
* A person is found by the provider's issuer and subject (``ExternalIdentity``), never by
  email. The first sign-in creates their account (just-in-time provisioning).
* Their organisation comes from ``OIDC_ORG_CLAIM`` (or is the one organisation listed) and is
  trusted only when it is one of ``OIDC_ORGANISATIONS``, the organisations configured for this
  issuer. Their role comes, at every sign-in, from ``OIDC_ROLE_CLAIM`` or from their groups
  (``OIDC_GROUPS_CLAIM`` mapped by ``OIDC_GROUP_ROLES``); someone left with no role loses their
  membership and cannot sign in. With ``OIDC_PROVISIONING=approval`` the provider says only who
  the person is: a first sign-in waits until an admin of the organisation approves it with a role.
* The ID token is checked here (signature from the provider's keys, issuer, audience,
  expiry, nonce); the library does not check the audience or the issuer itself.
* ``OIDC_LOCAL_PASSWORDS=staff`` switches password sign-in off for everyone but site staff
  (the break-glass login) — ``PasswordBackend``.

* Existing accounts are linked to a subject only by site staff (``sso_identity_link``,
  ``manage.py link_sso_identity``), never by email. Two first sign-ins of one subject at once
  give one account (``_identity_create``).

A member an admin deactivates is signed out at their next request (both backends refuse an
inactive account's session) and their API tokens are revoked (``members.member_active_set``);
the provider cannot bring them back.
"""

from __future__ import annotations

import datetime as dt
import logging
import re

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from mozilla_django_oidc.auth import OIDCAuthenticationBackend
from mozilla_django_oidc.utils import import_from_settings

from procurement.core.access import user_with_membership
from procurement.core.models import ExternalIdentity, Membership, Organisation
from procurement.core.services import audit_add, membership_set, person_label
from procurement.core.text import strip_unstorable
from procurement.core.tokens import api_tokens_revoke_all

logger = logging.getLogger(__name__)

BACKEND = "procurement.core.sso.SsoBackend"
DISCOVERY_SECONDS = 3600
# Clock difference tolerated between this server and the provider when checking expiry.
LEEWAY = dt.timedelta(seconds=30)
ALGORITHMS = ["RS256", "RS384", "RS512", "PS256", "ES256", "ES384"]
ROLE_ORDER = [Membership.Role.VIEWER, Membership.Role.REVIEWER, Membership.Role.ANALYST, Membership.Role.ADMIN]


class ProviderDown(Exception):
    """The identity provider did not answer (or not with an OpenID Connect document)."""


class SignInRefused(Exception):
    """A sign-in that must not go ahead; the message is for the person, in plain words."""


# --- configuration ---------------------------------------------------------------------


def enabled() -> bool:
    return bool(settings.OIDC_ISSUER and settings.OIDC_CLIENT_ID and settings.OIDC_CLIENT_SECRET)


def issuer() -> str:
    return settings.OIDC_ISSUER.rstrip("/")


def provider_name() -> str:
    return settings.OIDC_PROVIDER_NAME


def passwords_for_everyone() -> bool:
    """False where the deployment keeps password sign-in for site staff only."""
    return not (enabled() and settings.OIDC_LOCAL_PASSWORDS == "staff")


def approval_needed() -> bool:
    return settings.OIDC_PROVISIONING == "approval"


def down_message() -> str:
    return (
        f"{provider_name()} is not answering, so single sign-on is unavailable at the moment. "
        "Try again in a few minutes. Site staff can still sign in with their password."
    )


def library_setting(attr: str, *default):
    """mozilla-django-oidc's settings, from this app's own (``OIDC_*`` in settings.py)."""
    ours = {
        "OIDC_RP_CLIENT_ID": settings.OIDC_CLIENT_ID,
        "OIDC_RP_CLIENT_SECRET": settings.OIDC_CLIENT_SECRET,
        "OIDC_RP_SCOPES": settings.OIDC_SCOPES,
        "OIDC_RP_SIGN_ALGO": "RS256",
        "OIDC_USE_NONCE": True,
        "OIDC_USE_PKCE": True,
        "OIDC_TOKEN_USE_BASIC_AUTH": True,
        "OIDC_VERIFY_SSL": True,
        "OIDC_TIMEOUT": settings.OIDC_TIMEOUT,
        "OIDC_STORE_ACCESS_TOKEN": False,
        "OIDC_STORE_ID_TOKEN": False,
        "OIDC_AUTHENTICATION_CALLBACK_URL": "sso_callback",
        "LOGIN_REDIRECT_URL_FAILURE": "login",
    }
    if attr in ours:
        return ours[attr]
    return import_from_settings(attr, *default)


# --- the provider's documents ----------------------------------------------------------


def _get_json(url: str) -> dict:
    try:
        response = requests.get(url, timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        document = response.json()
    except (requests.RequestException, ValueError) as exc:
        logger.warning("single sign-on: %s did not answer: %s", url, exc)
        raise ProviderDown(str(exc)) from exc
    if not isinstance(document, dict):
        raise ProviderDown(f"{url} did not answer with a JSON object")
    return document


def discovery() -> dict:
    """The provider's discovery document (endpoints, keys' address), kept for an hour."""
    key = f"sso:discovery:{issuer()}"
    document = cache.get(key)
    if document is None:
        document = _get_json(f"{issuer()}/.well-known/openid-configuration")
        needed = ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri", "userinfo_endpoint")
        if any(not isinstance(document.get(k), str) for k in needed):
            raise ProviderDown("the discovery document lacks an endpoint")
        if document["issuer"].rstrip("/") != issuer():
            # A document naming another issuer is not this provider's (OpenID Connect Discovery 4.3).
            raise ProviderDown(f"the discovery document names the issuer {document['issuer']!r}")
        cache.set(key, document, DISCOVERY_SECONDS)
    return document


def _signing_key(token: str):
    try:
        header = jwt.get_unverified_header(token)
    except jwt.InvalidTokenError as exc:
        raise SignInRefused(_unverifiable()) from exc
    keys = _get_json(discovery()["jwks_uri"]).get("keys") or []
    for jwk in keys:
        if jwk.get("kid") == header.get("kid") and jwk.get("use", "sig") == "sig":
            try:
                return jwt.PyJWK(jwk)
            except jwt.PyJWKError as exc:
                raise SignInRefused(_unverifiable()) from exc
    logger.warning("single sign-on: no key %r in the provider's key set", header.get("kid"))
    raise SignInRefused(_unverifiable())


def _unverifiable() -> str:
    return (
        f"The answer from {provider_name()} could not be verified, so you were not signed in. "
        "Start again; if it keeps happening, tell your IT team."
    )


def id_token_claims(token: str, *, nonce: str | None, now: dt.datetime | None = None) -> dict:
    """The claims of an ID token the provider issued to this site, for this sign-in; anything
    else (another signer, issuer or audience, expired, another sign-in's nonce) is refused.
    ``now`` is this server's clock (tests shift it)."""
    key = _signing_key(token)
    try:
        claims = jwt.decode(
            token,
            key,
            algorithms=ALGORITHMS,
            audience=settings.OIDC_CLIENT_ID,
            issuer=discovery()["issuer"],
            options={"verify_exp": False, "verify_iat": False, "require": ["exp", "iat", "iss", "aud", "sub"]},
        )
    except jwt.InvalidTokenError as exc:
        logger.warning("single sign-on: ID token refused: %s", exc)
        raise SignInRefused(_unverifiable()) from exc
    audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
    if len(audiences) > 1 and claims.get("azp") != settings.OIDC_CLIENT_ID:
        logger.warning("single sign-on: ID token for several audiences, authorised party %r", claims.get("azp"))
        raise SignInRefused(_unverifiable())
    now = now or timezone.now()
    expires = dt.datetime.fromtimestamp(int(claims["exp"]), tz=dt.UTC)
    if now >= expires + LEEWAY:
        logger.warning("single sign-on: ID token expired at %s", expires.isoformat())
        raise SignInRefused(
            f"The sign-in from {provider_name()} had expired before it reached this site, so you were not "
            "signed in. Start again; if it keeps happening, the two servers' clocks may disagree."
        )
    if nonce is None or claims.get("nonce") != nonce:
        logger.warning("single sign-on: ID token for another sign-in (nonce)")
        raise SignInRefused(_unverifiable())
    return claims


# --- what the claims mean --------------------------------------------------------------


def _trusted_organisation(claims: dict) -> Organisation:
    """The organisation the provider names, if this issuer is configured for it."""
    allowed = list(settings.OIDC_ORGANISATIONS)
    if settings.OIDC_ORG_CLAIM:
        named = claims.get(settings.OIDC_ORG_CLAIM)
        if isinstance(named, list) and len(named) == 1:
            named = named[0]
        if not isinstance(named, str) or named not in allowed:
            logger.warning("single sign-on: organisation %r is not configured for %s", named, issuer())
            raise SignInRefused(
                f"{provider_name()} did not name an organisation that uses it to sign in here. "
                "Ask your IT team to check your account's organisation."
            )
    elif len(allowed) == 1:
        named = allowed[0]
    else:
        raise SignInRefused("Single sign-on is not set up completely here; tell the site's operators.")
    organisation = Organisation.objects.filter(slug=named).first()
    if organisation is None:
        raise SignInRefused("Single sign-on is not set up completely here; tell the site's operators.")
    return organisation


def role_from_claims(claims: dict) -> str | None:
    """The role the provider gives: the role claim, else the highest role of the person's
    mapped groups; None when neither gives one."""
    if settings.OIDC_ROLE_CLAIM:
        role = claims.get(settings.OIDC_ROLE_CLAIM)
        if isinstance(role, str) and role in Membership.Role.values:
            return role
    groups = claims.get(settings.OIDC_GROUPS_CLAIM) or []
    if isinstance(groups, str):
        groups = [groups]
    roles = {settings.OIDC_GROUP_ROLES[g] for g in groups if isinstance(g, str) and g in settings.OIDC_GROUP_ROLES}
    return max(roles, key=ROLE_ORDER.index) if roles else None


def _username(claims: dict) -> str:
    """A readable, free username (it names the person in lists; it is never their key)."""
    User = get_user_model()
    raw = _claim_text(claims, "preferred_username", 150) or _claim_text(claims, "email", 254).split("@")[0]
    base = re.sub(r"[^\w.@+-]", "", raw)[:100] or "member"
    candidate, n = base, 1
    while User.objects.filter(username__iexact=candidate).exists():
        n += 1
        candidate = f"{base}-{n}"
    return candidate


def _claim_text(claims: dict, name: str, limit: int) -> str:
    """A claim as one line of storable text (the provider's values reach pages and exports)."""
    return " ".join(strip_unstorable(str(claims.get(name) or "")).split())[:limit]


def _names(user, claims: dict) -> list[str]:
    """Copy the provider's name and email onto the account; returns the fields that changed."""
    wanted = {
        "first_name": _claim_text(claims, "given_name", 150),
        "last_name": _claim_text(claims, "family_name", 150),
        "email": _claim_text(claims, "email", 254),
    }
    if not wanted["first_name"] and not wanted["last_name"] and claims.get("name"):
        first, _, last = _claim_text(claims, "name", 301).partition(" ")
        wanted["first_name"], wanted["last_name"] = first[:150], last[:150]
    changed = [field for field, value in wanted.items() if value and getattr(user, field) != value]
    for field in changed:
        setattr(user, field, wanted[field])
    return changed


def _role_label(role: str) -> str:
    return Membership.Role(role).label.lower()


def sso_sign_in(*, issuer: str, claims: dict):
    """The account for a verified sign-in: found by (issuer, subject), created on the first
    sign-in, its membership set from the claims (or left to an admin's approval). Raises
    ``SignInRefused`` with the reason when the person may not sign in — after what the sign-in
    changed is saved (a new account waiting for approval, a role the provider took away)."""
    user, refusal = _sign_in(issuer=issuer, claims=claims)
    if refusal:
        raise SignInRefused(refusal)
    return user


@transaction.atomic
def _sign_in(*, issuer: str, claims: dict):
    subject = str(claims["sub"])
    if not subject or len(subject) > 255 or len(issuer) > 255:  # OpenID Connect Core 2: at most 255
        raise SignInRefused(_unverifiable())
    organisation = _trusted_organisation(claims)
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=issuer, subject=subject)
        .first()
    )
    now = timezone.now()
    if identity is None:
        identity = _identity_create(issuer=issuer, subject=subject, organisation=organisation, claims=claims)
        user = identity.user
    else:
        user = identity.user
        if changed := _names(user, claims):
            user.save(update_fields=changed)
    identity.last_login_at = now
    identity.email = user.email
    identity.save(update_fields=["last_login_at", "email"])
    if not user.is_active:
        return user, (
            "Your account here has been deactivated by an admin of your organisation; ask them if this is a mistake."
        )
    if identity.status == ExternalIdentity.Status.REFUSED and not approval_needed():
        # Refused while the deployment asked for approval: switching to claims does not undo it.
        return user, _approval_check(identity, None)
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    if membership is not None and membership.organisation_id != organisation.pk:
        return user, (
            f"Your account here belongs to {membership.organisation.name}, but {provider_name()} names "
            f"{organisation.name}. Ask the site's operators to move it."
        )
    if approval_needed():
        return user, _approval_check(identity, membership)
    return user, _membership_from_claims(user, organisation, membership, claims)


def _identity_create(*, issuer: str, subject: str, organisation: Organisation, claims: dict) -> ExternalIdentity:
    """The account and identity of a first sign-in. Two first sign-ins of the same subject at
    the same instant (two tabs, a double click) both reach here: the second one's insert hits
    the one-per-subject constraint and then finds the first one's identity, locked. A username
    taken at the same instant by someone else is picked again."""
    User = get_user_model()
    for _ in range(3):
        try:
            with transaction.atomic():
                user = User(username=_username(claims))
                _names(user, claims)
                user.set_unusable_password()
                user.save()
                identity = ExternalIdentity.objects.create(
                    user=user,
                    issuer=issuer,
                    subject=subject,
                    organisation=organisation,
                    email=user.email,
                    status=ExternalIdentity.Status.PENDING if approval_needed() else ExternalIdentity.Status.ACTIVE,
                )
        except IntegrityError:
            existing = (
                ExternalIdentity.objects.select_for_update()
                .select_related("user")
                .filter(issuer=issuer, subject=subject)
                .first()
            )
            if existing is not None:
                return existing
            continue  # the username went to someone else meanwhile: pick another
        if approval_needed():
            audit_add(
                organisation=organisation,
                by=None,
                note=f"{person_label(user)} ({user.email or 'no email'}) asked to join through single sign-on",
            )
        return identity
    raise SignInRefused("Signing you in collided with other sign-ins at the same moment. Sign in again.")


def _approval_check(identity: ExternalIdentity, membership: Membership | None) -> str | None:
    if identity.status == ExternalIdentity.Status.REFUSED:
        return f"An admin of {identity.organisation.name} refused your request to join; ask them if this is a mistake."
    if membership is None:
        if identity.status != ExternalIdentity.Status.PENDING:
            identity.status = ExternalIdentity.Status.PENDING
            identity.save(update_fields=["status"])
        return (
            f"Your request to join {identity.organisation.name} is waiting for one of its admins to approve it. "
            "You can sign in once they have."
        )
    if identity.status == ExternalIdentity.Status.PENDING:  # site staff added the membership in the admin
        identity.status = ExternalIdentity.Status.ACTIVE
        identity.save(update_fields=["status"])
    return None


def _membership_from_claims(user, organisation: Organisation, membership: Membership | None, claims: dict):
    role = role_from_claims(claims)
    if role is None:
        if membership is not None:
            membership.delete()
            revoked = api_tokens_revoke_all(user=user)
            note = f"{person_label(user)}: role removed at sign-in ({provider_name()} gives them no role here)"
            if revoked:
                note += f"; {revoked} API token(s) revoked"
            audit_add(organisation=organisation, by=None, note=note)
        return (
            f"{provider_name()} gives you no role in {organisation.name}, so you cannot sign in here. "
            "Ask your IT team to add you to the right group."
        )
    if membership is None or membership.role != role:
        old = membership.role if membership else None
        membership_set(user=user, organisation=organisation, role=role)
        change = f"role {_role_label(old)} → {_role_label(role)}" if old else f"joined as {_role_label(role)}"
        audit_add(organisation=organisation, by=None, note=f"{person_label(user)}: {change} (from {provider_name()})")
    return None


# --- an admin's approval ---------------------------------------------------------------


def sso_requests_pending(organisation: Organisation):
    """Sign-ins waiting for this organisation's admins (approval provisioning)."""
    return (
        ExternalIdentity.objects.filter(
            organisation=organisation, status=ExternalIdentity.Status.PENDING, user__memberships__isnull=True
        )
        .select_related("user")
        .order_by("created_at", "pk")
    )


def _pending(organisation: Organisation, identity_id: int) -> ExternalIdentity:
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(organisation=organisation, pk=identity_id, status=ExternalIdentity.Status.PENDING)
        .first()
    )
    if identity is None:
        raise ExternalIdentity.DoesNotExist
    return identity


@transaction.atomic
def sso_request_approve(*, organisation: Organisation, identity_id: int, role: str, by) -> ExternalIdentity:
    if role not in Membership.Role.values:
        raise ValidationError("Choose one of the listed roles.", code="role")
    identity = _pending(organisation, identity_id)
    if Membership.objects.filter(user=identity.user).exclude(organisation=organisation).exists():
        raise ValidationError("This person already belongs to another organisation.", code="elsewhere")
    membership_set(user=identity.user, organisation=organisation, role=role)
    identity.status = ExternalIdentity.Status.ACTIVE
    identity.save(update_fields=["status"])
    audit_add(
        organisation=organisation,
        by=by,
        note=f"approved {person_label(identity.user)} ({identity.email or 'no email'}) as {_role_label(role)}",
    )
    return identity


@transaction.atomic
def sso_request_refuse(*, organisation: Organisation, identity_id: int, by) -> ExternalIdentity:
    identity = _pending(organisation, identity_id)
    identity.status = ExternalIdentity.Status.REFUSED
    identity.save(update_fields=["status"])
    audit_add(
        organisation=organisation,
        by=by,
        note=f"refused {person_label(identity.user)} ({identity.email or 'no email'}), who asked to join",
    )
    return identity


# --- linking an existing account -------------------------------------------------------


@transaction.atomic
def sso_identity_link(*, username: str, subject: str, issuer_url: str = "", move: bool = False) -> str:
    """Site staff link an existing account (made with a password, before the deployment
    switched to single sign-on) to the provider's (issuer, subject), so that person's next
    sign-in lands in it instead of making a new account. Explicit only (``manage.py
    link_sso_identity``): never worked out from an email address. An identity the provider's
    first sign-in already gave a new account moves only with ``move``; that new account is then
    deactivated (its membership and API tokens go; what it did stays under its name).
    Written to the organisation's audit log. Returns what was done, in words."""
    User = get_user_model()
    target_issuer = (issuer_url or issuer()).rstrip("/")
    subject = subject.strip()
    if not target_issuer:
        raise ValidationError("Give the issuer (--issuer), or set OIDC_ISSUER.", code="issuer")
    if not subject or len(subject) > 255 or len(target_issuer) > 255:
        raise ValidationError("The subject must be 1 to 255 characters, as the provider gives it.", code="subject")
    user = User.objects.select_for_update().filter(username=username).first()
    if user is None:
        raise ValidationError(f"There is no account with the username {username!r}.", code="user")
    mine = ExternalIdentity.objects.filter(user=user, issuer=target_issuer).exclude(subject=subject).first()
    if mine is not None:
        raise ValidationError(
            f"{username} is already linked to the subject {mine.subject!r} at this issuer.", code="linked"
        )
    membership = Membership.objects.filter(user=user).select_related("organisation").first()
    organisation = membership.organisation if membership else None
    identity = (
        ExternalIdentity.objects.select_for_update()
        .select_related("user")
        .filter(issuer=target_issuer, subject=subject)
        .first()
    )
    if identity is not None and identity.user_id == user.pk:
        return f"{username} is already linked to {subject!r} at {target_issuer}; nothing changed."
    notes = []
    if identity is not None:
        other = identity.user
        if not move:
            raise ValidationError(
                f"The subject {subject!r} already signs in to the account {other.get_username()!r}. "
                "Run again with --move to move it to this account and deactivate that one.",
                code="taken",
            )
        other_membership = Membership.objects.filter(user=other).select_related("organisation").first()
        if other.is_superuser:
            raise ValidationError("That subject's account is site staff; it is not deactivated by this.", code="staff")
        other.is_active = False
        other.save(update_fields=["is_active"])
        revoked = api_tokens_revoke_all(user=other)
        if other_membership is not None:
            other_membership.delete()
            if organisation is None:
                organisation = other_membership.organisation
        identity.user = user
        identity.organisation = organisation
        identity.status = ExternalIdentity.Status.ACTIVE
        identity.save(update_fields=["user", "organisation", "status"])
        notes.append(
            f"the account {other.get_username()} that its first sign-in made was deactivated"
            + (f" ({revoked} API token(s) revoked)" if revoked else "")
        )
    else:
        identity = ExternalIdentity.objects.create(
            user=user, issuer=target_issuer, subject=subject, organisation=organisation, email=user.email
        )
    done = f"{person_label(user)} ({username}) linked to the single sign-on subject {subject!r} at {target_issuer}"
    if notes:
        done += "; " + "; ".join(notes)
    if organisation is not None:
        audit_add(organisation=organisation, by=None, note=f"{done} (by site staff)")
    logger.info("single sign-on: %s", done)
    return done + "."


# --- authentication backends -----------------------------------------------------------


def _session_user(backend: ModelBackend, user_id):
    """``ModelBackend.get_user``, with the user's membership read in the same query (``user_with_membership``)."""
    user = user_with_membership(user_id)
    return user if user is not None and backend.user_can_authenticate(user) else None


class PasswordBackend(ModelBackend):
    """Username and password. Where ``OIDC_LOCAL_PASSWORDS=staff`` (and single sign-on is on),
    only site staff may use it: their break-glass login, which does not depend on the provider.
    Other password sessions then end too."""

    def user_can_authenticate(self, user) -> bool:
        return super().user_can_authenticate(user) and (passwords_for_everyone() or bool(user.is_superuser))

    def get_user(self, user_id):
        return _session_user(self, user_id)


class SsoBackend(OIDCAuthenticationBackend):
    """The OpenID Connect authorization code flow (with PKCE), from mozilla-django-oidc; the
    ID token check and the account lookup are this module's."""

    get_settings = staticmethod(library_setting)

    def __init__(self, *args, **kwargs):
        # The library reads fixed endpoint settings here; ours come from discovery at sign-in.
        self.UserModel = get_user_model()

    def authenticate(self, request, nonce=None, code_verifier=None, **kwargs):
        if request is None or nonce is None or "password" in kwargs or not enabled():
            return None
        document = discovery()
        self.OIDC_OP_TOKEN_ENDPOINT = document["token_endpoint"]
        self.OIDC_OP_USER_ENDPOINT = document["userinfo_endpoint"]
        self.OIDC_OP_JWKS_ENDPOINT = document["jwks_uri"]
        self.OIDC_RP_CLIENT_ID = settings.OIDC_CLIENT_ID
        self.OIDC_RP_CLIENT_SECRET = settings.OIDC_CLIENT_SECRET
        self.OIDC_RP_SIGN_ALGO = "RS256"
        self.OIDC_RP_IDP_SIGN_KEY = None
        return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)

    def verify_token(self, token, **kwargs):
        return id_token_claims(token, nonce=kwargs.get("nonce"))

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if not isinstance(userinfo, dict) or userinfo.get("sub") != payload["sub"]:
            # The user info must be about the person the ID token names (OpenID Connect Core 5.3.2).
            logger.warning("single sign-on: user info for another subject")
            raise SignInRefused(_unverifiable())
        claims = {**userinfo, "sub": payload["sub"], "iss": payload["iss"]}
        return sso_sign_in(issuer=payload["iss"].rstrip("/"), claims=claims)

    def get_user(self, user_id):
        # The library's get_user ignores is_active: a deactivated member's session would live on.
        return _session_user(self, user_id)
