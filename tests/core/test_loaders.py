"""The strict loader: aliases, anchors, depth, size, integers, dates, tags and text are bounded
or refused with a line number; nothing else ever escapes it."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from procurement.core.loaders import MAX_DEPTH, LoadError, load_json, load_yaml
from procurement.core.scalars import to_date, to_number
from procurement.core.text import strip_unstorable, text_problem

ROOT = Path(__file__).resolve().parents[2]
LIMIT = 2 * 1024 * 1024


def laughs(levels: int) -> str:
    """The red team's file: each line holds nine references to the line before."""
    lines = [
        'a0: &a0 ["lolololol", "lolololol", "lolololol", "lolololol", "lolololol", "lolololol", '
        '"lolololol", "lolololol", "lolololol"]'
    ]
    lines += [f"a{i}: &a{i} [{', '.join([f'*a{i - 1}'] * 9)}]" for i in range(1, levels)]
    lines.append(f"CAP-01: *a{levels - 1}")
    return "\n".join(lines) + "\n"


def test_aliases_and_anchors_are_refused_with_their_line():
    with pytest.raises(LoadError) as exc:
        load_yaml(laughs(4), source="l.yaml", max_bytes=LIMIT)
    assert exc.value.where == "l.yaml:1" and "anchors (&a0) are not allowed" in exc.value.message
    with pytest.raises(LoadError) as exc:
        load_yaml("a: [1]\nb: *a\n", source="l.yaml", max_bytes=LIMIT)
    assert exc.value.where == "l.yaml:2" and "aliases (*a) are not allowed" in exc.value.message


def test_alias_expansion_costs_a_bounded_amount_of_cpu():
    """Nine levels expand to 387 million strings when walked; refused, it costs next to nothing.
    Run in a child process with a CPU limit, so a regression is killed instead of hanging the suite."""
    code = (
        "import resource, sys\n"
        "resource.setrlimit(resource.RLIMIT_CPU, (20, 20))\n"
        "from procurement.core.loaders import LoadError, load_yaml\n"
        "from tests.core.test_loaders import laughs\n"
        "try:\n"
        "    data = load_yaml(laughs(9), source='l.yaml', max_bytes=1 << 21)\n"
        "    str(data)\n"
        "except LoadError as exc:\n"
        "    print(exc)\n"
        "print(resource.getrusage(resource.RUSAGE_SELF).ru_utime)\n"
    )
    proc = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False)  # noqa: S603
    assert proc.returncode == 0, proc.stderr
    message, cpu_seconds = proc.stdout.splitlines()
    assert "not allowed" in message
    assert float(cpu_seconds) < 5  # importing PyYAML and the refusal; the expansion would take minutes


@pytest.mark.parametrize("load", [load_json, load_yaml])
def test_deep_nesting_is_refused_before_the_parser_recurses(load):
    deep = '{"CAP-01": ' + "[" * 100_000 + "]" * 100_000 + "}"
    with pytest.raises(LoadError) as exc:
        load(deep, source="d", max_bytes=LIMIT)
    assert f"nested more than {MAX_DEPTH} levels deep" in exc.value.message
    # The document itself is one level; MAX_DEPTH levels in all are fine.
    fine = load('{"CAP-01": ' + "[" * (MAX_DEPTH - 1) + "]" * (MAX_DEPTH - 1) + "}", source="d", max_bytes=LIMIT)
    depth, item = 1, fine["CAP-01"]
    while isinstance(item, list):
        depth, item = depth + 1, item[0] if item else None
    assert depth == MAX_DEPTH


def test_brackets_inside_json_strings_do_not_count_as_nesting():
    text = json.dumps({"CAP-01": "[" * 1000 + '"\\' + "{" * 1000})
    assert load_json(text, source="s", max_bytes=LIMIT)["CAP-01"].startswith("[[[")


@pytest.mark.parametrize("text", ['{"LOC-07": %s}', "LOC-07: !!int %s\n"])
def test_integers_longer_than_thirty_digits_are_refused(text):
    load = load_json if text.startswith("{") else load_yaml
    with pytest.raises(LoadError) as exc:
        load(text % ("9" * 5000), source="n", max_bytes=LIMIT)
    assert "longer than 30 digits" in exc.value.message
    assert load(text % ("9" * 30), source="n", max_bytes=LIMIT)["LOC-07"] == int("9" * 30)


def test_a_long_plain_yaml_number_is_text_and_refused_where_a_number_is_asked_for():
    assert load_yaml("LOC-07: " + "9" * 5000 + "\n", source="n", max_bytes=LIMIT)["LOC-07"] == "9" * 5000
    with pytest.raises(ValueError, match="longer than 30 digits"):
        to_number("9" * 5000)
    assert to_number("9" * 30) == int("9" * 30)


@pytest.mark.parametrize("value", ["9999-99-99", "2020-01-01T25:99:99", "2023-02-30"])
def test_invalid_yaml_dates_are_a_problem_with_a_line(value):
    """A plain date is text (converted where a date is asked for); an explicit timestamp is checked here."""
    assert load_yaml(f"SEC-01A: {value}\n", source="d.yaml", max_bytes=LIMIT)["SEC-01A"] == value
    with pytest.raises(ValueError, match="not a"):
        to_date(value)
    with pytest.raises(LoadError) as exc:
        load_yaml(f"CAP-01: x\nSEC-01A: !!timestamp {value}\n", source="d.yaml", max_bytes=LIMIT)
    assert exc.value.where == "d.yaml:2" and "is not a valid date" in exc.value.message


# --- Strict scalars: the YAML 1.1 traps -----------------------------------------------

TRAPS = [
    # (as written, what the loader returns, what YAML 1.1 would have made of it)
    ("10_30", "10_30", 1030),
    ("30_100", "30_100", 30100),
    ("yes", "yes", True),
    ("no", "no", False),
    ("on", "on", True),
    ("off", "off", False),
    ("Y", "Y", "Y"),
    ("012", "012", 10),
    ("1e3", "1e3", "1e3"),
    ("1.0e+3", "1.0e+3", 1000.0),
    ("0x10", "0x10", 16),
    ("2026-01-01", "2026-01-01", __import__("datetime").date(2026, 1, 1)),
    ("12:30", "12:30", 750),
    (".inf", ".inf", float("inf")),
    ("90", "90", 90),
    ("2.5", "2.5", 2.5),
    ("True", "True", True),
    ("NULL", "NULL", None),
    ("~", None, None),
    ("null", None, None),
    ("", None, None),
    ("true", True, True),
    ("false", False, False),
    ("'10_30'", "10_30", "10_30"),
    ('"yes"', "yes", "yes"),
    ("'012'", "012", "012"),
]


@pytest.mark.parametrize(("written", "strict", "yaml_1_1"), TRAPS)
def test_only_null_true_and_false_resolve_implicitly(written, strict, yaml_1_1):
    import yaml

    assert load_yaml(f"A: {written}\n", source="t.yaml", max_bytes=LIMIT)["A"] == strict
    # The trap is real: what a YAML 1.1 safe loader reads instead.
    assert yaml.safe_load(f"A: {written}\n")["A"] == yaml_1_1


@pytest.mark.parametrize(
    ("text", "number"), [("90", 90), ("-30", -30), ("012", 12), ("2.5", 2.5), ("+7", 7), (" 14 ", 14)]
)
def test_plain_decimals_convert_to_numbers_where_a_number_is_asked_for(text, number):
    assert to_number(text) == number and type(to_number(text)) is type(number)


@pytest.mark.parametrize("text", ["1e3", "10_30", "0x10", "1,000", ".inf", "nan", "12:30", "yes", "", "1.", ".5"])
def test_text_that_only_a_yaml_1_1_reader_takes_for_a_number_is_refused(text):
    with pytest.raises(ValueError, match="not a number"):
        to_number(text)


def test_booleans_and_none_are_never_numbers_or_dates():
    for value in (True, False, None):
        with pytest.raises(ValueError):
            to_number(value)
        with pytest.raises(ValueError):
            to_date(value)
    assert to_date("2026-01-01").isoformat() == "2026-01-01"
    with pytest.raises(ValueError):
        to_date("20260101")  # fromisoformat would take it; a file should not


@pytest.mark.parametrize("tag", ["!!binary aGVsbG8=", "!!set {a, b}", "!!omap [a: 1]", "!!python/name:os.system"])
def test_only_core_yaml_tags_are_accepted(tag):
    with pytest.raises(LoadError) as exc:
        load_yaml(f"CAP-01: {tag}\n", source="t.yaml", max_bytes=LIMIT)
    assert "is not allowed" in exc.value.message


@pytest.mark.parametrize(
    ("load", "text"),
    [(load_json, '{"CAP-01": "x\\ud800y"}'), (load_yaml, 'CAP-01: "x\\ud800y"\n')],
)
def test_a_lone_surrogate_is_refused(load, text):
    with pytest.raises(LoadError) as exc:
        load(text, source="s", max_bytes=LIMIT)
    assert "lone surrogate" in exc.value.message


@pytest.mark.parametrize(("load", "text"), [(load_json, '{"a": "x\\u000by"}'), (load_yaml, 'a: "x\\vy"\n')])
def test_control_characters_are_refused(load, text):
    with pytest.raises(LoadError) as exc:
        load(text, source="c", max_bytes=LIMIT)
    assert "control character (U+000B)" in exc.value.message


def test_duplicate_json_keys_are_refused():
    with pytest.raises(LoadError) as exc:
        load_json('{"a": 1, "a": 2}', source="k", max_bytes=LIMIT)
    assert "duplicate key 'a'" in exc.value.message


@pytest.mark.parametrize("text", ['{"a": NaN}', '{"a": Infinity}', '{"a": -Infinity}'])
def test_json_constants_that_are_not_numbers_are_refused(text):
    with pytest.raises(LoadError):
        load_json(text, source="k", max_bytes=LIMIT)


def test_size_is_checked_before_anything_is_parsed():
    with pytest.raises(LoadError) as exc:
        load_yaml("a: " + "x" * 200, source="big", max_bytes=100)
    assert "the limit is 100 bytes" in exc.value.message


def test_text_problem_accepts_tabs_and_line_breaks_and_strip_removes_what_it_refuses():
    assert text_problem("a\tb\r\nc é 漢 😀") is None
    for bad in ("\x00", "\x01", "\x0b", "\x7f", "\x85", "\ud800"):
        assert text_problem(f"a{bad}b") is not None
        assert strip_unstorable(f"a{bad}b") == "ab"


@pytest.mark.parametrize("value", ["!!int hello", "!!float hello", "!!bool maybe", "!!timestamp x", "!!map x"])
def test_a_core_tag_on_a_value_it_cannot_hold_is_a_problem_not_a_crash(value):
    """Found in review: these raised ValueError, KeyError or AttributeError, so an import gave a 500."""
    with pytest.raises(LoadError) as exc:
        load_yaml(f"A1: {value}\n", source="t.yaml", max_bytes=LIMIT)
    assert "invalid YAML" in exc.value.message
