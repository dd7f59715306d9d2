"""Forms of the bank editor's own pages (publishing, uploading a bank file)."""

from __future__ import annotations

import copy
import json

from django import forms
from django.conf import settings

from procurement.questionbank.document.diff import DocumentDiff
from procurement.questionbank.document.validate import version_index
from procurement.questionbank.models import Question
from procurement.scoring.params import BANDS, DECISIONS, DEFAULTS, JUDGEMENT_KEYS, TIERS, validate_rule_params

MARK_CHOICES = [
    ("", "As compared (automatic)"),
    (Question.ChangeKind.EDITORIAL, "Editorial: keep answers"),
    (Question.ChangeKind.SUBSTANTIVE, "Substantive: ask again"),
]


class PublishForm(forms.Form):
    """The changelog (required) and, per changed question, the editor's editorial/substantive mark."""

    changelog = forms.CharField(
        label="Changelog",
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text="What changed in this version and why. Shown to everyone asked to move to it.",
        error_messages={"required": "Write a changelog before publishing: say what changed and why."},
    )

    def __init__(self, *args, diff: DocumentDiff | None = None, marks: dict[str, str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.mark_fields = []
        marks = marks or {}
        for code in sorted(diff.details if diff else ()):
            name = f"mark-{code}"
            self.fields[name] = forms.ChoiceField(
                label=f"{code}: treat the change as",
                choices=MARK_CHOICES,
                required=False,
                initial=marks.get(code, ""),
            )
            self.mark_fields.append((code, name))

    def clean_changelog(self) -> str:
        text = self.cleaned_data["changelog"].strip()
        if not text:
            raise forms.ValidationError("Write a changelog before publishing: say what changed and why.")
        return text

    @property
    def marks(self) -> dict[str, str]:
        return {code: self.cleaned_data.get(name) or "" for code, name in self.mark_fields}


class BankUploadForm(forms.Form):
    file = forms.FileField(
        label="Bank file (YAML)",
        help_text="The format of docs/question-bank-format.md, as written by Export as YAML.",
    )

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.BANK_FILE_MAX_BYTES:
            raise forms.ValidationError(
                f"The file is {upload.size:,} bytes; a bank file may be at most {settings.BANK_FILE_MAX_BYTES:,}."
            )
        return upload


# --- Rule parameters as a form -----------------------------------------------------------------
#
# Each knob of a version's rule parameters (procurement.scoring.params: the one schema) gets a
# field; the form writes the edited values back into a copy of the parameters and checks the
# result with validate_rule_params, the same check publishing runs. Question codes a rule reads
# are not edited here (they are the bank's structure); the advanced JSON view is for site staff.

BAND_WORDS = {"low": "Low", "moderate": "Moderate", "high": "High", "critical": "Critical"}
DECISION_WORDS = {
    "approve": "Approve",
    "approve_with_conditions": "Approve with conditions",
    "executive_acceptance": "Executive risk acceptance",
    "reject": "Reject",
}
TIER_WORDS = {"tier_1": "Tier 1 (critical use)", "tier_2": "Tier 2 (important use)", "tier_3": "Tier 3 (limited use)"}
COMPARATOR_WORDS = {"lt": "below", "le": "at most", "gt": "above", "ge": "at least"}


def _band_choices() -> list[tuple[str, str]]:
    return [(b, BAND_WORDS[b]) for b in BANDS]


def _get(data, path: tuple):
    for part in path:
        if isinstance(data, list):
            data = data[part] if isinstance(part, int) and part < len(data) else None
        elif isinstance(data, dict):
            data = data.get(part)
        else:
            return None
    return data


def _set(data: dict, path: tuple, value) -> None:
    for part in path[:-1]:
        data = data[part] if isinstance(data, list) else data.setdefault(part, {})
    data[path[-1]] = value


def _thresholds(cond, path: tuple):
    """(path, comparator, question or fact) for every numeric comparison in a rule condition."""
    if not isinstance(cond, dict):
        return
    for joiner in ("all", "any"):
        for i, item in enumerate(cond.get(joiner) or ()):
            yield from _thresholds(item, (*path, joiner, i))
    for op in COMPARATOR_WORDS:
        if op in cond:
            yield (*path, op), op, cond.get("question") or cond.get("fact", "")


class RuleParamsForm(forms.Form):
    """The rule parameters of one draft, knob by knob, in groups (``groups``: legend, help, field names)."""

    def __init__(self, *args, params: dict, doc: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.params = params
        self.doc = doc
        self.paths: dict[str, tuple] = {}
        self.groups: list[tuple[str, str, list[str]]] = []
        self._merged = {**DEFAULTS, **params}
        self._index = {q["code"]: q for s in doc["sections"] for q in s["questions"]}
        self._bands_and_tiers()
        self._matrices()
        for name, rule in (params.get("rules") or {}).items():
            self._rule(name, rule)

    @property
    def bound_groups(self) -> list[tuple[str, str, list]]:
        return [(legend, about, [self[name] for name in names]) for legend, about, names in self.groups]

    def _add(self, group: list[str], path: tuple, field: forms.Field, default=None) -> None:
        name = "p-" + "-".join(str(p) for p in path)
        value = _get(self._merged, path)
        field.initial = default if value is None else value
        self.fields[name] = field
        self.paths[name] = path
        group.append(name)

    @staticmethod
    def _number(label: str, help_text: str = "", *, whole: bool = False, lo: float | None = 0, hi=None) -> forms.Field:
        kind = forms.IntegerField if whole else forms.FloatField
        return kind(label=label, help_text=help_text, min_value=lo, max_value=hi)

    def _bands_and_tiers(self) -> None:
        g: list[str] = []
        for band in ("moderate", "high", "critical"):
            word = BAND_WORDS[band]
            help_text = f"A weighted risk (0-100) of at least this is {word}."
            self._add(g, ("bands", band), self._number(f"{word} from", help_text, hi=100))
        floor = forms.ChoiceField(label="A critical question at its worst lifts its section to at least")
        floor.choices = [(b, BAND_WORDS[b]) for b in BANDS]
        self._add(g, ("critical_floor",), floor)
        self.groups.append(("Control bands", "Where the weighted risk of the answers turns into a band.", g))
        g = []
        for tier, help_text in (
            (1, "Intake answers at or above this level make the use tier 1."),
            (2, "At or above this level (and below tier 1's) the use is tier 2."),
        ):
            field = self._number(f"Tier {tier} from intake level", help_text, whole=True, hi=4)
            self._add(g, ("tier", f"tier_{tier}_level"), field)
        months = self._merged["review_months"]
        for tier in (1, 2, 3):
            key = tier if tier in months else str(tier)
            field = self._number(f"Review tier {tier} decisions every (months)", whole=True, lo=1, hi=120)
            self._add(g, ("review_months", key), field)
        about = "How the buyer's intake sets the tier, and how often a decision is reviewed."
        self.groups.append(("Inherent tier and review cadence", about, g))

    def _matrices(self) -> None:
        if self._merged.get("section_weights"):
            g: list[str] = []
            for tier, weights in self._merged["section_weights"].items():
                for section in weights:
                    label = f"{TIER_WORDS.get(tier, tier)}: {section}"
                    self._add(g, ("section_weights", tier, section), self._number(label))
            self.groups.append(("Section weights per tier", "How much each section counts, per tier of use.", g))
        g = []
        for tier in TIERS:
            for band in BANDS:
                label = f"{TIER_WORDS[tier]}, control band {BAND_WORDS[band]}: residual"
                self._add(g, ("residual", tier, band), forms.ChoiceField(label=label, choices=_band_choices()))
        self.groups.append(("Residual rating", "The tier and the control band together give the residual rating.", g))
        g = []
        for band in BANDS:
            field = forms.ChoiceField(
                label=f"Residual {BAND_WORDS[band]}: recommend", choices=[(d, DECISION_WORDS[d]) for d in DECISIONS]
            )
            self._add(g, ("decisions", band), field)
        self.groups.append(("Recommendations", "What the engine recommends for each residual rating.", g))

    def _rule(self, name: str, rule: dict) -> None:
        g: list[str] = []
        severity = forms.ChoiceField(label="Severity", choices=[("knockout", "Knockout"), ("flag", "Flag")])
        self._add(g, ("rules", name, "severity"), severity, default="knockout")
        tiers = forms.TypedMultipleChoiceField(
            label="A knockout in tiers",
            choices=[(1, "Tier 1"), (2, "Tier 2"), (3, "Tier 3")],
            coerce=int,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="In other tiers a knockout rule is a flag.",
        )
        self._add(g, ("rules", name, "knockout_tiers"), tiers, default=[1, 2, 3])
        for key, spec in JUDGEMENT_KEYS.get(rule.get("kind", ""), {}).items():
            if spec.what == "number":
                label = key.replace("_", " ").capitalize()
                field = self._number(label, f"{spec.description} Default {spec.default}.")
                self._add(g, ("rules", name, key), field, default=spec.default)
        for path, op, subject in _thresholds(rule.get("condition"), ("rules", name, "condition")):
            q = self._index.get(subject)
            what = f"“{q['text']}” ({subject})" if q else subject.replace("_", " ")
            unit = f" ({q['unit']})" if q and q.get("unit") else ""
            self._add(g, path, self._number(f"Fires when {what} is {COMPARATOR_WORDS[op]}{unit}", lo=None))
        self.groups.append((f"Rule: {rule.get('title') or name}", "", g))

    def clean(self):
        cleaned = super().clean()
        if self.errors:
            return cleaned
        params = copy.deepcopy(self.params)
        for name, path in self.paths.items():
            value = cleaned.get(name)
            if isinstance(value, float) and value.is_integer():
                value = int(value)
            if path[0] not in params and _get(DEFAULTS, path) == value:
                continue  # an untouched default stays implicit
            if path[0] not in params:
                params[path[0]] = copy.deepcopy(DEFAULTS[path[0]])
            _set(params, path, sorted(value) if isinstance(value, list) else value)
        problems = validate_rule_params(
            params, version_index({**self.doc, "version": {**self.doc["version"], "rule_params": params}})
        )
        for problem in problems:
            self.add_error(None, _plain(problem, self.params))
        self.new_params = params
        return cleaned


def _plain(problem: str, params: dict) -> str:
    """A schema message with the rule's title instead of its path (rules.notice_gap.x -> “Notice gap”: x)."""
    for name, rule in (params.get("rules") or {}).items():
        problem = problem.replace(f"rules.{name}.", f"Rule “{rule.get('title') or name}”: ").replace(
            f"rules.{name}", f"Rule “{rule.get('title') or name}”"
        )
    return problem.replace("_", " ")


class RawRuleParamsForm(forms.Form):
    """The advanced view (site staff): the whole parameter mapping as JSON, through the same check."""

    raw = forms.CharField(
        label="Rule parameters as JSON",
        widget=forms.Textarea(attrs={"rows": 16, "class": "font-monospace"}),
        help_text="Checked with the same rules as the form and as publishing.",
    )

    def __init__(self, *args, doc: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.doc = doc

    def clean_raw(self):
        try:
            params = json.loads(self.cleaned_data["raw"])
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                f"This is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}."
            ) from None
        problems = validate_rule_params(params, version_index({**self.doc, "version": {"rule_params": params}}))
        if problems:
            raise forms.ValidationError([_plain(p, params if isinstance(params, dict) else {}) for p in problems])
        return params
