"""Layout for the supply-chain diagram: hand-written SVG drawn from a chain snapshot.

Works from the plain snapshot (vendors.supply.chain_snapshot), so a frozen record
draws the chain as it was when the decision was taken.
"""

from __future__ import annotations

from collections import defaultdict

from procurement.core.text import clipped
from procurement.scoring import geo

BOX_W, BOX_H = 200, 56
COL_W, ROW_H, PAD = 400, 84, 12
ROLE_SHORT = {
    "model_provider": "model",
    "inference_compute": "inference",
    "training_compute": "training",
    "storage": "storage",
    "network": "network",
}
KIND_LABEL = {
    "model_lab": "model lab",
    "hyperscaler": "hyperscaler",
    "gpu_cloud": "GPU cloud",
    "colocation": "colocation / leased DC",
    "other": "provider",
}


def chain_diagram(snapshot: dict, *, service_name: str, vendor_name: str = "") -> dict | None:
    """Boxes and arrows with coordinates, or None when no chain is recorded."""
    links = snapshot.get("links") or []
    if not links:
        return None
    providers = snapshot.get("providers", {})
    facts = snapshot.get("facts") or {}
    risky = set(facts.get("risky_links", []))
    spof = set(facts.get("single_points_of_failure", []))
    columns = _columns(_depths(links))
    pos = {}
    for col, column in columns.items():
        for row, node in enumerate(column):
            pos[node] = (PAD + col * COL_W, PAD + 24 + row * ROW_H)
    nodes = [
        _node(node, x, y, providers=providers, spof=spof, service_name=service_name, vendor_name=vendor_name)
        for node, (x, y) in pos.items()
    ]
    edges = [
        _edge(link, pos, risky=i in risky)
        for i, link in enumerate(links)
        if link["source"] in pos and link["provider"] in pos
    ]
    width = PAD * 2 + max(columns) * COL_W + BOX_W
    height = PAD * 2 + 20 + max(len(n) for n in columns.values()) * ROW_H
    return {"width": width, "height": height, "nodes": nodes, "edges": edges, "box_w": BOX_W, "box_h": BOX_H}


def _depths(links: list[dict]) -> dict[str, int]:
    """Depth of each node: the longest path from the service (the chain is acyclic)."""
    depth = {"service": 0}
    for _ in range(len(links)):
        changed = False
        for link in links:
            if link["source"] in depth and depth.get(link["provider"], -1) < depth[link["source"]] + 1:
                depth[link["provider"]] = depth[link["source"]] + 1
                changed = True
        if not changed:
            break
    return depth


def _columns(depth: dict[str, int]) -> dict[int, list[str]]:
    columns: dict[int, list[str]] = defaultdict(list)
    for node in depth:
        columns[depth[node]].append(node)
    return columns


def _node(node: str, x: int, y: int, *, providers: dict, spof: set[str], service_name: str, vendor_name: str) -> dict:
    if node == "service":
        title, sub, warn = service_name, vendor_name or "the service", False
    else:
        p = providers.get(node, {"name": node, "kind": "other", "owner": "", "country": ""})
        owner = f" · {p['owner']}" if p.get("owner") and p["owner"] != p["name"] else ""
        title = p["name"]
        sub = KIND_LABEL.get(p.get("kind", "other"), "provider") + owner
        warn = node in spof
    return {
        "x": x,
        "y": y,
        "title": clipped(title, 27),
        "sub": clipped(sub, 40),
        "note": "single point of failure" if warn else "",
        "note_y": y + 49,
        "warn": warn,
        "service": node == "service",
        "text_x": x + 8,
        "title_y": y + 19,
        "sub_y": y + 36,
    }


def _edge(link: dict, pos: dict[str, tuple[int, int]], *, risky: bool) -> dict:
    (sx, sy), (tx, ty) = pos[link["source"]], pos[link["provider"]]
    x1, y1, x2, y2 = sx + BOX_W, sy + BOX_H // 2, tx, ty + BOX_H // 2
    role = ROLE_SHORT.get(link["role"], link["role"])
    parts = [f"{role} {link['share']:g}%" if link.get("share") is not None else role]
    parts.append(f"{link['notice_days']:g} d notice" if link.get("notice_days") is not None else "notice unknown")
    if link.get("arrangement") in ("lease", "unknown"):
        parts.append("lease" if link["arrangement"] == "lease" else "arrangement not known")
    if link.get("competitor"):
        parts.append("competitor")
    elif "competitor" in link and link["competitor"] is None:
        parts.append("competitor not known")
    detail = ", ".join(geo.short_name(r) for r in link.get("regions", []))
    if link.get("alternative"):
        detail = (detail + " · alt. channel").strip(" ·")
    return {
        "x1": x1,
        "y1": y1,
        "x2": x2 - 6,
        "y2": y2,
        "label_x": (x1 + x2) // 2,
        "label_y": (y1 + y2) // 2 - 5,
        "detail_y": (y1 + y2) // 2 + 9,
        "label": " · ".join(parts),
        "detail": clipped(detail, 40),
        "risky": risky,
    }
