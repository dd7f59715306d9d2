"""One's own calendar feed address: see whether one is live, make one (the address shown once,
on the response page), revoke it."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from procurement.core import calendar_feeds
from procurement.core.access import membership_for
from procurement.core.models import CalendarFeed
from procurement.core.reauth import confirm_first


class CalendarFeedForm(forms.Form):
    scope = forms.ChoiceField(
        label="What it shows",
        choices=CalendarFeed.Scope.choices,
        initial=CalendarFeed.Scope.ALL,
        widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
        error_messages={"invalid_choice": "Choose everything, or only what you own."},
    )


@never_cache
@login_required
def calendar_feed(request: HttpRequest) -> HttpResponse:
    if request.method == "POST" and (response := confirm_first(request, next_url=request.path)):
        return response  # an address outlives the session: making one needs a recent sign-in
    membership = membership_for(request.user)
    form = CalendarFeedForm(request.POST or None)
    address = None
    if request.method == "POST" and membership is not None and form.is_valid():
        _, secret = calendar_feeds.calendar_feed_create(user=request.user, scope=form.cleaned_data["scope"])
        address = request.build_absolute_uri(reverse("portfolio:calendar_feed", args=[secret]))
        form = CalendarFeedForm()
    ctx = {
        "form": form,
        "membership": membership,
        "live": calendar_feeds.calendar_feed_live(request.user),
        "address": address,
    }
    return render(request, "accounts/calendar_feed.html", ctx, status=400 if form.errors else 200)


@login_required
@require_POST
def calendar_feed_revoke(request: HttpRequest) -> HttpResponse:
    if calendar_feeds.calendar_feed_revoke(user=request.user):
        messages.success(request, "Calendar feed address revoked: calendars using it get nothing more.")
    return redirect("accounts:calendar_feed")
