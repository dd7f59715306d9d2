"""Hand-written SVG chart geometry (pure Python). The template draws it; the
same chart appears on the web page and in the PDF."""

from __future__ import annotations

BAND_COLOURS = {"low": "#2e7d32", "moderate": "#f9a825", "high": "#ef6c00", "critical": "#b71c1c", None: "#9e9e9e"}


def _short(text: str, limit: int) -> str:
    if len(text) <= limit:
        return text
    cut = text[: limit - 1].rsplit(" ", 1)[0].rstrip(",;:")
    return cut + "…"


def section_bars(sections: list[dict], *, cutoffs: dict, width: int = 640, row: int = 26) -> dict:
    """Horizontal bars, one per scored section, 0-100 with band cut-off lines."""
    label_w, pad = 280, 8
    plot_w = width - label_w - 60
    rows = [s for s in sections if s.get("risk") is not None]
    height = pad * 2 + row * len(rows) + 22
    bars = []
    for i, s in enumerate(rows):
        y = pad + i * row
        bars.append(
            {
                "label": _short(f"{s['code']} {s['title']}", 46),
                "y": y,
                "text_y": y + row / 2 + 4,
                "w": round(plot_w * s["risk"] / 100, 1),
                "value": f"{s['risk']:.0f}",
                "value_x": label_w + round(plot_w * s["risk"] / 100, 1) + 4,
                "colour": BAND_COLOURS.get(s.get("band")),
                "band": s.get("band") or "",
            }
        )
    axis_y = pad + row * len(rows)
    lines = [
        {"x": label_w + round(plot_w * cutoffs[name] / 100, 1), "name": name, "value": cutoffs[name]}
        for name in ("moderate", "high", "critical")
    ]
    return {
        "width": width,
        "height": height,
        "label_w": label_w,
        "plot_w": plot_w,
        "bar_h": row - 8,
        "bars": bars,
        "axis_y": axis_y,
        "axis_text_y": axis_y + 14,
        "cutoffs": lines,
    }


def hbars(
    rows: list[dict],
    *,
    title: str,
    width: int = 640,
    row: int = 24,
    label_w: int = 200,
    maximum: float | None = None,
    colour: str = "#1565c0",
) -> dict:
    """Labelled horizontal bars (``rows``: label, value, text shown after the bar, optional
    colour), scaled to ``maximum`` or the largest value. ``title`` is the chart's text
    alternative, with every bar's label and text appended. Long labels are shortened at a word."""
    pad = 6
    plot_w = width - label_w - 110
    top = maximum or max((r["value"] for r in rows), default=0) or 1
    bars = []
    for i, r in enumerate(rows):
        y = pad + i * row
        w = round(plot_w * max(r["value"], 0) / top, 1)
        bars.append(
            {
                "label": _short(r["label"], label_w // 6),
                "y": y + 3,
                "text_y": y + row / 2 + 4,
                "w": w,
                "text": r["text"],
                "text_x": label_w + w + 4,
                "colour": r.get("colour") or colour,
            }
        )
    alt = "; ".join(f"{r['label']}: {r['text']}" for r in rows)
    return {
        "width": width,
        "height": pad * 2 + row * len(rows),
        "label_w": label_w,
        "plot_w": plot_w,
        "bar_h": row - 6,
        "bars": bars,
        "title": f"{title}. {alt}." if alt else f"{title}.",
    }
