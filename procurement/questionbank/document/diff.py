"""What changed in a question between two bank versions, in words, and whether answers survive it.

Pure Python (no Django): two normalised documents in, one ``QuestionChange`` per question
out. A change is

* *editorial* when only the wording moved: question text, help text, framework refs, choice
  labels, the order of choices or questions, the section a question sits in. An answer
  given to the old wording still means the same thing, so it is carried over on upgrade;
* *substantive* when what an answer means or how it is scored moved: the answer type,
  choices added or removed, points, risk bands, weight, critical, scored, N/A allowed,
  audience, show-if, unit. The answer is asked again.

New limits (``min``/``max``) keep an answer that lies inside them and ask again for one
outside them; that is decided per answer on upgrade.

Rule parameters (cut-offs, tier weights, a named rule's thresholds) are not a change to any
question: an answer to "how many hours can we run without it?" means the same whatever the
threshold it is compared with. They are listed per version (``rule_changes``) and the
assessment is rescored under them; an editor who wants a question asked again because of a
rule change marks it substantive.

A bank editor may mark a question in a draft ``change: editorial`` or ``change:
substantive`` (the bank format's ``change`` key, the admin's "change since the previous
version" field). *Substantive* always wins (a rewording that changes the meaning asks
again). *Editorial* is honoured only where the old answer still fits the new question:
the same answer type and every old choice value still offered.
"""

from __future__ import annotations

import difflib
import itertools
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field

from procurement.questionbank.document.schema import CHANGE_KINDS, WEIGHT_NAMES

EDITORIAL, SUBSTANTIVE = CHANGE_KINDS
RENAMED_VALUE = "Choice value renamed"
LIMITS = "Limits"
# The changes a respondent reads: an answer kept across them is noted "wording changed since answered".
WORDING = frozenset(
    {"Question text", "Help text", "Framework references", "Choice reworded", "Choice order", "Place in the bank"}
)
KIND_LABELS = {EDITORIAL: "Editorial (answers kept)", SUBSTANTIVE: "Substantive (asked again)"}


@dataclass(frozen=True)
class Words:
    """A word-level diff: segments of (kind, text), kind one of "same", "del", "ins"."""

    segments: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class FieldChange:
    """One thing that changed in a question, in words (``what``: "Question text", "Points", ...)."""

    what: str
    old: str
    new: str
    substantive: bool
    words: Words | None = None


@dataclass(frozen=True)
class QuestionChange:
    code: str
    kind: str  # EDITORIAL or SUBSTANTIVE, after the editor's mark
    changes: tuple[FieldChange, ...]
    old_text: str
    new_text: str
    marked: str = ""  # the editor's mark on the new version, "" for none
    note: str = ""  # why a mark was not followed, in words

    @property
    def editorial(self) -> bool:
        return self.kind == EDITORIAL

    @property
    def reworded(self) -> bool:
        return any(c.what in WORDING for c in self.changes)

    @property
    def limits_changed(self) -> bool:
        return any(c.what == LIMITS for c in self.changes)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True)
class DocumentDiff:
    added: list[str]
    removed: list[str]
    changed: list[str]  # substantive: answers asked again
    editorial: list[str]  # wording only: answers kept
    same: list[str]  # nothing a respondent sees changed
    renamed: dict[str, dict[str, str]] = field(default_factory=dict)  # choice values renamed (answers mapped)
    details: dict[str, QuestionChange] = field(default_factory=dict)
    rule_changes: list[FieldChange] = field(default_factory=list)  # version-level rule parameters


# --- Words -----------------------------------------------------------------------

_TOKEN = re.compile(r"\s+|[^\s]+")


def word_diff(old: str, new: str) -> Words:
    """Words removed and inserted, whitespace kept with the words it follows."""
    a, b = _TOKEN.findall(old or ""), _TOKEN.findall(new or "")
    out: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes():
        if op == "equal":
            out.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            out.append(("del", "".join(a[i1:i2])))
        if j2 > j1:
            out.append(("ins", "".join(b[j1:j2])))
    return Words(tuple(out))


# --- Describing values -------------------------------------------------------------


def _bound(value) -> str:
    if value is None:
        return "any"
    return f"{value:g}" if isinstance(value, float) else str(value)


def describe_bands(bands: Iterable[dict], unit: str = "") -> str:
    parts = []
    for b in bands:
        lo, hi = b.get("from"), b.get("to")
        if lo is None and hi is None:
            span = "any value"
        elif lo is None:
            span = f"under {_bound(hi)}"
        elif hi is None:
            span = f"{_bound(lo)} or more"
        else:
            span = f"{_bound(lo)} to under {_bound(hi)}"
        parts.append(f"{span}{' ' + unit if unit else ''}: {_points(b.get('points'))}")
    return "; ".join(parts) or "none"


def describe_show_if(cond: dict | None, labels: dict[str, dict[str, str]] | None = None) -> str:
    if not cond:
        return "always shown"
    names = (labels or {}).get(cond["question"], {})
    values = ", ".join(names.get(v, v) for v in cond["in"])
    return f"shown when {cond['question']} is {values}"


def _points(p) -> str:
    return "no points" if p is None else f"{p} point{'s' if p != 1 else ''}"


def _limits(limits: dict, unit: str) -> str:
    if not limits:
        return "none"
    names = {"min": "at least", "soft_min": "warn under", "soft_max": "warn over", "max": "at most"}
    return ", ".join(f"{names.get(k, k)} {v}{' ' + unit if unit else ''}" for k, v in limits.items())


# --- Rule parameters ------------------------------------------------------------------------


def _rule_title(name: str, rule: dict) -> str:
    return str(rule.get("title") or name.replace("_", " "))


RuleWords = Callable[[dict, dict], str]  # (rule, document) -> the rule as a sentence


def rule_param_changes(
    old_params: dict,
    new_params: dict,
    *,
    describe: RuleWords | None = None,
    old_doc: dict | None = None,
    new_doc: dict | None = None,
) -> list[FieldChange]:
    """Version-level rule parameters that changed (cut-offs, tier weights, a rule's thresholds), in
    words; with ``describe``, a changed rule is shown as its sentence before and after, word by word."""
    out = []
    for key in sorted(set(old_params) | set(new_params)):
        if key == "rules":
            continue
        if old_params.get(key) != new_params.get(key):
            out.append(
                FieldChange(
                    key.replace("_", " ").capitalize(),
                    _flat(old_params.get(key)),
                    _flat(new_params.get(key)),
                    False,
                )
            )
    old_rules, new_rules = old_params.get("rules") or {}, new_params.get("rules") or {}
    for name in sorted(set(old_rules) | set(new_rules)):
        old_rule, new_rule = old_rules.get(name), new_rules.get(name)
        if old_rule == new_rule:
            continue
        title = f"Rule “{_rule_title(name, new_rule or old_rule)}”"
        if old_rule is None or new_rule is None:
            out.append(
                FieldChange(title, "none" if old_rule is None else "present", "added" if new_rule else "removed", False)
            )
            continue
        if describe is not None and old_doc is not None and new_doc is not None:
            before, after = describe(old_rule, old_doc), describe(new_rule, new_doc)
            if before != after:
                out.append(FieldChange(title, before, after, False, word_diff(before, after)))
                continue
        keys = sorted(k for k in set(old_rule) | set(new_rule) if old_rule.get(k) != new_rule.get(k))
        out.append(
            FieldChange(
                title,
                "; ".join(f"{k.replace('_', ' ')} {_flat(old_rule.get(k))}" for k in keys),
                "; ".join(f"{k.replace('_', ' ')} {_flat(new_rule.get(k))}" for k in keys),
                False,
            )
        )
    return out


def _flat(value) -> str:
    if value is None:
        return "none"
    if isinstance(value, dict):
        return ", ".join(f"{k} {_flat(v)}" for k, v in value.items())
    if isinstance(value, list):
        return "[" + ", ".join(_flat(v) for v in value) + "]"
    return str(value)


# --- One question --------------------------------------------------------------------


def _choice_changes(old: dict, new: dict, rename: dict[str, str]) -> list[FieldChange]:
    out: list[FieldChange] = []
    old_by = {rename.get(c["value"], c["value"]): c for c in old["choices"]}
    new_by = {c["value"]: c for c in new["choices"]}
    for value, c in old_by.items():
        if value not in new_by:
            out.append(FieldChange("Choice removed", c["label"], "", True))
    for value, c in new_by.items():
        if value not in old_by:
            out.append(FieldChange("Choice added", "", f"{c['label']} ({_points(c['points'])})", True))
    for value, c in new_by.items():
        before = old_by.get(value)
        if before is None:
            continue
        if before["label"] != c["label"]:
            out.append(
                FieldChange(
                    "Choice reworded", before["label"], c["label"], False, word_diff(before["label"], c["label"])
                )
            )
        if before["points"] != c["points"]:
            out.append(FieldChange(f"Points for “{c['label']}”", _points(before["points"]), _points(c["points"]), True))
    for old_value, new_value in rename.items():
        if new_value in new_by:
            out.append(FieldChange(RENAMED_VALUE, old_value, new_value, False))
    kept_old = [v for v in old_by if v in new_by]
    kept_new = [v for v in new_by if v in old_by]
    if kept_old != kept_new:
        out.append(
            FieldChange(
                "Choice order",
                ", ".join(old_by[v]["label"] for v in kept_old),
                ", ".join(new_by[v]["label"] for v in kept_new),
                False,
            )
        )
    return out


def _freshness_change(old: dict, new: dict) -> list[FieldChange]:
    """When a reassessment asks the question again (``fresh_for_months``): not what an answer means."""
    before, after = old.get("fresh_for_months"), new.get("fresh_for_months")
    if before == after:
        return []
    return [FieldChange("Answer stays fresh for (months)", str(before or "always"), str(after or "always"), False)]


def question_field_changes(
    old: dict,
    new: dict,
    *,
    rename: dict[str, str] | None = None,
    old_place: str = "",
    new_place: str = "",
) -> list[FieldChange]:
    """Every difference between two versions of one question (normalised documents), in words."""
    rename = rename or {}
    out: list[FieldChange] = []
    if old["text"] != new["text"]:
        out.append(FieldChange("Question text", old["text"], new["text"], False, word_diff(old["text"], new["text"])))
    if old["help"] != new["help"]:
        out.append(FieldChange("Help text", old["help"], new["help"], False, word_diff(old["help"], new["help"])))
    if old["refs"] != new["refs"]:
        out.append(
            FieldChange(
                "Framework references", ", ".join(old["refs"]) or "none", ", ".join(new["refs"]) or "none", False
            )
        )
    if old_place != new_place:
        out.append(FieldChange("Place in the bank", old_place, new_place, False))
    if old["type"] != new["type"]:
        out.append(FieldChange("Answer type", old["type"].replace("_", " "), new["type"].replace("_", " "), True))
    else:
        out.extend(_choice_changes(old, new, rename))
    out.extend(_freshness_change(old, new))
    if old["bands"] != new["bands"]:
        before, after = describe_bands(old["bands"], old["unit"]), describe_bands(new["bands"], new["unit"])
        out.append(FieldChange("Risk bands", before, after, True, word_diff(before, after)))
    if old["unit"] != new["unit"]:
        out.append(FieldChange("Unit", old["unit"] or "none", new["unit"] or "none", True))
    if (old.get("limits") or {}) != (new.get("limits") or {}):
        # Not substantive by itself: upgrading keeps an answer inside the new limits and asks
        # again for one outside them (assessments.services.upgrade).
        before, after = _limits(old.get("limits") or {}, old["unit"]), _limits(new.get("limits") or {}, new["unit"])
        out.append(FieldChange(LIMITS, before, after, False))
    if (old.get("score_by") or "") != (new.get("score_by") or ""):
        out.append(
            FieldChange(
                "Dates scored by", old.get("score_by") or "days until", new.get("score_by") or "days until", True
            )
        )
    if old["weight"] != new["weight"]:
        out.append(
            FieldChange(
                "Weight",
                WEIGHT_NAMES.get(old["weight"], str(old["weight"])),
                WEIGHT_NAMES.get(new["weight"], str(new["weight"])),
                True,
            )
        )
    for key, what in (("critical", "Critical"), ("scored", "Scored"), ("na", "N/A allowed")):
        if old[key] != new[key]:
            out.append(FieldChange(what, "yes" if old[key] else "no", "yes" if new[key] else "no", True))
    if old["audience"] != new["audience"]:
        out.append(FieldChange("Answered by", old["audience"], new["audience"], True))
    if old["show_if"] != new["show_if"]:
        out.append(FieldChange("Shown when", describe_show_if(old["show_if"]), describe_show_if(new["show_if"]), True))
    return out


def renames(old: dict, new: dict) -> dict[str, str]:
    """Old value -> new value, for the old question's values that a new choice was renamed from."""
    current = {c["value"] for c in old["choices"]}
    return {
        r: c["value"] for c in new["choices"] for r in c.get("renamed_from", ()) if r in current and r != c["value"]
    }


def answer_still_fits(old: dict, new: dict, rename: dict[str, str] | None = None) -> bool:
    """An answer to ``old`` is a valid answer to ``new``: same type, every old choice still offered."""
    rename = rename or {}
    if old["type"] != new["type"]:
        return False
    new_values = {c["value"] for c in new["choices"]}
    return all(rename.get(c["value"], c["value"]) in new_values for c in old["choices"])


@dataclass(frozen=True)
class _Step:
    kind: str  # "same", EDITORIAL, SUBSTANTIVE, "renamed"
    rename: dict[str, str]
    marked: str
    note: str


def _classify(old: dict, new: dict, old_place: str, new_place: str) -> _Step:
    rename = renames(old, new)
    changes = question_field_changes(old, new, rename=rename, old_place=old_place, new_place=new_place)
    marked = new.get("change") or ""
    if not changes:
        return _Step("same", {}, marked, "")
    auto = SUBSTANTIVE if any(c.substantive for c in changes) else EDITORIAL
    note = ""
    if marked == SUBSTANTIVE:
        return _Step(SUBSTANTIVE, {}, marked, "")
    if marked == EDITORIAL and auto == SUBSTANTIVE:
        if answer_still_fits(old, new, rename):
            auto = EDITORIAL
        else:
            note = (
                "Marked editorial, but earlier answers would not fit the new answer type or choices,"
                " so it is asked again."
            )
    if auto == EDITORIAL and rename:
        return _Step("renamed", rename, marked, note)
    return _Step(auto, rename, marked, note)


def _places(doc: dict) -> dict[str, str]:
    return {
        q["code"]: f"section {s['code']}, question {i + 1}"
        for s in doc["sections"]
        for i, q in enumerate(s["questions"])
    }


def _index(doc: dict) -> dict[str, dict]:
    return {q["code"]: q for s in doc["sections"] for q in s["questions"]}


def _compose(first: dict[str, str], then: dict[str, str]) -> dict[str, str]:
    """Renames in a row: original value -> its latest value."""
    return {old: then.get(new, new) for old, new in first.items()} | {
        old: new for old, new in then.items() if old not in first.values()
    }


def _walk(docs: list[dict], codes: list[str]):
    """Each question's kind of change over every step, its composed renames, marks and notes."""
    kind = {code: "same" for code in codes}
    mapping: dict[str, dict[str, str]] = {code: {} for code in codes}
    marked: dict[str, str] = {}
    notes: dict[str, str] = {}
    for before, after in itertools.pairwise(docs):
        b, a = _index(before), _index(after)
        bp, ap = _places(before), _places(after)
        for code in codes:
            if kind[code] == SUBSTANTIVE:
                continue
            if code not in b or code not in a:
                kind[code] = SUBSTANTIVE
                notes[code] = "The question was removed and added back in between."
                continue
            step = _classify(b[code], a[code], bp[code], ap[code])
            if step.marked:
                marked[code] = step.marked
            if step.note:
                notes[code] = step.note
            if step.kind == SUBSTANTIVE:
                kind[code] = SUBSTANTIVE
            elif step.kind == "renamed":
                mapping[code] = _compose(mapping[code], step.rename)
                kind[code] = "renamed"
            elif step.kind == EDITORIAL and kind[code] == "same":
                kind[code] = EDITORIAL
    # A renamed question whose renames cancel out (a -> b -> a) is just editorial.
    for code in codes:
        if kind[code] == "renamed":
            mapping[code] = {k: v for k, v in mapping[code].items() if k != v}
            if not mapping[code]:
                kind[code] = EDITORIAL
    return kind, mapping, marked, notes


def documents_diff(docs: list[dict], *, describe_rule: RuleWords | None = None) -> DocumentDiff:
    """The change from ``docs[0]`` to ``docs[-1]``, through every version in between.

    An answer survives only if every step kept it (unchanged, editorial or renamed
    choices), so an editorial mark in one version never carries an answer past a
    substantive change in another. Renames compose along the way. The words shown are
    the direct comparison of the first and last version.
    """
    if len(docs) < 2:
        raise ValueError("documents_diff needs at least two documents")
    first, last = _index(docs[0]), _index(docs[-1])
    codes = sorted(set(first) & set(last))
    kind, mapping, marked, notes = _walk(docs, codes)
    fp, lp = _places(docs[0]), _places(docs[-1])
    details: dict[str, QuestionChange] = {}
    for code in codes:
        if kind[code] == "same":
            continue
        changes = question_field_changes(
            first[code],
            last[code],
            rename=mapping[code] if kind[code] == "renamed" else renames(first[code], last[code]),
            old_place=fp[code],
            new_place=lp[code],
        )
        details[code] = QuestionChange(
            code=code,
            kind=SUBSTANTIVE if kind[code] == SUBSTANTIVE else EDITORIAL,
            changes=tuple(changes),
            old_text=first[code]["text"],
            new_text=last[code]["text"],
            marked=marked.get(code, ""),
            note=notes.get(code, ""),
        )
    return DocumentDiff(
        added=sorted(set(last) - set(first)),
        removed=sorted(set(first) - set(last)),
        changed=[c for c in codes if kind[c] == SUBSTANTIVE],
        editorial=[c for c in codes if kind[c] == EDITORIAL],
        same=[c for c in codes if kind[c] == "same"],
        renamed={c: mapping[c] for c in codes if kind[c] == "renamed"},
        details=details,
        rule_changes=rule_param_changes(
            docs[0]["version"]["rule_params"],
            docs[-1]["version"]["rule_params"],
            describe=describe_rule,
            old_doc=docs[0],
            new_doc=docs[-1],
        ),
    )
