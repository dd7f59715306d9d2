"""``{% nav_url 'name' %}``: ``{% url 'name' %}`` for a URL without arguments, reversed once per
script prefix and URL configuration instead of on every page.

base.html draws twelve such links on every page; each ``{% url %}`` costs a ``reverse()``
(~17-35 µs), together ~0.2-0.4 ms a page, 3-4% of the section page (docs/performance.md,
"Section page, second pass"). The result is the same string ``reverse()`` gives (tested)."""

from functools import lru_cache

from django import template
from django.urls import get_script_prefix, get_urlconf, reverse

register = template.Library()


@lru_cache(maxsize=256)
def _reversed(name: str, script_prefix: str, urlconf) -> str:
    return reverse(name, urlconf=urlconf)


@register.simple_tag
def nav_url(name: str) -> str:
    return _reversed(name, get_script_prefix(), get_urlconf())
