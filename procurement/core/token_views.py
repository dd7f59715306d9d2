"""One's own API tokens: list, make (the secret shown once, on the response page), revoke."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from procurement.core import tokens
from procurement.core.forms import StorableTextMixin
from procurement.core.models import ApiToken
from procurement.core.reauth import confirm_first


class TokenForm(StorableTextMixin, forms.Form):
    name = forms.CharField(label="Name", max_length=100, help_text="What uses it, e.g. “procurement sync script”.")
    scope = forms.ChoiceField(label="Access", choices=ApiToken.Scope.choices, initial=ApiToken.Scope.READ)
    days = forms.IntegerField(
        label="Valid for (days)",
        min_value=1,
        max_value=tokens.MAX_DAYS,
        initial=tokens.DEFAULT_DAYS,
        help_text=f"1 to {tokens.MAX_DAYS} days. Make a new token when it runs out.",
        widget=forms.NumberInput(attrs={"class": "w-auto"}),
    )


@never_cache
@login_required
def token_list(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and (response := confirm_first(request, next_url=request.path)):
        return response  # a token outlives the session: making one needs a recent sign-in
    form = TokenForm(request.POST or None)
    created = secret = None
    if request.method == "POST" and form.is_valid():
        try:
            created, secret = tokens.api_token_create(user=request.user, **form.cleaned_data)
        except ValidationError as exc:
            for field, errors in exc.message_dict.items():
                form.add_error(field if field in form.fields else None, errors)
        else:
            form = TokenForm()
    ctx = {
        "form": form,
        "tokens": ApiToken.objects.filter(user=request.user),
        "created": created,
        "secret": secret,
        "writes_per_minute": tokens.WRITES_PER_MINUTE,
    }
    return render(request, "accounts/tokens.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def token_revoke(request: HttpRequest, pk: int) -> HttpResponse:
    try:
        revoked = tokens.api_token_revoke(user=request.user, token_id=pk)
    except ApiToken.DoesNotExist:
        raise Http404 from None
    if revoked:
        messages.success(request, "Token revoked: it no longer works.")
    return redirect("accounts:tokens")
