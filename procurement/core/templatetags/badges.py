"""Band and decision badges and people's names, one definition for every page that shows
them (they were three template includes)."""

from functools import lru_cache

from django import template
from django.utils.html import format_html
from django.utils.safestring import mark_safe
from django.utils.text import capfirst

register = template.Library()

DASH = mark_safe('<span class="text-secondary">—</span>')

DECISIONS = {
    "approve": ("success", "Approve"),
    "approve_with_conditions": ("primary", "Approve with conditions"),
    "executive_acceptance": ("warning", "Executive acceptance"),
    "reject": ("danger", "Reject"),
}


@register.simple_tag
@lru_cache(maxsize=64)
def band_badge(band) -> str:
    if not band:
        return DASH
    return format_html('<span class="badge band-{}">{}</span>', band, capfirst(str(band)))


@register.simple_tag
@lru_cache(maxsize=64)
def decision_badge(decision) -> str:
    if decision not in DECISIONS:
        return DASH
    colour, label = DECISIONS[decision]
    return format_html('<span class="badge text-bg-{}">{}</span>', colour, label)


@register.simple_tag
def person_name(person) -> str:
    if not person:
        return "—"
    return person.get_full_name() or person.username
