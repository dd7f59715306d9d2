"""Showing a bank change: a word-level diff as <del>/<ins> HTML (escaped)."""

from django import template
from django.utils.html import format_html, format_html_join
from django.utils.safestring import SafeString

from procurement.questionbank.document.diff import FieldChange

register = template.Library()

_TAGS = {"del": "<del>{}</del>", "ins": "<ins>{}</ins>", "same": "{}"}


@register.filter
def change_html(change: FieldChange) -> SafeString:
    """The change in words: removed words struck through, added words marked, the rest as is;
    without a word diff, old -> new."""
    if change.words is not None:
        return format_html_join("", "{}", ((format_html(_TAGS[k], text),) for k, text in change.words.segments))
    if change.old and change.new:
        return format_html("<del>{}</del> → <ins>{}</ins>", change.old, change.new)
    return format_html("<del>{}</del>", change.old) if change.old else format_html("<ins>{}</ins>", change.new)
