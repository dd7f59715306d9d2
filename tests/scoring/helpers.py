import datetime as dt
from pathlib import Path

from procurement.questionbank.document import parse_document
from procurement.questionbank.scoring_input import input_from_answer_file, specs_from_document
from procurement.scoring import types as t

ROOT = Path(__file__).resolve().parents[2]
BANK_DOC = parse_document((ROOT / "fixtures/banks/ai-vendor-due-diligence.yaml").read_bytes())
PROFILES = ROOT / "fixtures/profiles"
AS_OF = dt.date(2026, 11, 22)
UNDISCLOSED = "<not disclosed>"  # with_answers(..., CODE=UNDISCLOSED): the vendor does not disclose it


def profile(name: str) -> t.ScoringInput:
    return input_from_answer_file(BANK_DOC, (PROFILES / f"{name}.yaml").read_bytes(), source=name)


def with_answers(inp: t.ScoringInput, **changes) -> t.ScoringInput:
    """Replace answers by code (use underscores for dashes: SUP_05=90; None removes)."""
    answers = {a.code: a for a in inp.answers}
    for key, value in changes.items():
        code = key.replace("_", "-")
        if value is None:
            answers.pop(code, None)
        elif value == "N/A":
            answers[code] = t.Answer(code, None, na=True)
        elif value == UNDISCLOSED:
            answers[code] = t.Answer(code, None, undisclosed=True)
        else:
            answers[code] = t.Answer(code, tuple(value) if isinstance(value, list) else value)
    return t.ScoringInput(**{**inp.__dict__, "answers": tuple(answers.values())})


def bank_specs():
    return specs_from_document(BANK_DOC)
