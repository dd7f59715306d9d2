"""Sign-in pages: the login page (password and single sign-on), the two legs of the OpenID
Connect flow, and an org admin's answer to a sign-in waiting for approval.

The single sign-on pages answer 404 while it is off (procurement/core/sso.py)."""

from __future__ import annotations

import logging

import requests
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_required
from django.core.exceptions import SuspiciousOperation, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.http import require_POST
from django.views.generic import View
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from procurement.core import sso
from procurement.core.member_views import admin_organisation
from procurement.core.models import ExternalIdentity
from procurement.core.reauth import authenticated_mark, confirm_first

logger = logging.getLogger(__name__)

DOWN = "down"  # ?sso=down on the login page: say the provider is not answering


class LoginView(auth_views.LoginView):
    """Django's login, with the single sign-on button when it is on. Where passwords are for
    site staff only, the password form is their break-glass login, below the button."""

    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        ctx["sso"] = sso.enabled()
        ctx["sso_name"] = sso.provider_name()
        ctx["passwords_for_everyone"] = sso.passwords_for_everyone()
        ctx["sso_down"] = sso.enabled() and self.request.GET.get("sso") == DOWN
        ctx["sso_down_message"] = sso.down_message()
        return ctx


def _to_login(*, down: bool = False) -> HttpResponse:
    return redirect(reverse("login") + (f"?sso={DOWN}" if down else ""))


class SsoLoginView(OIDCAuthenticationRequestView):
    """Sends the browser to the provider's sign-in, with a fresh state, nonce and PKCE
    challenge kept in the session. ``?reauth=1`` asks the provider to sign the person in
    again (a recent sign-in before a sensitive action)."""

    get_settings = staticmethod(sso.library_setting)

    def __init__(self, **kwargs):
        View.__init__(self, **kwargs)  # the library reads a fixed endpoint here; ours is discovered

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.enabled():
            raise Http404
        try:
            document = sso.discovery()
        except sso.ProviderDown:
            return _to_login(down=True)
        self.OIDC_OP_AUTH_ENDPOINT = document["authorization_endpoint"]
        self.OIDC_RP_CLIENT_ID = sso.library_setting("OIDC_RP_CLIENT_ID")
        return super().get(request)

    def get_extra_params(self, request: HttpRequest) -> dict:
        return {"prompt": "login"} if request.GET.get("reauth") else {}


class SsoCallbackView(OIDCAuthenticationCallbackView):
    """Where the provider sends the browser back: the library checks the state (once only),
    exchanges the code, and SsoBackend checks the ID token and finds the account. Every
    failure ends on the login page with a message in plain words."""

    get_settings = staticmethod(sso.library_setting)

    def get(self, request: HttpRequest) -> HttpResponse:
        if not sso.enabled():
            raise Http404
        if request.GET.get("error"):
            return self._provider_error(request)
        try:
            return super().get(request)
        except sso.ProviderDown:
            return _to_login(down=True)
        except sso.SignInRefused as exc:
            messages.error(request, str(exc))
        except SuspiciousOperation as exc:
            # A state this browser did not start, or one already used: a replay or a stale tab.
            logger.warning("single sign-on callback refused: %s", exc)
            messages.error(
                request, "That sign-in link was already used or was not started in this browser. Sign in again."
            )
        except requests.HTTPError as exc:
            logger.warning("single sign-on: the provider refused the code: %s", exc)
            messages.error(request, f"{sso.provider_name()} did not accept this sign-in. Sign in again.")
        except requests.RequestException as exc:
            logger.warning("single sign-on: the provider did not answer: %s", exc)
            return _to_login(down=True)
        return _to_login()

    def _provider_error(self, request: HttpRequest) -> HttpResponse:
        """The provider sends ``?error=...`` back when a sign-in did not happen (cancelled,
        refused). The library would sign out whoever is signed in, for any such address: a link
        on another site could then sign people out. Here the error counts only for a sign-in this
        browser started (its state, used up now), and signs nobody out: a cancelled re-sign-in
        leaves the session as it was. Any other such address changes nothing."""
        state = request.GET.get("state", "")
        pending = request.session.get("oidc_states") or {}
        if not state or state not in pending:
            logger.warning("single sign-on callback: an error for a sign-in this browser did not start; ignored")
            return _to_login()
        del pending[state]
        request.session["oidc_states"] = pending
        if request.GET.get("error") == "access_denied":
            messages.info(request, "Sign-in was cancelled.")
        else:
            messages.error(request, f"Single sign-on with {sso.provider_name()} did not complete. Sign in again.")
        return _to_login()

    def login_failure(self) -> HttpResponse:
        messages.error(self.request, f"Single sign-on with {sso.provider_name()} did not complete. Sign in again.")
        return _to_login()

    def login_success(self) -> HttpResponse:
        response = super().login_success()
        authenticated_mark(self.request)  # also when the same person signed in again (reauth)
        return response


@login_required
@require_POST
def sso_request(request: HttpRequest, pk: int) -> HttpResponse:
    """An org admin approves (with a role) or refuses a sign-in waiting for approval."""
    organisation = admin_organisation(request)
    if not sso.sso_requests_pending(organisation).filter(pk=pk).exists():
        raise Http404
    if response := confirm_first(request, next_url="/accounts/members/"):
        return response
    try:
        if request.POST.get("action") == "approve":
            identity = sso.sso_request_approve(
                organisation=organisation, identity_id=pk, role=request.POST.get("role", ""), by=request.user
            )
            messages.success(
                request, f"{identity.user.get_full_name() or identity.email} can now sign in; their role is set."
            )
        elif request.POST.get("action") == "refuse":
            identity = sso.sso_request_refuse(organisation=organisation, identity_id=pk, by=request.user)
            messages.success(request, f"Refused: {identity.user.get_full_name() or identity.email} cannot sign in.")
        else:
            messages.error(request, "Choose approve or refuse. Nothing was changed.")
    except ExternalIdentity.DoesNotExist:
        raise Http404 from None
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages) + " Nothing was changed.")
    return redirect("accounts:members")
