"""Plain-text rendering of a ScoreResult, for commands and logs."""

from __future__ import annotations

from procurement.scoring import types as t

DECISION_LABELS = {
    "approve": "Approve",
    "approve_with_conditions": "Approve with conditions",
    "executive_acceptance": "Executive risk acceptance required",
    "reject": "Reject",
}


def _risk(value: float | None) -> str:
    return "—" if value is None else f"{value:5.1f}"


def result_text(result: t.ScoreResult) -> str:
    lines = [
        f"Decision:        {DECISION_LABELS[result.decision]}"
        + ("  (INCOMPLETE: provisional)" if result.incomplete else ""),
        f"Residual rating: {result.residual or '—'}",
        f"Inherent tier:   {result.tier}   ({'; '.join(result.tier_reasons)})",
        f"Overall risk:    {_risk(result.overall_risk).strip()} / 100  -> control band {result.control_band or '—'}",
        "Why:             " + "; ".join(result.decision_reasons),
        "",
        "Section                                  risk  band      counted  unanswered",
    ]
    for s in result.sections:
        if s.risk is None:
            continue
        lines.append(
            f"  {s.code:<4} {s.title[:32]:<32} {_risk(s.risk)}  {s.band:<9} {s.counted:>7}  {s.unanswered:>10}"
        )
        if s.floor_applied:
            lines.append(f"         floor: {s.floor_reason}")
    for heading, hits in (("Knockouts", result.knockouts), ("Flags", result.flags)):
        lines += ["", f"{heading}:" + ("" if hits else " none")]
        for hit in hits:
            waived = f"  [WAIVED by {hit.waived_by or 'reviewer'}: {hit.waiver_reason}]" if hit.waived else ""
            lines.append(f"  - {hit.name}: {hit.title}{waived}")
            lines += [f"      {reason}" for reason in hit.reasons]
    if result.pending_rules:
        lines += ["", "Rules waiting for answers:"]
        lines += [f"  - {p.name}: needs {', '.join(p.missing)}" for p in result.pending_rules]
    if result.overrides:
        lines += ["", "Reviewer overrides:"]
        lines += [
            f"  - {q.code}: {q.original_points} -> {q.points} ({q.override_by or 'reviewer'}: {q.override_reason})"
            for q in result.overrides
        ]
    if result.unanswered:
        lines += ["", f"Unanswered ({len(result.unanswered)}, counted at worst): {', '.join(result.unanswered)}"]
    return "\n".join(lines) + "\n"
