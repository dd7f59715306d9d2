"""Answers in the words a reason quotes them with: units agree with the number."""

import pytest

from procurement.scoring.wording import number_words


@pytest.mark.parametrize(
    ("value", "unit", "words"),
    [
        (1, "providers", "1 provider"),
        (3, "providers", "3 providers"),
        (1, "days", "1 day"),
        (0, "days", "0 days"),
        (1.5, "hours", "1.5 hours"),
        (1, "%", "1%"),
        (1, "per minute", "1 per minute"),
        (1, "", "1"),
    ],
)
def test_a_number_reads_with_its_unit_in_the_singular_only_for_one(value, unit, words):
    assert number_words(value, unit) == words
