"""Derived supply-chain facts on hand-built chains (procurement.scoring.supply)."""

import pytest

from procurement.scoring.supply import (
    SERVICE,
    ChainCycle,
    Link,
    Provider,
    ServiceChain,
    chain_facts,
    check_acyclic,
    concentration,
    exposures,
    region_inside,
    scenario,
)

PROVIDERS = {
    p.id: p
    for p in [
        Provider("lab", "Frontier Lab", "model_lab"),
        Provider("cloud", "Hyperscale Cloud", "hyperscaler", owner="Hyperscale Inc"),
        Provider("cloud-eu", "Hyperscale Cloud EU", "hyperscaler", owner="Hyperscale Inc"),
        Provider("rival", "Rival DC", "colocation", owner="Rival AI"),
        Provider("neo", "Neo GPU", "gpu_cloud"),
        Provider("colo", "ColoCorp", "colocation"),
    ]
}


def leased_lab_chain():
    """The seed story: a lab's API, 60% on a hyperscaler, 40% in a competitor's leased data centre."""
    return [
        Link(SERVICE, "lab", "model_provider", share=100, notice_days=365, pass_through=True, regions=("eu",)),
        Link(
            "lab",
            "cloud",
            "inference_compute",
            share=60,
            arrangement="reserved",
            notice_days=730,
            pass_through=True,
            regions=("eu-west-1",),
        ),
        Link(
            "lab",
            "rival",
            "inference_compute",
            share=40,
            arrangement="lease",
            notice_days=90,
            competitor=True,
            regions=("us-east",),
        ),
    ]


def test_exposure_multiplies_along_tiers_and_adds_over_paths():
    exposure, carried = exposures(leased_lab_chain())
    assert exposure == {"lab": 100.0, "cloud": 60.0, "rival": 40.0}
    assert carried == [100.0, 60.0, 40.0]


def test_unstated_shares_split_what_the_stated_siblings_leave():
    links = [
        Link(SERVICE, "cloud", "inference_compute", share=50),
        Link(SERVICE, "neo", "inference_compute"),
        Link(SERVICE, "colo", "inference_compute"),
    ]
    assert exposures(links)[0] == {"cloud": 50.0, "neo": 25.0, "colo": 25.0}


def test_non_serving_links_carry_no_serving_traffic():
    links = [Link(SERVICE, "cloud", "inference_compute", share=100), Link(SERVICE, "colo", "storage", share=100)]
    exposure, _ = exposures(links)
    assert exposure.get("colo", 0) == 0


def test_three_tier_chain():
    links = [
        Link(SERVICE, "lab", "model_provider", share=100, notice_days=365),
        Link("lab", "neo", "inference_compute", share=50, notice_days=180),
        Link("lab", "cloud", "inference_compute", share=50, notice_days=730),
        Link("neo", "colo", "inference_compute", share=100, arrangement="lease", notice_days=60),
    ]
    facts = chain_facts(links, PROVIDERS, vendor_notice_days=180, migrate_days=120)
    assert facts.exposure["colo"] == 50.0
    assert facts.upstream_notice_days == 60 and facts.upstream_notice_via == "colo"
    assert facts.effective_notice_days == 60
    assert facts.notice_gap_days == 60
    assert facts.competitor_or_leased_share == 50.0
    # neo and colo both carry the same half: concentration counts each owner's compute.
    assert facts.largest_provider_share == 50.0
    assert facts.independent_compute_providers == 3
    assert facts.single_points_of_failure == ("lab",)


def test_facts_of_the_leased_lab():
    facts = chain_facts(
        leased_lab_chain(), PROVIDERS, vendor_notice_days=180, migrate_days=180, allowed_regions=("eu",)
    )
    assert facts.upstream_notice_days == 90 and facts.upstream_notice_via == "rival"
    assert facts.effective_notice_days == 90 and facts.notice_gap_days == 90
    assert facts.largest_provider == "Hyperscale Inc" and facts.largest_provider_share == 60.0
    assert facts.competitor_or_leased_share == 40.0
    assert facts.regions_outside == ("us-east",)
    assert facts.single_points_of_failure == ("lab",)
    assert facts.no_pass_through == ("rival",)
    assert facts.risky_links == frozenset({2})
    assert facts.as_scoring_facts()["notice_gap_days"] == 90.0


def test_immaterial_links_do_not_set_the_notice():
    links = [
        Link(SERVICE, "cloud", "inference_compute", share=95, notice_days=730),
        Link(SERVICE, "neo", "inference_compute", share=5, notice_days=7),
    ]
    facts = chain_facts(links, PROVIDERS)
    assert facts.upstream_notice_days == 730


def test_one_owner_with_two_sites_is_one_provider_for_concentration():
    links = [
        Link(SERVICE, "cloud", "inference_compute", share=50),
        Link(SERVICE, "cloud-eu", "inference_compute", share=50),
    ]
    facts = chain_facts(links, PROVIDERS)
    assert facts.largest_provider_share == 100.0 and facts.independent_compute_providers == 1


def test_an_owner_reached_directly_and_again_upstream_is_counted_once_never_over_100():
    """The vendor runs on a cloud region that itself rents half its capacity from its parent
    company: the parent's compute carries all the traffic once, not 150 %."""
    providers = {
        **PROVIDERS,
        "region": Provider("region", "Hyperscale us-east", "hyperscaler", owner="Hyperscale Inc"),
        "parent": Provider("parent", "Hyperscale central", "hyperscaler", owner="Hyperscale Inc"),
    }
    links = [
        Link(SERVICE, "region", "inference_compute", share=100),
        Link("region", "parent", "inference_compute", share=50),
        Link("region", "neo", "inference_compute", share=50),
    ]
    facts = chain_facts(links, providers)
    assert facts.largest_provider == "Hyperscale Inc" and facts.largest_provider_share == 100.0
    assert facts.independent_compute_providers == 2  # Hyperscale and neo, which runs half of it


def test_an_alternative_channel_removes_a_single_point_of_failure():
    links = [Link(SERVICE, "cloud", "inference_compute", share=100, alternative=True)]
    assert chain_facts(links, PROVIDERS).single_points_of_failure == ()
    links = [Link(SERVICE, "cloud", "inference_compute", share=100)]
    assert chain_facts(links, PROVIDERS).single_points_of_failure == ("cloud",)


def test_an_empty_chain_has_no_facts_to_offer():
    facts = chain_facts([], PROVIDERS, vendor_notice_days=90, migrate_days=30)
    assert facts.upstream_notice_days is None and facts.effective_notice_days == 90
    assert facts.notice_gap_days == -60 and facts.largest_provider_share is None
    assert "largest_provider_share" not in facts.as_scoring_facts()


@pytest.mark.parametrize(
    "links",
    [
        [
            Link(SERVICE, "lab", "model_provider"),
            Link("lab", "neo", "inference_compute"),
            Link("neo", "lab", "inference_compute"),
        ],
        [Link(SERVICE, "lab", "model_provider"), Link("lab", "lab", "inference_compute")],
        [Link("neo", "colo", "inference_compute"), Link("colo", "neo", "inference_compute")],
    ],
)
def test_cycles_are_refused_and_named(links):
    with pytest.raises(ChainCycle) as exc:
        check_acyclic(links)
    path = exc.value.path
    assert "→" in str(exc.value) and path[0] == path[-1] and len(set(path)) == len(path) - 1
    with pytest.raises(ChainCycle):
        chain_facts(links, PROVIDERS)


@pytest.mark.parametrize(
    ("region", "allowed", "inside"),
    [("eu-west-1", ("eu",), True), ("EU", ("eu",), True), ("europe", ("eu",), False), ("us-east", ("eu", "uk"), False)],
)
def test_region_inside(region, allowed, inside):
    assert region_inside(region, allowed) is inside


# --- Portfolio ------------------------------------------------------------------------


def _portfolio():
    return [
        ServiceChain("a", "Frontier API", tuple(leased_lab_chain()), annual_spend=2_000_000, migrate_days=180),
        ServiceChain(
            "b",
            "Helpdesk copilot",
            (
                Link(SERVICE, "lab", "model_provider", share=100, notice_days=365, pass_through=True),
                *leased_lab_chain()[1:],
            ),
            annual_spend=500_000,
            migrate_days=60,
        ),
        ServiceChain(
            "c",
            "Managed model",
            (Link(SERVICE, "cloud-eu", "inference_compute", share=100, notice_days=365, pass_through=True),),
            annual_spend=500_000,
            migrate_days=30,
        ),
        ServiceChain("d", "No chain yet", (), annual_spend=1_000_000),
    ]


def test_concentration_index_is_the_sum_of_squared_spend_shares():
    shares, hhi = concentration(_portfolio(), PROVIDERS)
    # Of 3M with a chain: Hyperscale 0.6*2.5M + 0.5M = 2M (66.7%), Rival 0.4*2.5M = 1M (33.3%).
    assert shares == pytest.approx({"Hyperscale Inc": 200 / 3, "Rival AI": 100 / 3})
    assert hhi == pytest.approx((200 / 3) ** 2 + (100 / 3) ** 2)
    assert concentration([ServiceChain("x", "x", ())], PROVIDERS) == ({}, 0.0)


def test_one_provider_for_everything_is_an_index_of_10000():
    services = [
        ServiceChain(str(i), str(i), (Link(SERVICE, "cloud", "inference_compute"),), annual_spend=10) for i in range(3)
    ]
    assert concentration(services, PROVIDERS)[1] == pytest.approx(10_000)


def test_the_leased_capacity_reclaimed_on_90_days_notice():
    rows = scenario(_portfolio(), PROVIDERS, provider="rival", notice_days=90)
    assert [r.name for r in rows] == ["Frontier API", "Helpdesk copilot"]
    first = rows[0]
    # No pass-through commitment on the lease: the buyer may hear nothing, so the gap is all 180 days.
    assert first.exposure == 40.0 and first.warning_days is None and first.gap_days == 180
    assert first.spend_at_risk == 800_000 and not first.alternative
    assert first.via == ("Frontier Lab → Rival DC",)


def test_a_passed_through_notice_reaches_the_buyer():
    rows = scenario(_portfolio(), PROVIDERS, provider="Hyperscale Inc", notice_days=90)
    by_name = {r.name: r for r in rows}
    assert by_name["Managed model"].warning_days == 90 and by_name["Managed model"].gap_days == -60
    assert by_name["Managed model"].exposure == 100.0
    assert by_name["Frontier API"].warning_days == 90 and by_name["Frontier API"].gap_days == 90


def test_a_region_scenario_finds_every_site_in_it():
    rows = scenario(_portfolio(), PROVIDERS, region="US-EAST", notice_days=30)
    assert {r.name for r in rows} == {"Frontier API", "Helpdesk copilot"}
    assert scenario(_portfolio(), PROVIDERS, region="ap-south", notice_days=30) == []


def test_three_services_reselling_one_labs_model_are_one_model_provider_dependency():
    """Concentration per layer: the compute is spread over three clouds, the model is one lab's."""
    from procurement.scoring.supply import SERVICE, Link, Provider, ServiceChain, concentration, shared_providers

    providers = {
        "lab": Provider("lab", "Frontier Lab"),
        **{f"c{i}": Provider(f"c{i}", f"Cloud {i}") for i in range(3)},
    }
    services = [
        ServiceChain(
            f"s{i}",
            f"Service {i}",
            (Link(SERVICE, "lab", "model_provider", share=100), Link(SERVICE, f"c{i}", "inference_compute", share=100)),
            annual_spend=100.0,
        )
        for i in range(3)
    ]
    _, compute_hhi = concentration(services, providers)
    model_shares, model_hhi = concentration(services, providers, role="model_provider")
    assert round(compute_hhi) == 3333 and model_hhi == 10000 and model_shares == {"Frontier Lab": 100.0}
    assert shared_providers(services, providers, role="model_provider") == {
        "Frontier Lab": ["Service 0", "Service 1", "Service 2"]
    }
    assert shared_providers(services, providers, role="inference_compute") == {}
