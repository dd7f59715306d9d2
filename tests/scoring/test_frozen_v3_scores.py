"""Scores of the shipped bank's version 3 recompute exactly after evidence-weighted credit.

``frozen/scores-v3.json`` holds the five profiles' scores as the engine computed them under
version 3 before answers had a basis (so every answer rests on the vendor's statement).
Version 3 leaves ``self_attested_point`` off, so a frozen record of it must recompute
unchanged: no point added, no new key in a question's result. No database.
"""

import json
from pathlib import Path

import pytest

from procurement.questionbank.document import parse_document
from procurement.questionbank.scoring_input import input_from_answer_file
from procurement.scoring.engine import score

ROOT = Path(__file__).resolve().parents[2]
V3 = parse_document((ROOT / "fixtures/banks/history/ai-vendor-due-diligence-v3.yaml").read_bytes())
RECORDS = json.loads((Path(__file__).parent / "frozen" / "scores-v3.json").read_text())


@pytest.mark.parametrize("record", RECORDS, ids=[r["profile"] for r in RECORDS])
def test_a_score_frozen_under_version_3_recomputes_unchanged(record):
    result = score(input_from_answer_file(V3, record["answers_file"], source=record["profile"]))
    assert json.loads(json.dumps(result.as_dict(), default=str)) == record["score"]


def test_version_3_leaves_the_self_attested_point_off():
    assert "self_attested_point" not in V3["version"]["rule_params"]
