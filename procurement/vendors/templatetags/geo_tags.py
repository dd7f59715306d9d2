"""Show stored locations by name: ``{{ "de"|place_name }}`` is "Germany", ``{{ link.regions|place_names }}``
"AWS eu-west-1 (Ireland), Germany". Text the taxonomy does not know is shown as typed."""

import functools

from django import template
from django.template.loader import get_template

from procurement.scoring import geo

register = template.Library()


@register.filter
def place_name(value) -> str:
    return geo.name(value) if value not in (None, "") else ""


@register.filter
def place_names(value) -> str:
    """A list, or a comma-separated string, of locations as names joined by commas."""
    items = geo.split(value) if isinstance(value, str) else [str(v) for v in value or ()]
    return ", ".join(geo.name(item) for item in items)


@functools.lru_cache(maxsize=64)
def _datalists(suffix: str) -> str:
    return get_template("includes/geo_datalists.html").render(
        {
            "suffix": suffix,
            "countries": geo.choices(kinds=(geo.COUNTRY,))[0][1],
            "places": [option for _, options in geo.choices() for option in options],
        }
    )


@register.simple_tag
def geo_datalists(suffix: str) -> str:
    """Suggestions for the provider table's free-text country and regions inputs (the taxonomy's
    codes with their names); the vendor may still type anything, and text the taxonomy does not
    know is kept and shown as an unknown location.

    Drawn once per suffix (a question code) and process, like the taxonomy itself, which is read
    once per process: drawing its ~500 options cost ~7 ms on every section page with a provider
    table (docs/performance.md, "Section page, 2026-11-27")."""
    return _datalists(str(suffix))
