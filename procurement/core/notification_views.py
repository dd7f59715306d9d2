"""A person's notification settings: which kinds they get, and how (at once, daily summary, never)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from procurement.core.forms import NotificationPreferencesForm
from procurement.core.notifications import notification_preferences_set, preference_modes


@login_required
def preferences(request: HttpRequest) -> HttpResponse:
    form = NotificationPreferencesForm(request.POST or None, modes=preference_modes(request.user))
    if request.method == "POST":
        if form.is_valid():
            notification_preferences_set(user=request.user, modes=form.cleaned_data)
            messages.success(request, "Notification settings saved.")
            return redirect("notifications:preferences")
        messages.error(request, "Not saved: choose one option on every row.")
    ctx = {"form": form}
    return render(request, "core/notifications.html", ctx, status=400 if form.errors else 200)
