"""How long an answer stays current (``fresh_for_months``) in the bank format, and the shipped
bank's version 3 that sets it without touching version 2."""

from pathlib import Path

import pytest

from procurement.assessments.services import version_diff
from procurement.questionbank.document import BankFileError, content_hash, dump_document, parse_document
from procurement.questionbank.services import bank_load
from tests.conftest import SMALL_BANK

ROOT = Path(__file__).resolve().parents[2]
SHIPPED = ROOT / "fixtures/banks/ai-vendor-due-diligence.yaml"
HISTORY = [ROOT / f"fixtures/banks/history/ai-vendor-due-diligence-v{n}.yaml" for n in (1, 2, 3)]
# The content hash version 2 was published with (before fresh_for_months existed).
V2_HASH = "0b6052bcebd5cb35cf03cb1722e4853c85e02c9f1365b362e4988ff7dfda9c44"
# The content hash version 3 was published with (the shipped file before version 4).
V3_HASH = "076f37dd7a7e120680ad862e0d62222283fe952f0d58b6d09c4f7ccc0f5850a0"


def _questions(doc):
    return {q["code"]: q for s in doc["sections"] for q in s["questions"]}


def test_a_section_default_applies_to_its_questions_and_a_question_may_override_it():
    text = SMALL_BANK.replace("  weight: 2\n  questions:", "  weight: 2\n  fresh_for_months: 6\n  questions:").replace(
        "    text: Describe the runbook\n", "    text: Describe the runbook\n    fresh_for_months: 24\n"
    )
    questions = _questions(parse_document(text))
    assert questions["OPS-01"]["fresh_for_months"] == 6
    assert questions["OPS-05"]["fresh_for_months"] == 24
    assert questions["IN-01"]["fresh_for_months"] is None  # never stale


@pytest.mark.parametrize("value", ["0", "121", "six", "1.5", "true"])
def test_a_freshness_outside_1_to_120_whole_months_is_refused_with_file_line_and_code(value):
    text = SMALL_BANK.replace(
        "    text: Describe the runbook\n", f"    text: Describe the runbook\n    fresh_for_months: {value}\n"
    )
    with pytest.raises(BankFileError) as exc:
        parse_document(text, source="bank.yaml")
    message = str(exc.value)
    assert "bank.yaml:" in message and "(OPS-05)" in message and "whole months from 1 to 120" in message


def test_an_unset_freshness_leaves_the_content_hash_as_before():
    v2 = parse_document(HISTORY[1].read_bytes(), source="v2")
    assert content_hash(v2) == V2_HASH
    assert all(q["fresh_for_months"] is None for q in _questions(v2).values())


def test_the_export_writes_the_freshness_and_loads_back_to_the_same_content():
    doc = parse_document(HISTORY[2].read_bytes(), source="v3")
    written = dump_document(doc)
    assert "fresh_for_months: 6" in written
    assert content_hash(parse_document(written, source="export")) == content_hash(doc)


@pytest.mark.django_db
@pytest.mark.usefixtures("no_banks")
def test_the_history_files_then_the_current_file_give_versions_1_to_4_and_reloading_changes_nothing():
    loaded = [bank_load(raw=p.read_bytes(), source=str(p)) for p in [*HISTORY, SHIPPED]]
    v1, v2, v3, v4 = (r.version for r in loaded)
    assert (v1.number, v2.number, v3.number, v4.number) == (1, 2, 3, 4)
    assert v2.content_hash == V2_HASH and v3.content_hash == V3_HASH
    assert v3.changelog.startswith("Version 3.") and v4.changelog.startswith("Version 4.")
    again = [bank_load(raw=p.read_bytes(), source=str(p)) for p in [*HISTORY, SHIPPED]]
    assert not any(r.created for r in again) and v3.bank.versions.count() == 4
    # Only freshness differs from version 2, and only the self-attested point from version 3:
    # every answer carries over.
    for old, new in ((v2, v3), (v3, v4)):
        diff = version_diff(old, new)
        assert not (diff.added or diff.removed or diff.changed)
    assert v4.rule_params["self_attested_point"] is True and "self_attested_point" not in v3.rule_params
    assert v3.questions.get(code="CAP-03").fresh_for_months == 6
    assert v3.questions.get(code="SEC-02").fresh_for_months == 12
    assert v3.questions.get(code="INT-01").fresh_for_months is None
