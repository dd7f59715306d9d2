"""The spend bucket parameter: which intake choice an annual amount falls in. No database."""

from decimal import Decimal

import pytest

from procurement.scoring.params import SpendBucket, VersionIndex, validate_rule_params

VALUES = ["under_100k", "100k_1m", "1m_5m", "over_5m"]
INDEX = VersionIndex(
    questions={
        "INT-08": {"section": "INT", "type": "single_choice", "audience": "buyer", "values": VALUES},
        "SUP-01": {"section": "SUP", "type": "single_choice", "audience": "vendor", "values": ["a", "b"]},
        "SUP-05": {"section": "SUP", "type": "number", "audience": "vendor", "values": []},
    },
    section_codes=frozenset({"INT", "SUP"}),
)
GOOD = {"question": "INT-08", "currency": "EUR", "below": {"under_100k": 100000, "100k_1m": 1000000, "1m_5m": 5000000}}


def test_a_spend_bucket_picks_the_choice_whose_range_holds_the_amount():
    assert validate_rule_params({"spend_bucket": GOOD}, INDEX) == []
    bucket = SpendBucket.from_params(GOOD, VALUES)
    picks = [bucket.choice_for(Decimal(a)) for a in ("0", "99999.99", "100000", "999999", "1000000", "5000000", "9e9")]
    assert picks == ["under_100k", "under_100k", "100k_1m", "100k_1m", "1m_5m", "over_5m", "over_5m"]
    assert SpendBucket.from_params({}, VALUES) is None


@pytest.mark.parametrize(
    ("bucket", "problem"),
    [
        ({"question": "INT-08", "currency": "EUR"}, "spend_bucket: expected {question: CODE"),
        (GOOD | {"currency": "EURO"}, "'EURO' is not an ISO 4217 currency code"),
        (GOOD | {"question": "SUP-05"}, "SUP-05 is a number question; expected single_choice"),
        (GOOD | {"question": "SUP-01", "below": {"a": 1}}, "SUP-01 must be a buyer intake question"),
        (GOOD | {"question": "INT-99"}, "question 'INT-99' is not in this version"),
        (GOOD | {"below": {"under_100k": 100000, "nope": 5}}, "nope is not a choice of the question"),
        (GOOD | {"below": {"under_100k": 100000}}, "name every choice but one"),
        (GOOD | {"below": {"under_100k": 100000, "100k_1m": 50000, "1m_5m": 5000000}}, "must rise in the order"),
        (GOOD | {"below": {"under_100k": -1, "100k_1m": 5, "1m_5m": 6}}, "map choice values to positive amounts"),
    ],
)
def test_a_bad_spend_bucket_is_refused_in_plain_words(bucket, problem):
    problems = validate_rule_params({"spend_bucket": bucket}, INDEX)
    assert any(problem in p for p in problems), problems
