"""Scores frozen before the judgement rules recompute exactly with today's engine.

``frozen/`` holds the shipped bank as it was published before the judgement rules, and the
three profiles' answers and scores as that engine computed them (commit 539f2f2). A record
pins its bank version, so the new rules, the unknown convention and pending severities must
change nothing for it. No database.

The files are read with today's strict YAML loader (issue 17): CST-11's choice ``10_30`` is
the text it looks like, where the old YAML 1.1 reader made it the integer 1030. Only that
explanation's wording moved (``CST-11 = 10_30 -> 1``); every point is as it was. Records in
the database hold their values as JSON and are not re-read from YAML.
"""

import json
from pathlib import Path

import pytest

from procurement.questionbank.document import parse_document
from procurement.questionbank.scoring_input import input_from_answer_file
from procurement.scoring.engine import score

FROZEN = Path(__file__).parent / "frozen"
BANK = parse_document((FROZEN / "bank-before-judgement-rules.yaml").read_bytes())
RECORDS = json.loads((FROZEN / "scores-before-judgement-rules.json").read_text())


@pytest.mark.parametrize("record", RECORDS, ids=[r["profile"] for r in RECORDS])
def test_a_score_frozen_before_the_judgement_rules_recomputes_unchanged(record):
    result = score(input_from_answer_file(BANK, record["answers_file"], source=record["profile"]))
    again = json.loads(json.dumps(result.as_dict(), default=str))
    assert again == record["score"]
