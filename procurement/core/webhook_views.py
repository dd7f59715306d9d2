"""Webhook endpoints, managed by org admins: add one (its secret is shown once), send a test
event, switch it off or on, and read its delivery log."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from procurement.core import outbox, webhooks
from procurement.core.member_views import admin_organisation
from procurement.core.models import OutboxMessage, WebhookEndpoint
from procurement.core.reauth import confirm_first


class EndpointForm(forms.Form):
    url = forms.URLField(
        label="URL",
        max_length=500,
        assume_scheme="https",
        help_text="An https address on the public internet; addresses inside private networks are refused.",
    )
    description = forms.CharField(label="Description", max_length=200, required=False)
    events = forms.MultipleChoiceField(
        label="Events", choices=list(webhooks.EVENTS.items()), widget=forms.CheckboxSelectMultiple
    )


def _endpoint(request: HttpRequest, pk: int) -> WebhookEndpoint:
    endpoint = WebhookEndpoint.objects.filter(organisation=admin_organisation(request), pk=pk).first()
    if endpoint is None:
        raise Http404
    return endpoint


@login_required
def webhook_list(request: HttpRequest) -> HttpResponse:
    organisation = admin_organisation(request)
    if response := confirm_first(request, next_url=request.path):
        return response
    form = EndpointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            endpoint = webhooks.webhook_endpoint_add(
                organisation=organisation,
                url=form.cleaned_data["url"],
                events=form.cleaned_data["events"],
                description=form.cleaned_data["description"],
                by=request.user,
            )
        except ValidationError as exc:
            form.add_error("events" if exc.code == "events" else "url", exc)
        else:
            # The secret is shown on this response only; it is never put in a redirect or a message.
            return render(request, "accounts/webhook_created.html", {"endpoint": endpoint})
    endpoints = list(organisation.webhook_endpoints.all())
    latest = outbox.outbox_latest([webhooks.endpoint_ref(e) for e in endpoints])
    for e in endpoints:
        e.last_delivery = latest.get(webhooks.endpoint_ref(e))
        e.event_labels = [webhooks.EVENTS.get(k, k) for k in e.events]
    ctx = {"organisation": organisation, "endpoints": endpoints, "form": form}
    return render(request, "accounts/webhooks.html", ctx, status=400 if form.errors else 200)


@login_required
def webhook_detail(request: HttpRequest, pk: int) -> HttpResponse:
    endpoint = _endpoint(request, pk)
    deliveries = OutboxMessage.objects.filter(ref=webhooks.endpoint_ref(endpoint)).order_by("-created_at", "-pk")[:50]
    for d in deliveries:
        d.event_label = webhooks.EVENTS.get(d.payload.get("type"), "Test event")
    ctx = {
        "endpoint": endpoint,
        "deliveries": deliveries,
        "event_labels": [webhooks.EVENTS.get(k, k) for k in endpoint.events],
    }
    return render(request, "accounts/webhook_detail.html", ctx)


@login_required
@require_POST
def webhook_action(request: HttpRequest, pk: int) -> HttpResponse:
    """Send a test event, switch the endpoint off or on, or try a failed delivery again."""
    endpoint = _endpoint(request, pk)
    if response := confirm_first(request, next_url=f"/accounts/webhooks/{endpoint.pk}/"):
        return response
    action = request.POST.get("action")
    if action == "ping" and endpoint.active:
        webhooks.webhook_ping(endpoint=endpoint, by=request.user)
        messages.success(request, "A test event is queued; its delivery appears below within a minute.")
    elif action in ("off", "on"):
        webhooks.webhook_endpoint_active_set(endpoint=endpoint, active=action == "on", by=request.user)
        messages.success(request, f"The endpoint is {'on' if action == 'on' else 'off'}.")
    elif action == "retry":
        raw = request.POST.get("delivery", "")
        deliveries = OutboxMessage.objects.filter(ref=webhooks.endpoint_ref(endpoint))
        message = deliveries.filter(pk=int(raw)).first() if raw.isdigit() and len(raw) < 19 else None
        if message is None:
            raise Http404
        outbox.outbox_retry(message=message)
        messages.success(request, "The delivery will be tried again.")
    else:
        messages.error(request, "Nothing to do was sent." if endpoint.active else "Switch the endpoint on first.")
    return redirect("accounts:webhook_detail", pk=endpoint.pk)
