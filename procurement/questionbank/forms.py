"""Forms of the bank editor's own pages (publishing, uploading a bank file)."""

from __future__ import annotations

import copy
import json

from django import forms
from django.conf import settings

from procurement.questionbank.document.diff import DocumentDiff
from procurement.questionbank.document.validate import band_problems, version_index
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
    # The content hash of the draft as this page showed it (another editor's later change is
    # refused, never published unseen).
    seen = forms.CharField(widget=forms.HiddenInput, required=False)

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
        self._implicit: dict[str, object] = {}  # fields showing a default the parameters leave out
        self._merged = {**DEFAULTS, **params}
        self._index = {q["code"]: q for s in doc["sections"] for q in s["questions"]}
        self._bands_and_tiers()
        self._evidence()
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
        if value is None and default is not None:
            self._implicit[name] = default
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

    def _evidence(self) -> None:
        g: list[str] = []
        field = forms.BooleanField(
            required=False,
            label="A favourable answer to a critical question resting only on the vendor's statement gets one more"
            " risk point (self-attested)",
            help_text="Up to 4 points. A document or an independent attestation a reviewer confirmed keeps the"
            " answer's own points.",
        )
        self._add(g, ("self_attested_point",), field)
        self.groups.append(("Evidence-weighted credit", "How much credit an answer earns on the vendor's word.", g))

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
            if name in self._implicit and self._implicit[name] == value:
                continue
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


# --- A question's bands, show-if and framework references as fields ------------------------------

# Framework references: the framework picked from this list, the clause typed. A reference is
# stored as "FRAMEWORK CLAUSE" (e.g. "DORA Art 30(2)(h)"), as the bank format writes it.
FRAMEWORKS = (
    "EU AI Act",
    "ISO/IEC 42001",
    "ISO/IEC 27001",
    "NIST AI RMF",
    "NIST AI 600-1",
    "DORA",
    "GDPR",
    "HECVAT",
    "SIG",
    "CAIQ",
    "AICM",
    "OWASP",
    "FINOS AIGF",
    "FS-ISAC",
    "EU CSF",
    "HIPAA",
)
BAND_ROWS = 6
REF_ROWS = 8


def split_ref(ref: str) -> tuple[str, str]:
    """("DORA", "Art 30(2)(h)") for "DORA Art 30(2)(h)"; ("", ref) when no listed framework starts it."""
    for name in sorted(FRAMEWORKS, key=len, reverse=True):
        if ref == name or ref.startswith(name + " ") or ref.startswith(name + ":"):
            return name, ref[len(name) :].lstrip(" :")
    return "", ref


def _number_or_none(value: str):
    return None if value in (None, "") else (int(value) if float(value).is_integer() else float(value))


STALE_VERSION = (
    "Someone else saved this draft (its changelog or scoring rules) after you opened it. Nothing of yours was"
    " saved: open the draft again to see their version, then make your change there."
)


class NotStaleForm(forms.ModelForm):
    """A form that remembers when its row was loaded (hidden ``loaded_at``, the row's
    ``updated_at``): saving over a later save by someone else is refused with ``stale_message``,
    never merged. ``only_when_changed``: an unchanged row (a formset's untouched line) is not
    saved, so it is not checked either."""

    loaded_at = forms.CharField(widget=forms.HiddenInput, required=False)
    stale_message = STALE_VERSION
    only_when_changed = False

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk and self.instance.updated_at:
            self.fields["loaded_at"].initial = self.instance.updated_at.isoformat()

    def check_not_stale(self) -> None:
        loaded_at, row = self.cleaned_data.get("loaded_at") or "", self.instance
        if not row.pk or not loaded_at or (self.only_when_changed and not self.has_changed()):
            return
        stored = type(row).objects.filter(pk=row.pk).values_list("updated_at", flat=True).first()
        if stored is not None and stored.isoformat() != loaded_at:
            raise forms.ValidationError(self.stale_message, code="stale")


class BankVersionEditForm(NotStaleForm):
    """The bank editor's version form (changelog; the rule parameters as JSON for site staff): a
    save over a newer save by someone else, here or on the Scoring rules page, is refused."""

    def clean(self):
        cleaned = super().clean()
        self.check_not_stale()
        return cleaned


STALE_ROW = (
    "Someone else saved this {what} after you opened the page. Nothing of yours was saved: open the page again"
    " to see their version, then make your change there."
)


class SectionEditForm(NotStaleForm):
    """The admin's section form: a save over someone else's later save is refused."""

    stale_message = STALE_ROW.format(what="section")

    def clean(self):
        cleaned = super().clean()
        self.check_not_stale()
        return cleaned


class QuestionRowForm(NotStaleForm):
    """A question's line in the admin's section page: a changed line saved over someone else's
    later save of that question is refused."""

    stale_message = STALE_ROW.format(what="question")
    only_when_changed = True

    def clean(self):
        cleaned = super().clean()
        self.check_not_stale()
        return cleaned


class QuestionEditForm(NotStaleForm):
    """The bank editor's question form: bands as rows (from, to, points) with gaps and overlaps
    refused, show-if picked from the earlier questions' choices, framework references picked
    from a list with a clause. The JSON columns are written from these fields."""

    stale_message = (
        "Someone else saved this question after you opened it. Nothing of yours was saved: open the"
        " question again to see their version, then make your change there."
    )
    show_if_choice = forms.MultipleChoiceField(
        label="Shown only when",
        required=False,
        help_text="Pick answers of one earlier question; leave empty to always show the question.",
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )

    class Meta:
        model = Question
        fields = [
            *("section", "code", "order", "text", "help_text", "answer_type", "unit", "limits", "score_by"),
            *("allow_na", "scored", "weight", "critical", "audience", "change_kind", "fresh_for_months"),
        ]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        q = self.instance
        for i in range(BAND_ROWS):
            band = q.bands[i] if q.pk and i < len(q.bands or []) else {}
            for key in ("from", "to", "points"):
                if f"band_{i}_{key}" in self.fields:
                    self.fields[f"band_{i}_{key}"].initial = band.get(key)
        for i in range(REF_ROWS):
            ref = q.framework_refs[i] if q.pk and i < len(q.framework_refs or []) else ""
            framework, clause = split_ref(ref) if ref else ("", "")
            if f"ref_{i}_framework" in self.fields:
                self.fields[f"ref_{i}_framework"].initial = framework or ("other" if ref else "")
                self.fields[f"ref_{i}_clause"].initial = clause
        self.fields["show_if_choice"].choices = self._show_if_choices()
        if q.pk and q.show_if_question:
            self.fields["show_if_choice"].initial = [f"{q.show_if_question}:{v}" for v in q.show_if_values]

    def _show_if_choices(self) -> list:
        """The choice and yes/no questions before this one in its version, each with its choices."""
        q = self.instance
        if not q.pk:
            return []
        earlier = []
        for other in (
            Question.objects.filter(version_id=q.version_id)
            .select_related("section")
            .prefetch_related("choices")
            .order_by("section__order", "section__code", "order", "code")
        ):
            if other.pk == q.pk:
                break
            if other.answer_type in ("single_choice", "multi_choice", "yes_no"):
                earlier.append(other)
        return [
            (f"{o.code} {o.text[:70]}", [(f"{o.code}:{c.value}", c.label) for c in o.choices.all()]) for o in earlier
        ]

    def _bands(self) -> list[dict]:
        bands = []
        for i in range(BAND_ROWS):
            lo, hi, points = (self.cleaned_data.get(f"band_{i}_{k}") for k in ("from", "to", "points"))
            if lo is None and hi is None and points is None:
                continue
            if points is None:
                self.add_error(f"band_{i}_points", "Give the band's risk points (0 best to 4 worst).")
                continue
            bands.append({"from": _number_or_none(lo), "to": _number_or_none(hi), "points": points})
        return bands

    def clean(self):
        cleaned = super().clean()
        self.check_not_stale()
        qtype = cleaned.get("answer_type")
        bands = self._bands()
        if bands and qtype not in ("number", "date"):
            self.add_error(None, "Only number and date questions take risk bands; clear the band rows.")
        elif bands:
            for problem in band_problems(bands):
                self.add_error(None, f"Risk bands: {problem}.")
        elif qtype in ("number", "date") and cleaned.get("scored"):
            self.add_error(None, f"A scored {qtype} question needs risk bands (from, to, points).")
        self.bands = bands
        picks = cleaned.get("show_if_choice") or []
        codes = {p.split(":", 1)[0] for p in picks}
        if len(codes) > 1:
            self.add_error("show_if_choice", "Pick answers of one question only (" + ", ".join(sorted(codes)) + ").")
        self.show_if = (codes.pop(), [p.split(":", 1)[1] for p in picks]) if len(codes) == 1 else ("", [])
        refs = []
        for i in range(REF_ROWS):
            framework = cleaned.get(f"ref_{i}_framework") or ""
            clause = (cleaned.get(f"ref_{i}_clause") or "").strip()
            if framework and framework != "other" and not clause:
                self.add_error(f"ref_{i}_clause", f"Give the {framework} clause, e.g. an article or control ID.")
            elif framework == "other" or (clause and not framework):
                if clause:
                    refs.append(clause)
            elif framework:
                refs.append(f"{framework} {clause}")
        self.refs = refs
        return cleaned

    def save(self, commit=True):
        q = super().save(commit=False)
        q.bands = self.bands
        q.show_if_question, q.show_if_values = self.show_if
        q.framework_refs = self.refs
        if commit:
            q.save()
            self.save_m2m()
        return q


def _row_fields() -> dict[str, forms.Field]:
    fields: dict[str, forms.Field] = {}
    for i in range(BAND_ROWS):
        fields[f"band_{i}_from"] = forms.FloatField(
            label=f"Band {i + 1}: from", required=False, help_text="Empty: no lower bound." if i == 0 else ""
        )
        fields[f"band_{i}_to"] = forms.FloatField(
            label="to (not included)", required=False, help_text="Empty: no upper bound." if i == 0 else ""
        )
        fields[f"band_{i}_points"] = forms.IntegerField(
            label="risk points", required=False, min_value=0, max_value=4, help_text="0 best, 4 worst" if i == 0 else ""
        )
    for i in range(REF_ROWS):
        fields[f"ref_{i}_framework"] = forms.ChoiceField(
            label=f"Reference {i + 1}: framework",
            required=False,
            choices=[("", "—"), *[(f, f) for f in FRAMEWORKS], ("other", "Other (typed in full as the clause)")],
        )
        fields[f"ref_{i}_clause"] = forms.CharField(label="clause", required=False, max_length=120)
    return fields


# Declared on the class (not added per instance) so the admin's fieldsets can name them.
QuestionEditForm.declared_fields.update(_row_fields())
QuestionEditForm.base_fields.update(QuestionEditForm.declared_fields)
BAND_FIELDS = [tuple(f"band_{i}_{k}" for k in ("from", "to", "points")) for i in range(BAND_ROWS)]
REF_FIELDS = [(f"ref_{i}_framework", f"ref_{i}_clause") for i in range(REF_ROWS)]
