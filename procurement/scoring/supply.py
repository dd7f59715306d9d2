"""Facts derived from an AI service's compute supply chain. Plain Python only.

A chain is a set of links. Each link says that a *source* (the service itself,
or an upstream provider for deeper tiers) gets part of one role from a
*provider*: its model, inference compute, training compute, storage or
network. Only the serving path counts for availability: the model provider
and inference compute links, followed through every tier.

Definitions (docs/supply-chain.md gives worked examples):

- **exposure** of a provider: the share (%) of the service's serving traffic
  that passes through it. It multiplies along a path (a lab at 100% whose
  inference runs 40% on a leased site puts 40% on the site's owner) and adds
  over paths. A link without a stated share splits its source's capacity
  evenly with its siblings of the same role.
- **upstream notice**: the shortest termination or reclaim notice on any
  material serving link (exposure ≥ ``material_share``).
- **effective notice**: the shorter of the vendor's own notice and the
  upstream notice: the warning the buyer can count on at best.
- **notice gap**: days to migrate minus effective notice (positive is a gap).
- **largest provider share**: the highest exposure among inference-compute
  providers, grouped by owner (two sites of one owner are one provider).
- **competitor or leased share**: the exposure carried by links where the
  provider competes with whoever it supplies, or capacity is leased.
- **unknown link share**: the exposure carried by serving links whose competitor
  status or arrangement is not recorded ("unknown"): the upstream-notice rule counts
  it as leased or competitor capacity, marked "unknown".
- **single points of failure**: providers carrying all serving traffic with
  no alternative channel on any link into them.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field

from procurement.scoring import geo

SERVICE = "service"
ROLES = ("model_provider", "inference_compute", "training_compute", "storage", "network")
SERVING_ROLES = ("model_provider", "inference_compute")
ARRANGEMENTS = ("owned", "reserved", "on_demand", "lease", "unknown")
UNKNOWN_ARRANGEMENT = "unknown"
MATERIAL_SHARE = 10.0
FULL = 99.999


class ChainCycle(ValueError):
    """The links loop back on themselves, so exposure and notice are undefined."""

    def __init__(self, path: list[str]):
        self.path = path
        super().__init__("The supply chain loops: " + " → ".join(path))


@dataclass(frozen=True)
class Provider:
    id: str
    name: str
    kind: str = "other"
    owner: str = ""  # parent company; providers with one owner are one provider for concentration
    country: str = ""

    @property
    def group(self) -> str:
        return self.owner or self.name


@dataclass(frozen=True)
class Link:
    source: str  # SERVICE or a provider id
    provider: str
    role: str
    share: float | None = None  # % of the source's capacity for this role
    arrangement: str = "on_demand"
    notice_days: float | None = None
    pass_through: bool = False  # the vendor commits to pass the provider's notice on
    alternative: bool = False  # another channel can replace this provider
    # The provider competes with whoever it supplies; None: not recorded (unknown).
    competitor: bool | None = False
    regions: tuple[str, ...] = ()

    @property
    def serving(self) -> bool:
        return self.role in SERVING_ROLES


@dataclass(frozen=True)
class ChainFacts:
    exposure: dict[str, float]
    upstream_notice_days: float | None
    upstream_notice_via: str  # the provider whose notice is shortest
    effective_notice_days: float | None
    notice_gap_days: float | None
    largest_provider: str
    largest_provider_share: float | None
    independent_compute_providers: int
    competitor_or_leased_share: float
    regions: tuple[str, ...]
    regions_outside: tuple[str, ...]
    single_points_of_failure: tuple[str, ...]
    no_pass_through: tuple[str, ...]  # material providers whose notice the vendor does not pass on
    risky_links: frozenset[int] = field(default_factory=frozenset)  # indexes into the links
    # Serving regions that cannot be placed against the required geography: not recognised
    # (or, without a requirement, simply not recognised). Never counted as outside.
    regions_unknown: tuple[str, ...] = ()
    unknown_link_share: float = 0.0

    def as_scoring_facts(self) -> dict[str, float]:
        """The numbers the bank's rules may compare (``{fact: NAME, lt: N}``)."""
        facts = {
            "competitor_or_leased_share": self.competitor_or_leased_share,
            "independent_compute_providers": float(self.independent_compute_providers),
            "regions_outside": float(len(self.regions_outside)),
            "single_points_of_failure": float(len(self.single_points_of_failure)),
        }
        if self.unknown_link_share > 0:  # only when some link is unknown: older facts stay as they were
            facts["unknown_link_share"] = self.unknown_link_share
        for name in ("upstream_notice_days", "effective_notice_days", "notice_gap_days", "largest_provider_share"):
            value = getattr(self, name)
            if value is not None:
                facts[name] = float(value)
        return facts


def check_acyclic(links: list[Link]) -> list[str]:
    """The sources and providers in dependency order (the service first); ChainCycle if they loop."""
    graph: dict[str, list[str]] = defaultdict(list)
    for link in links:
        if link.source == link.provider:
            raise ChainCycle([link.source, link.provider])
        graph[link.source].append(link.provider)
    order: list[str] = []
    state: dict[str, int] = {}  # 1 = on the stack, 2 = done

    def visit(node: str, stack: list[str]) -> None:
        if state.get(node) == 2:
            return
        if state.get(node) == 1:
            raise ChainCycle(stack[stack.index(node) :])  # the stack already ends with node
        state[node] = 1
        for nxt in graph.get(node, []):
            visit(nxt, [*stack, nxt])
        state[node] = 2
        order.append(node)

    for node in [SERVICE, *sorted(graph)]:
        visit(node, [node])
    return list(reversed(order))


def _shares(links: list[Link]) -> list[float]:
    """Each link's share, with unstated shares splitting what their siblings leave."""
    stated: dict[tuple[str, str], float] = defaultdict(float)
    unstated: dict[tuple[str, str], int] = defaultdict(int)
    for link in links:
        key = (link.source, link.role)
        if link.share is None:
            unstated[key] += 1
        else:
            stated[key] += link.share
    result = []
    for link in links:
        key = (link.source, link.role)
        if link.share is not None:
            result.append(link.share)
        else:
            result.append(max(0.0, 100.0 - stated[key]) / unstated[key])
    return result


def exposures(links: list[Link]) -> tuple[dict[str, float], list[float]]:
    """Per provider, the % of serving traffic through it; and per link, the % it carries."""
    order = check_acyclic(links)
    shares = _shares(links)
    exposure: dict[str, float] = defaultdict(float)
    exposure[SERVICE] = 100.0
    carried = [0.0] * len(links)
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, link in enumerate(links):
        by_source[link.source].append(i)
    for node in order:
        for i in by_source.get(node, []):
            link = links[i]
            if not link.serving:
                continue
            carried[i] = exposure[node] * shares[i] / 100.0
            exposure[link.provider] += carried[i]
    exposure.pop(SERVICE, None)
    return dict(exposure), carried


def _compute_reach(links: list[Link], providers: dict[str, Provider]) -> dict[str, float]:
    """Per compute owner, the % of serving traffic that runs on its compute somewhere on the path.

    Traffic is counted once per owner: when the vendor's compute provider itself runs on
    capacity of the same owner (a region renting from its parent, say), that share is not
    added twice, so no owner ever exceeds 100 %.
    """
    order = check_acyclic(links)
    shares = _shares(links)
    by_source: dict[str, list[int]] = defaultdict(list)
    for i, link in enumerate(links):
        by_source[link.source].append(i)
    owners = {providers[link.provider].group for link in links if link.role == "inference_compute"}
    reach: dict[str, float] = {}
    for owner in owners:
        flow: dict[str, float] = defaultdict(float)
        flow[SERVICE] = 100.0
        reached = 0.0
        for node in order:
            for i in by_source.get(node, []):
                link = links[i]
                if not link.serving:
                    continue
                amount = flow[node] * shares[i] / 100.0
                if link.role == "inference_compute" and providers[link.provider].group == owner:
                    reached += amount  # on this owner's compute: counted, not followed further
                else:
                    flow[link.provider] += amount
        reach[owner] = reached
    return reach


def region_inside(region: str, allowed: tuple[str, ...]) -> bool:
    """``de`` and ``eu-west-1`` (Ireland) are inside ``eu``; ``us-east`` is not (procurement.scoring.geo)."""
    return geo.verdict(region, allowed) == geo.INSIDE


def region_outside(region: str, allowed: tuple[str, ...]) -> bool:
    """Known to be outside: an unrecognised location, or one that may be on either side, is not."""
    return bool(allowed) and geo.verdict(region, allowed) == geo.OUTSIDE


def chain_facts(
    links: list[Link],
    providers: dict[str, Provider],
    *,
    vendor_notice_days: float | None = None,
    migrate_days: float | None = None,
    allowed_regions: tuple[str, ...] = (),
    material_share: float = MATERIAL_SHARE,
) -> ChainFacts:
    exposure, carried = exposures(links)
    material = [i for i, link in enumerate(links) if link.serving and carried[i] >= material_share]

    notices = [(links[i].notice_days, links[i].provider) for i in material if links[i].notice_days is not None]
    upstream, via = min(notices, key=lambda n: n[0]) if notices else (None, "")
    known = [n for n in (vendor_notice_days, upstream) if n is not None]
    effective = min(known) if known else None
    gap = migrate_days - effective if migrate_days is not None and effective is not None else None

    compute_groups = _compute_reach(links, providers)
    largest_group, largest = max(compute_groups.items(), key=lambda kv: kv[1]) if compute_groups else ("", None)

    risky_share = sum(
        carried[i] for i, link in enumerate(links) if link.serving and (link.competitor or link.arrangement == "lease")
    )
    unknown_share = sum(
        carried[i]
        for i, link in enumerate(links)
        if link.serving and (link.competitor is None or link.arrangement == UNKNOWN_ARRANGEMENT)
    )
    regions = sorted({r for i, link in enumerate(links) if link.serving and carried[i] > 0 for r in link.regions})
    outside = tuple(r for r in regions if region_outside(r, allowed_regions))
    if allowed_regions:
        unknown = tuple(r for r in regions if geo.verdict(r, allowed_regions) == geo.UNKNOWN)
    else:
        unknown = tuple(r for r in regions if geo.parse(r) is None)

    alternatives: dict[str, bool] = defaultdict(bool)
    for link in links:
        if link.serving:
            alternatives[link.provider] |= link.alternative
    spof = tuple(sorted(p for p, share in exposure.items() if share >= FULL and not alternatives[p]))
    no_pass = tuple(sorted({links[i].provider for i in material if not links[i].pass_through}))
    risky = frozenset(
        i
        for i, link in enumerate(links)
        if link.serving
        and (
            link.competitor is not False
            or link.arrangement in ("lease", UNKNOWN_ARRANGEMENT)
            or (link.notice_days is not None and migrate_days is not None and link.notice_days < migrate_days)
            or any(region_outside(r, allowed_regions) for r in link.regions)
        )
    )
    return ChainFacts(
        exposure=exposure,
        upstream_notice_days=upstream,
        upstream_notice_via=via,
        effective_notice_days=effective,
        notice_gap_days=gap,
        largest_provider=largest_group,
        largest_provider_share=largest,
        independent_compute_providers=len([g for g, share in compute_groups.items() if share > 0]),
        competitor_or_leased_share=risky_share,
        regions=tuple(regions),
        regions_outside=outside,
        single_points_of_failure=spof,
        no_pass_through=no_pass,
        risky_links=risky,
        regions_unknown=unknown,
        unknown_link_share=unknown_share,
    )


# --- Across the portfolio ----------------------------------------------------------------


@dataclass(frozen=True)
class ServiceChain:
    """One service's chain with what the portfolio and scenarios need."""

    key: str
    name: str
    links: tuple[Link, ...]
    annual_spend: float = 0.0
    vendor_notice_days: float | None = None
    migrate_days: float | None = None


def concentration(
    services: list[ServiceChain], providers: dict[str, Provider], *, role: str = "inference_compute"
) -> tuple[dict[str, float], float]:
    """Spend-weighted share (%) of one dependency layer (``role``: inference compute by default,
    or the model provider) per provider owner, and its HHI (0-10,000). Three services reselling
    one lab's model are one model-provider dependency, not three.

    s_g = 100 * sum(spend * exposure_g) / sum(spend), over services with a chain and
    a spend; HHI = sum(s_g ** 2). Read it as the US merger guidelines do: below 1,500 is
    unconcentrated, 1,500-2,500 moderately and above 2,500 highly concentrated.
    """
    total = sum(s.annual_spend for s in services if s.links and s.annual_spend > 0)
    if total <= 0:
        return {}, 0.0
    shares: dict[str, float] = defaultdict(float)
    for s in services:
        if not s.links or s.annual_spend <= 0:
            continue
        _, carried = exposures(list(s.links))
        for i, link in enumerate(s.links):
            if link.role == role:
                shares[providers[link.provider].group] += s.annual_spend * carried[i] / total
    return dict(shares), sum(v * v for v in shares.values())


def _region_hit(location: str, chosen: str) -> bool:
    """A site is hit when it lies within the chosen place (``de`` and ``aws:eu-west-1`` within ``eu``);
    unrecognised text is hit only by the same text."""
    place, target = geo.parse(location), geo.parse(chosen)
    if place is None or target is None:
        return location.strip().lower() == chosen.strip().lower()
    return geo.within(place, target)


def shared_providers(
    services: list[ServiceChain], providers: dict[str, Provider], *, role: str
) -> dict[str, list[str]]:
    """Provider owners that carry ``role`` for two or more services, with those services' names."""
    users: dict[str, list[str]] = defaultdict(list)
    for s in services:
        groups = {providers[link.provider].group for link in s.links if link.role == role}
        for group in groups:
            users[group].append(s.name)
    return {group: sorted(names) for group, names in sorted(users.items()) if len(names) > 1}


@dataclass(frozen=True)
class ScenarioRow:
    key: str
    name: str
    exposure: float  # % of the service's serving traffic affected
    warning_days: float | None  # notice that reaches the buyer; None when the vendor does not pass it on
    migrate_days: float | None
    gap_days: float | None  # migrate_days - warning (positive is a gap); None when unknown
    alternative: bool
    spend_at_risk: float
    via: tuple[str, ...]  # the links that lead to the provider or region


def scenario(
    services: list[ServiceChain],
    providers: dict[str, Provider],
    *,
    notice_days: float,
    provider: str = "",
    region: str = "",
) -> list[ScenarioRow]:
    """Which services lose capacity when ``provider`` (or every site in ``region``) goes on ``notice_days``.

    The warning that reaches the buyer is the scenario's notice if the vendor commits to
    pass on every affected provider's notice, and None otherwise: then the vendor may
    tell the buyer late or not at all, and the gap is the whole time to migrate.
    """
    rows = []
    for s in services:
        links = list(s.links)
        if not links:
            continue
        _, carried = exposures(links)
        hit = [
            i
            for i, link in enumerate(links)
            if link.serving
            and carried[i] > 0
            and (
                (provider and (link.provider == provider or providers[link.provider].group == provider))
                or (region and any(_region_hit(r, region) for r in link.regions))
            )
        ]
        if not hit:
            continue
        share = min(100.0, sum(carried[i] for i in hit))
        warning = notice_days if all(links[i].pass_through for i in hit) else None
        gap = None
        if s.migrate_days is not None:
            gap = s.migrate_days - (warning if warning is not None else 0.0)
        alternative = any(links[i].alternative for i in hit)
        rows.append(
            ScenarioRow(
                key=s.key,
                name=s.name,
                exposure=round(share, 1),
                warning_days=warning,
                migrate_days=s.migrate_days,
                gap_days=gap,
                alternative=alternative,
                spend_at_risk=round(s.annual_spend * share / 100.0, 2),
                via=tuple(
                    f"{providers[links[i].source].name if links[i].source != SERVICE else s.name} → "
                    f"{providers[links[i].provider].name}"
                    for i in hit
                ),
            )
        )
    return sorted(rows, key=lambda r: (-(r.gap_days if r.gap_days is not None else -1e9), -r.spend_at_risk))
