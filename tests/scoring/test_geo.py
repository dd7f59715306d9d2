"""The geography taxonomy: countries against groups, cloud regions against countries, parsing and verdicts."""

import re

import pytest

from procurement.scoring import geo
from procurement.scoring.supply import SERVICE, Link, Provider, chain_facts

EU27 = [
    "at",
    "be",
    "bg",
    "hr",
    "cy",
    "cz",
    "dk",
    "ee",
    "fi",
    "fr",
    "de",
    "gr",
    "hu",
    "ie",
    "it",
    "lv",
    "lt",
    "lu",
    "mt",
    "nl",
    "pl",
    "pt",
    "ro",
    "sk",
    "si",
    "es",
    "se",
]


@pytest.mark.parametrize(
    ("country", "group", "inside"),
    [
        *[(c, "eu", True) for c in EU27],
        ("gb", "eu", False),
        ("ch", "eu", False),
        ("no", "eu", False),
        ("no", "eea", True),
        ("is", "eea", True),
        ("li", "eea", True),
        ("de", "eea", True),
        ("ch", "eea", False),
        ("ch", "eu-adequacy", True),
        ("gb", "eu-adequacy", True),
        ("jp", "eu-adequacy", True),
        ("kr", "eu-adequacy", True),
        ("nz", "eu-adequacy", True),
        ("no", "eu-adequacy", True),
        ("de", "eu-adequacy", True),
        ("us", "eu-adequacy", False),  # partial (Data Privacy Framework only): named on its own when wanted
        ("ca", "eu-adequacy", False),
        ("cn", "eu-adequacy", False),
        ("gb", "uk", True),
        ("je", "uk", False),
        ("ie", "uk", False),
        ("us", "us", True),
        ("pr", "us", False),  # ISO 3166 gives Puerto Rico its own code
        ("ax", "eu", True),  # Åland: its own ISO code, inside Finland and the EU
        ("re", "eu", True),  # Réunion: an outermost region of the EU
        ("cn", "any", True),
        ("aq", "any", True),
    ],
)
def test_countries_against_groups(country, group, inside):
    assert geo.within(geo.parse(country), geo.parse(group)) is inside
    assert geo.verdict(country, [group]) == (geo.INSIDE if inside else geo.OUTSIDE)


def test_the_eu_has_27_member_states_and_the_eea_30():
    tax = geo.taxonomy()
    assert tax.places["eu"].countries >= set(EU27)
    assert len(set(EU27)) == 27 and len(tax.places["eea"].countries - tax.places["eu"].countries) == 3
    assert tax.places["any"].countries == {p.code for p in tax.countries}


@pytest.mark.parametrize(
    ("text", "code", "country"),
    [
        ("eu-west-1", "aws:eu-west-1", "ie"),
        ("aws:eu-west-1", "aws:eu-west-1", "ie"),
        ("AWS eu-west-1", "aws:eu-west-1", "ie"),
        ("eu-central-1", "aws:eu-central-1", "de"),
        ("eu-west-2", "aws:eu-west-2", "gb"),
        ("us-east-1", "aws:us-east-1", "us"),
        ("sa-east-1", "aws:sa-east-1", "br"),
        ("eusc-de-east-1", "aws:eusc-de-east-1", "de"),
        ("westeurope", "azure:westeurope", "nl"),
        ("West Europe", "azure:westeurope", "nl"),
        ("northeurope", "azure:northeurope", "ie"),
        ("uksouth", "azure:uksouth", "gb"),
        ("swedencentral", "azure:swedencentral", "se"),
        ("europe-west1", "gcp:europe-west1", "be"),
        ("europe-west4", "gcp:europe-west4", "nl"),
        ("gcp:us-central1", "gcp:us-central1", "us"),
        ("asia-east1", "gcp:asia-east1", "tw"),
        ("eu-frankfurt-1", "oci:eu-frankfurt-1", "de"),
        ("uk-london-1", "oci:uk-london-1", "gb"),
        ("oci:ap-tokyo-1", "oci:ap-tokyo-1", "jp"),
        ("coreweave:us-east-04", "coreweave:us-east-04", "us"),
        ("lambda:us-east-1", "lambda:us-east-1", "us"),
        ("Lambda europe-central-1", "lambda:europe-central-1", "de"),
        ("crusoe:eu-iceland1-a", "crusoe:eu-iceland1-a", "is"),
        ("nebius:eu-north1", "nebius:eu-north1", "fi"),
        ("nebius eu-west1", "nebius:eu-west1", "fr"),
    ],
)
def test_cloud_regions_against_countries(text, code, country):
    place = geo.parse(text)
    assert place.code == code and place.kind == geo.CLOUD and place.countries == {country}


def test_every_cloud_region_is_in_a_real_country_and_every_provider_is_cited_and_dated():
    tax = geo.taxonomy()
    countries = {p.code for p in tax.countries}
    assert len(tax.cloud) > 200
    assert all(len(p.countries) == 1 and p.countries <= countries for p in tax.cloud)
    providers = {p.provider for p in tax.cloud}
    assert providers == {"aws", "azure", "gcp", "oci", "coreweave", "lambda", "crusoe", "nebius"}
    for source in tax.sources:
        assert source.url.startswith(("https://", "ISO 3166")), source
        assert re.fullmatch(r"\d{4}-\d{2}-\d{2}", source.date), source


@pytest.mark.parametrize(
    ("text", "code"),
    [
        ("de", "de"),
        ("DE", "de"),
        ("Germany", "de"),
        ("DEU", "de"),
        (" germany ", "de"),
        ("no", "no"),  # Norway, not a boolean
        ("NOR", "no"),
        ("EU", "eu"),
        ("European Union", "eu"),
        ("EEA", "eea"),
        ("UK", "uk"),
        ("United Kingdom", "uk"),
        ("GB", "gb"),
        ("US", "us"),
        ("USA", "us"),
        ("United States", "us"),
        ("South Korea", "kr"),
        ("Korea, Republic of", "kr"),
        ("Taiwan", "tw"),
        ("any", "any"),
        ("global", "any"),
        ("us-east", "us-east"),
        ("eu-west", "eu-west"),
    ],
)
def test_parse_reads_names_codes_and_spellings(text, code):
    assert geo.canonical(text) == code


@pytest.mark.parametrize("text", ["", "   ", "mars", "mars-1", "europe", "eu-west-9", "x" * 300, "aws:", ":", "de,fr"])
def test_unrecognised_text_is_no_place(text):
    assert geo.parse(text) is None


@pytest.mark.parametrize(
    ("location", "required", "verdict"),
    [
        ("de", ["eu"], geo.INSIDE),
        ("nl", ["eu"], geo.INSIDE),
        ("eu-west-1", ["eu"], geo.INSIDE),  # Ireland
        ("aws:eu-central-1", ["de"], geo.INSIDE),
        ("westeurope", ["eu"], geo.INSIDE),
        ("eu", ["eu"], geo.INSIDE),
        ("eu", ["eea"], geo.INSIDE),
        ("gb", ["eu", "uk"], geo.INSIDE),
        ("eu-west-2", ["eu"], geo.OUTSIDE),  # London
        ("us-east", ["eu", "uk"], geo.OUTSIDE),
        ("us-east-1", ["eu"], geo.OUTSIDE),
        ("cn", ["eu-adequacy"], geo.OUTSIDE),
        ("mars-1", ["eu"], geo.UNKNOWN),  # unrecognised: never "outside"
        ("europe", ["eu"], geo.UNKNOWN),
        ("eu", ["de"], geo.UNKNOWN),  # somewhere in the EU: maybe Germany, maybe not
        ("eu-west", ["eu"], geo.UNKNOWN),  # Ireland, France or the United Kingdom
        ("de", ["mars"], geo.UNKNOWN),  # a requirement nobody can read
        ("de", [], geo.INSIDE),
        ("mars-1", ["any"], geo.INSIDE),
        ("aws:eu-west-1", ["aws:eu-west-1"], geo.INSIDE),
        ("ie", ["aws:eu-west-1"], geo.UNKNOWN),  # Ireland, but maybe not that region
        ("de", ["aws:eu-west-1"], geo.OUTSIDE),
    ],
)
def test_verdict_against_a_required_geography(location, required, verdict):
    assert geo.verdict(location, required) == verdict


def test_region_families_and_cloud_regions_nest():
    assert geo.within(geo.parse("aws:eu-west-1"), geo.parse("eu-west"))
    assert geo.within(geo.parse("aws:eu-west-1"), geo.parse("ie"))
    assert not geo.within(geo.parse("aws:us-west-2"), geo.parse("us-east"))
    assert not geo.within(geo.parse("ie"), geo.parse("aws:eu-west-1"))
    assert not geo.within(geo.parse("eu"), geo.parse("de"))


def test_names_and_lists():
    assert geo.name("aws:eu-west-1") == "AWS eu-west-1 (Ireland)"
    assert geo.name("de") == "Germany" and geo.name("eu") == "EU" and geo.name("mars-1") == "mars-1"
    assert geo.parse_list("eu-west-1, Germany; mars-1\nde, eu-west-1") == (["aws:eu-west-1", "de"], ["mars-1"])
    assert geo.normalise_list(" EU , US-East, somewhere ") == ("eu,us-east,somewhere", ["somewhere"])
    assert geo.normalise_country("IE") == ("ie", True) and geo.normalise_country("UK") == ("gb", True)
    assert geo.normalise_country("Atlantis") == ("Atlantis", False) and geo.normalise_country(" ") == ("", True)


def test_the_portfolio_counts_the_eu_as_one_row():
    blocs = {geo.bloc(geo.parse(t)) for t in ("eu", "de", "aws:eu-west-1", "westeurope")}
    assert blocs == {("eu", "EU")}
    assert geo.bloc(geo.parse("us-east")) == ("us", "United States")
    assert geo.bloc(None) == ("", geo.UNKNOWN_LOCATION)


def test_choices_list_groups_first_then_countries_then_each_provider():
    headings = [h for h, _ in geo.choices()]
    assert headings[:2] == ["Groups", "Countries"] and "AWS regions" in headings and "Nebius regions" in headings
    groups = dict(geo.choices()[0][1])
    assert list(groups) == ["eu", "eea", "eu-adequacy", "uk", "us", "any"]


# --- The residency facts of a chain ------------------------------------------------------

PROVIDERS = {"cloud": Provider("cloud", "Cloud"), "lab": Provider("lab", "Lab")}


def _chain(*regions):
    return [
        Link(SERVICE, "lab", "model_provider", share=100),
        *[Link("lab", "cloud", "inference_compute", regions=(r,)) for r in regions],
    ]


def test_links_in_germany_and_the_netherlands_are_not_outside_the_eu():
    facts = chain_facts(_chain("de", "nl", "aws:eu-west-1"), PROVIDERS, allowed_regions=("eu",))
    assert facts.regions_outside == () and facts.regions_unknown == () and not facts.risky_links
    assert facts.as_scoring_facts()["regions_outside"] == 0


def test_an_unknown_location_is_reported_as_unknown_never_as_outside():
    facts = chain_facts(_chain("de", "mars-1", "us-east-1"), PROVIDERS, allowed_regions=("eu",))
    assert facts.regions_outside == ("us-east-1",)
    assert facts.regions_unknown == ("mars-1",)
    assert facts.as_scoring_facts()["regions_outside"] == 1
    links = _chain("de", "mars-1", "us-east-1")
    assert facts.risky_links == frozenset({3}) and links[3].regions == ("us-east-1",)


def test_without_a_requirement_only_unrecognised_text_is_unknown():
    facts = chain_facts(_chain("de", "mars-1"), PROVIDERS)
    assert facts.regions_outside == () and facts.regions_unknown == ("mars-1",)
