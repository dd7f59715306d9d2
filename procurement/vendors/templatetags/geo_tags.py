"""Show stored locations by name: ``{{ "de"|place_name }}`` is "Germany", ``{{ link.regions|place_names }}``
"AWS eu-west-1 (Ireland), Germany". Text the taxonomy does not know is shown as typed."""

from django import template

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


@register.inclusion_tag("includes/geo_datalists.html")
def geo_datalists(suffix: str) -> dict:
    """Suggestions for the provider table's free-text country and regions inputs (the taxonomy's
    codes with their names); the vendor may still type anything, and text the taxonomy does not
    know is kept and shown as an unknown location."""
    return {
        "suffix": suffix,
        "countries": geo.choices(kinds=(geo.COUNTRY,))[0][1],
        "places": [option for _, options in geo.choices() for option in options],
    }
