"""The provider_table answer type: cleaning, validation and wording (procurement.scoring.provider_table)."""

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from procurement.scoring.provider_table import COLUMNS, MAX_ROWS, TableError, clean_rows, describe

ROW = {
    "provider": "  Rival   DC ",
    "kind": "colocation",
    "owner": "Rival AI",
    "country": "US",
    "role": "inference_compute",
    "regions": "us-east",
    "share": "40",
    "arrangement": "lease",
    "notice_days": "90",
    "pass_through": "",
    "alternative": "no",
    "competitor": "on",
}


def test_a_row_is_cleaned_and_typed():
    (row,) = clean_rows([ROW, {"kind": "other", "arrangement": "owned"}])  # the second row is blank
    assert row["provider"] == "Rival DC" and row["share"] == 40.0 and row["notice_days"] == 90
    assert row["competitor"] is True and row["pass_through"] is False and row["alternative"] is False


def test_unknown_notice_is_allowed_and_empty_tables_are_none():
    (row,) = clean_rows([{**ROW, "notice_days": ""}])
    assert row["notice_days"] is None
    assert clean_rows(None) == [] and clean_rows([]) == []


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"provider": ""}, "Row 1: name the provider."),
        ({"share": "140"}, "Row 1: share is a percentage from 0 to 100."),
        ({"share": "NaN"}, "Row 1: share is a percentage from 0 to 100."),
        ({"notice_days": "-5"}, "Row 1: notice is a whole number of days"),
        ({"notice_days": "2.5"}, "Row 1: notice is a whole number of days"),
        ({"role": "magic"}, "Row 1: role must be one of"),
        ({"arrangement": ""}, "Row 1: arrangement must be one of"),
        ({"kind": "moon"}, "Row 1: kind must be one of"),
        ({"competitor": "maybe"}, "Row 1: competitor is yes or no"),
        ({"provider": "x" * 201}, "Row 1: provider is longer than 200 characters."),
        ({"evil": "1"}, "Row 1: unknown column(s) evil."),
    ],
)
def test_bad_rows_are_named_by_row_number(change, message):
    with pytest.raises(TableError) as exc:
        clean_rows([{**ROW, **change}])
    assert any(p.startswith(message) for p in exc.value.problems), exc.value.problems


def test_shares_of_one_role_cannot_exceed_100_and_every_problem_is_reported():
    rows = [{**ROW, "share": "70"}, {**ROW, "provider": "Cloud", "share": "60"}, {**ROW, "provider": ""}]
    with pytest.raises(TableError) as exc:
        clean_rows(rows)
    assert "Row 3: name the provider." in exc.value.problems
    assert any("inference compute shares add up to 170%" in p for p in exc.value.problems)


@pytest.mark.parametrize("raw", ["text", {"a": 1}, [1, 2], [ROW] * (MAX_ROWS + 1)])
def test_the_wrong_shape_is_refused(raw):
    with pytest.raises(TableError):
        clean_rows(raw)


@settings(max_examples=150, deadline=None, derandomize=True)
@given(
    st.lists(
        st.dictionaries(
            st.sampled_from(COLUMNS),
            st.one_of(st.none(), st.booleans(), st.integers(-(10**6), 10**6), st.floats(), st.text(max_size=30)),
        ),
        max_size=5,
    )
)
def test_any_input_is_cleaned_or_refused_with_messages(raw):
    try:
        rows = clean_rows(raw)
    except TableError as exc:
        assert exc.problems and all(isinstance(p, str) and p for p in exc.problems)
    else:
        for row in rows:
            assert set(row) == set(COLUMNS) and row["provider"]
            assert row["share"] is None or 0 <= row["share"] <= 100


def test_describe_reads_like_a_sentence():
    text = describe(clean_rows([ROW]))
    assert text == "Rival DC (inference, 40%, lease, 90 d notice, us-east, competitor)"
