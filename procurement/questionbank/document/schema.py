"""The bank file format's vocabulary: answer types, allowed keys, code patterns, and the problem type."""

from __future__ import annotations

import re
from dataclasses import dataclass

FORMAT_VERSION = 1

ANSWER_TYPES = ("single_choice", "multi_choice", "yes_no", "number", "date", "text", "evidence", "provider_table")
CHOICE_TYPES = ("single_choice", "multi_choice")
BANDED_TYPES = ("number", "date")
SCORABLE_TYPES = (*CHOICE_TYPES, "yes_no", *BANDED_TYPES)
AUDIENCES = ("vendor", "buyer", "reviewer")
WEIGHTS = {"minor": 1, "standard": 2, "major": 4}
WEIGHT_NAMES = {v: k for k, v in WEIGHTS.items()}
YES_NO_LABELS = {"yes": "Yes", "partial": "Partially", "no": "No"}

CODE_RE = re.compile(r"^[A-Z][A-Z0-9]*(-[A-Z0-9]+)*$")
SLUG_RE = re.compile(r"^[-a-z0-9_]+$")

TOP_KEYS = {"format", "bank", "version", "sections"}
BANK_KEYS = {"slug", "name", "description"}
VERSION_KEYS = {"changelog", "rule_params"}
SECTION_KEYS = {"code", "title", "description", "weight", "audience", "fresh_for_months", "questions"}
QUESTION_KEYS = {
    "code",
    "text",
    "help",
    "type",
    "unit",
    "bands",
    "weight",
    "critical",
    "scored",
    "audience",
    "na",
    "show_if",
    "refs",
    "choices",
    "points",
    "min",
    "max",
    "soft_min",
    "soft_max",
    "score_by",
    "change",
    "fresh_for_months",
}
CHOICE_KEYS = {"value", "label", "points", "renamed_from"}
# How a date question's bands read the date: days from the scoring date to it (the default,
# negative in the past), or whole months since it (the age of a report's period end).
DATE_MEASURES = ("days_until", "months_since")
BAND_KEYS = {"from", "to", "points"}
# A bank editor's mark on a question in a new version: how its change since the previous
# version is to be treated on upgrade (see document/diff.py).
CHANGE_KINDS = ("editorial", "substantive")
# How long an answer stays fresh (``fresh_for_months``), in whole months: a reassessment asks
# again for an answer older than this (docs/question-bank-format.md).
FRESH_MONTHS_MAX = 120


class BankFileError(Exception):
    """A bank file or version that cannot be accepted; carries every problem found."""

    def __init__(self, problems: list[Problem]):
        self.problems = problems
        super().__init__("\n".join(str(p) for p in problems))


@dataclass(frozen=True)
class Problem:
    where: str
    message: str
    # What the problem is about, for a link to where it is fixed: a question or section code,
    # "rule_params" or "changelog"; empty when it is about the file as a whole.
    code: str = ""

    def __str__(self) -> str:
        return f"{self.where}: {self.message}" if self.where else self.message
