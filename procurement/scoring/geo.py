"""The geography taxonomy: countries, named groups and cloud regions. Plain Python only.

Every location is a **place** with a canonical code and the set of countries it may be in:

- a country: its ISO 3166-1 alpha-2 code in lower case, from pycountry (``de`` is Germany);
- a named group (data/regions.yaml, each dated and cited): ``eu``, ``eea``, ``eu-adequacy``,
  ``uk``, ``any``; the United States is the country ``us``;
- a cloud or GPU-cloud region (data/cloud_regions.yaml, each provider dated and cited):
  ``<provider>:<region>``, e.g. ``aws:eu-west-1`` (Ireland);
- a region family a provider's codes share, e.g. ``us-east`` (United States) or ``eu-west``
  (Ireland, the United Kingdom or France: AWS eu-west-1, -2, -3).

``parse`` reads what people type ("Germany", "DEU", "eu-west-1", "AWS eu-west-1",
"West Europe") and returns the place or None. ``verdict`` places a location against a
required geography: inside, outside, or unknown (an unrecognised string, or a place that
may be on either side, such as ``eu-west`` against ``eu``). Unknown is never "outside".
"""

from __future__ import annotations

import functools
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import pycountry

from procurement.core.loaders import load_yaml

DATA = Path(__file__).parent / "data"
INSIDE, OUTSIDE, UNKNOWN = "inside", "outside", "unknown"
UNKNOWN_LOCATION = "unknown location"
GROUP, COUNTRY, CLOUD, AREA = "group", "country", "cloud_region", "area"
MAX_LOCATION = 200
# Shown first among the groups in the pickers (the United States is a country).
FEATURED = ("eu", "eea", "eu-adequacy", "uk", "us", "any")
_FAMILY = re.compile(r"-?\d+(-[a-z])?$")
_SPLIT = re.compile(r"[,;\n]")
NAME_OVERRIDES = {"tw": "Taiwan", "gb": "United Kingdom", "us": "United States"}


@dataclass(frozen=True)
class Place:
    code: str
    name: str
    kind: str
    countries: frozenset[str]
    provider: str = ""  # cloud regions: the provider's code ("aws")
    family: str = ""  # cloud regions: the family code ("eu-west")
    detail: str = ""  # cloud regions: the site ("Ireland", "Frankfurt")


@dataclass(frozen=True)
class Source:
    code: str
    name: str
    url: str
    date: str


@dataclass(frozen=True)
class Taxonomy:
    places: dict[str, Place]
    lookup: dict[str, str]  # normalised text -> code
    groups: tuple[Place, ...]
    countries: tuple[Place, ...]
    cloud: tuple[Place, ...]
    sources: tuple[Source, ...]
    partial_adequacy: dict[str, str]


def _norm(text: str) -> str:
    return " ".join(str(text).lower().split())


def _load(name: str) -> dict:
    path = DATA / name
    return load_yaml(path.read_bytes(), source=str(path.name), max_bytes=1_000_000)


def _country_name(c) -> str:
    code = c.alpha_2.lower()
    return NAME_OVERRIDES.get(code) or getattr(c, "common_name", None) or c.name


@functools.cache
def taxonomy() -> Taxonomy:
    """The taxonomy, read once per process from pycountry and the two data files."""
    places: dict[str, Place] = {}
    lookup: dict[str, str] = {}
    every = frozenset(c.alpha_2.lower() for c in pycountry.countries)
    countries = []
    for c in pycountry.countries:
        code = c.alpha_2.lower()
        place = Place(code=code, name=_country_name(c), kind=COUNTRY, countries=frozenset({code}))
        places[code] = place
        countries.append(place)
        lookup[code] = code
        for spelling in (c.alpha_3, c.name, getattr(c, "official_name", ""), getattr(c, "common_name", "")):
            if spelling:
                lookup.setdefault(_norm(spelling), code)
        lookup.setdefault(_norm(place.name), code)
    countries.sort(key=lambda p: p.name)

    regions = _load("regions.yaml")
    sources: list[Source] = []
    groups = []
    members: dict[str, frozenset[str]] = {}
    for g in regions["groups"]:
        if g["countries"] == "all":
            found = every
        else:
            found = frozenset(g["countries"]) | frozenset(g.get("also") or ())
            for inner in g.get("includes") or ():
                found |= members[inner]
        members[g["code"]] = found
        place = Place(code=g["code"], name=g["name"], kind=GROUP, countries=found, detail=g["long_name"])
        places[g["code"]] = place
        groups.append(place)
        lookup[_norm(g["code"])] = g["code"]
        lookup.setdefault(_norm(g["name"]), g["code"])
        sources.append(Source(code=g["code"], name=g["long_name"], url=g["source"], date=g["checked"]))
    partial = dict(next(g for g in regions["groups"] if g["code"] == "eu-adequacy").get("partial") or {})
    for alias, code in regions["aliases"].items():
        lookup[_norm(alias)] = code

    cloud = []
    families: dict[str, set[str]] = {}
    family_names: dict[str, list[str]] = {}
    for provider in _load("cloud_regions.yaml")["providers"]:
        sources.append(
            Source(code=provider["code"], name=provider["name"], url=provider["source"], date=provider["compiled"])
        )
        for region, (country, site) in provider["regions"].items():
            code = f"{provider['code']}:{region}"
            family = _FAMILY.sub("", region)
            place = Place(
                code=code,
                name=f"{provider['name']} {region} ({places[country].name})",
                kind=CLOUD,
                countries=frozenset({country}),
                provider=provider["code"],
                family=family,
                detail=site,
            )
            places[code] = place
            cloud.append(place)
            for spelling in (code, f"{provider['code']} {region}", f"{provider['name']} {region}"):
                lookup[_norm(spelling)] = code
            lookup.setdefault(_norm(region), code)  # bare code: the first provider listed wins
            if family and family != region:
                families.setdefault(family, set()).add(country)
                family_names.setdefault(family, []).append(region)
    for family, found in families.items():
        if _norm(family) in lookup:
            continue
        names = [places[c].name for c in sorted(found, key=lambda c: places[c].name)]
        where = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " or " + names[-1]
        places[family] = Place(code=family, name=f"{family} ({where})", kind=AREA, countries=frozenset(found))
        lookup[_norm(family)] = family
    return Taxonomy(
        places=places,
        lookup=lookup,
        groups=tuple(sorted(groups, key=lambda p: FEATURED.index(p.code) if p.code in FEATURED else 99)),
        countries=tuple(countries),
        cloud=tuple(cloud),
        sources=tuple(sources),
        partial_adequacy=partial,
    )


def parse(text: str | None) -> Place | None:
    """The place a string names, or None when it is not recognised."""
    if text is None:
        return None
    key = _norm(text)
    if not key or len(key) > MAX_LOCATION:
        return None
    tax = taxonomy()
    for candidate in (key, key.replace(" ", ""), key.replace("/", ":"), key.replace("_", "-")):
        code = tax.lookup.get(candidate)
        if code is not None:
            return tax.places[code]
    return None


def canonical(text: str | None) -> str | None:
    """The canonical code for a string ("Germany" -> "de", "eu-west-1" -> "aws:eu-west-1"), or None."""
    place = parse(text)
    return place.code if place else None


def split(text: str | None) -> list[str]:
    """The items of a comma-, semicolon- or line-separated list, trimmed, without empties."""
    return [part.strip() for part in _SPLIT.split(text or "") if part.strip()]


def parse_list(text: str | Iterable[str] | None) -> tuple[list[str], list[str]]:
    """(canonical codes, unrecognised items) of a list; duplicates once, order kept."""
    items = split(text) if isinstance(text, str) or text is None else [str(t).strip() for t in text if str(t).strip()]
    codes: list[str] = []
    unknown: list[str] = []
    for item in items:
        code = canonical(item)
        if code is None:
            if item not in unknown:
                unknown.append(item)
        elif code not in codes:
            codes.append(code)
    return codes, unknown


def name(text: str) -> str:
    """How a stored location is shown: the place's name, or the text itself when unknown."""
    place = parse(text)
    return place.name if place else str(text)


def short_name(text: str) -> str:
    """A short label for tight spaces (the chain diagram): a cloud region's own code ("eu-west-1"),
    otherwise the name; unknown text as it is."""
    place = parse(text)
    if place is None:
        return str(text)
    return place.code.split(":", 1)[1] if place.kind == CLOUD else place.name


def within(inner: Place, outer: Place) -> bool:
    """Is every possible location of ``inner`` inside ``outer``? (``de`` within ``eu``; ``aws:eu-west-1``
    within ``ie``, ``eu`` and ``eu-west``; ``eu`` is not within ``de``.)"""
    if inner.code == outer.code:
        return True
    if outer.kind == CLOUD:
        return False
    if outer.kind == AREA:
        return inner.kind == CLOUD and inner.family == outer.code
    return bool(inner.countries) and inner.countries <= outer.countries


def verdict(location: str, required: Iterable[str]) -> str:
    """INSIDE, OUTSIDE or UNKNOWN for a location against a required geography (a list of places).

    Inside: every country the location may be in is allowed. Outside: none is. Unknown: the
    location (or every requirement) is not recognised, or it spans both sides (``eu-west``
    against ``eu``). Without a requirement everything is inside.
    """
    required = [r for r in required if str(r).strip()]
    if not required:
        return INSIDE
    place = parse(location)
    wanted = [p for p in (parse(r) for r in required) if p is not None]
    if any(p.code == "any" for p in wanted):
        return INSIDE
    if place is None or not wanted:
        return UNKNOWN
    if any(within(place, w) for w in wanted):
        return INSIDE
    allowed = frozenset().union(*(w.countries for w in wanted))
    if not place.countries & allowed:
        return OUTSIDE
    return UNKNOWN


def choices(*, kinds: tuple[str, ...] = (GROUP, COUNTRY, CLOUD)) -> list[tuple[str, list[tuple[str, str]]]]:
    """Picker options grouped under headings: [(heading, [(code, name), ...]), ...]."""
    tax = taxonomy()
    result: list[tuple[str, list[tuple[str, str]]]] = []
    if GROUP in kinds:
        featured = [tax.places[c] for c in FEATURED]
        result.append(("Groups", [(p.code, _group_label(p)) for p in featured]))
    if COUNTRY in kinds:
        result.append(("Countries", [(p.code, p.name) for p in tax.countries]))
    if CLOUD in kinds:
        by_provider: dict[str, list[tuple[str, str]]] = {}
        for p in tax.cloud:
            label = next(s.name for s in tax.sources if s.code == p.provider)
            (country,) = p.countries
            site = p.detail.removesuffix(", " + tax.places[country].name)
            by_provider.setdefault(label, []).append(
                (p.code, p.name + ("" if site == tax.places[country].name else f" · {site}"))
            )
        result.extend((f"{label} regions", options) for label, options in by_provider.items())
    return result


def _group_label(p: Place) -> str:
    return p.name


def bloc(place: Place | None) -> tuple[str, str]:
    """(code, name) of the row a place is counted under on the portfolio: the EU for anything
    wholly inside it, else its country, else the place itself; ("", "unknown location") if None."""
    if place is None:
        return "", UNKNOWN_LOCATION
    eu = taxonomy().places["eu"]
    if place.countries and place.countries <= eu.countries:
        return eu.code, eu.name
    if len(place.countries) == 1:
        (country,) = place.countries
        return country, taxonomy().places[country].name
    return place.code, place.name


# --- Converting stored free text ------------------------------------------------------------


def normalise_list(text: str | None) -> tuple[str, list[str]]:
    """A stored list as canonical codes joined by commas, with unrecognised items kept as typed
    after them (so nothing is lost); and the unrecognised items. "eu-west-1, Germany" -> "aws:eu-west-1,de"."""
    codes, unknown = parse_list(text)
    return ",".join(codes + unknown), unknown


def normalise_country(text: str | None) -> tuple[str, bool]:
    """(stored value, recognised): a country's alpha-2 code ("Germany" -> "de"); other text unchanged."""
    text = " ".join((text or "").split())
    if not text:
        return "", True
    place = parse(text)
    if place is not None and place.kind == COUNTRY:
        return place.code, True
    if place is not None and place.code == "uk":
        return "gb", True
    return text, False
