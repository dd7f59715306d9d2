"""How an answer reads to a person: one function for the review screen and the report."""

from __future__ import annotations

from procurement.scoring.provider_table import describe


def answer_label(q: dict, stored: dict | None) -> tuple[str, str]:
    """(kind, text) for a stored answer {value, na, na_reason}; kind is answered, na or empty."""
    if not stored or (stored.get("value") in (None, "", []) and not stored.get("na")):
        return "empty", "Not answered"
    if stored.get("na"):
        return "na", f"N/A — {stored.get('na_reason', '')}"
    value = stored["value"]
    if q["type"] == "provider_table" and isinstance(value, list):
        return "answered", describe(value)
    labels = {c["value"]: c["label"] for c in q["choices"]}
    if isinstance(value, list):
        return "answered", "; ".join(labels.get(v, str(v)) for v in value)
    if q["type"] in ("single_choice", "yes_no"):
        return "answered", labels.get(value, str(value))
    if q["type"] == "number" and q["unit"]:
        return "answered", f"{value} {q['unit']}"
    return "answered", str(value)
