"""The strict loader: one reader for the YAML and JSON documents that come from outside
(question-bank files, answer files, intake files).

Pure Python (PyYAML and the standard library, no Django), so the bank format, the
answer-file import and the command-line tools share one set of limits:

* scalars mean what they look like: only ``null`` (and ``~`` or nothing), ``true`` and
  ``false`` resolve implicitly; every other plain scalar is a string, quoted or not. YAML 1.1
  reads ``10_30`` as 1030, ``yes``/``no``/``on``/``off`` as booleans, ``012`` as 10 (octal) and
  ``2026-01-01`` as a date; even a YAML 1.2 core resolver reads ``012`` and ``1e3`` as numbers.
  Numbers, dates and booleans are converted by the schema that asks for them
  (procurement.core.scalars), so ``'10_30'`` and ``10_30`` are the same text;
* no aliases or anchors (``*a``/``&a``): a 500-byte file of nested aliases otherwise
  expands into gigabytes once anything walks it ("billion laughs");
* nesting depth, node count and integer length are bounded, so a crafted file is refused
  after a bounded amount of work instead of exhausting the stack, the CPU or memory;
* only the core YAML tags: ``!!binary``, ``!!set``, ``!!omap`` and Python tags are refused;
* every string is valid Unicode text: no lone surrogates (``"\\ud800"``) and no control
  characters other than tab and line breaks;
* invalid dates and duplicate keys are problems with a line number, never exceptions.

Each problem names the file and, where known, the line. Callers wrap ``LoadError`` in
their own error type.
"""

from __future__ import annotations

import json
import re
from typing import Any

import yaml
from yaml.constructor import ConstructorError, SafeConstructor

from procurement.core.text import text_problem

MAX_DEPTH = 32
MAX_NODES = 200_000
MAX_INT_DIGITS = 30


class LoadError(Exception):
    """A document that cannot be read; ``where`` is ``source`` or ``source:line``."""

    def __init__(self, where: str, message: str):
        self.where, self.message = where, message
        super().__init__(f"{where}: {message}" if where else message)


# --- YAML ------------------------------------------------------------------------------


class LineDict(dict):
    """A mapping that remembers the line it started on, and the line of each key."""

    line: int = 0

    def key_line(self, key) -> int:
        return getattr(self, "key_lines", {}).get(key, self.line)


class LineList(list):
    line: int = 0


class StrictLoader(yaml.SafeLoader):
    """SafeLoader without aliases, anchors or non-core tags, with bounded depth and size;
    mappings remember their line and refuse duplicate keys."""

    max_depth = MAX_DEPTH
    max_nodes = MAX_NODES

    def __init__(self, stream):
        super().__init__(stream)
        self._depth = 0
        self._nodes = 0

    def compose_node(self, parent, index):
        event = self.peek_event()
        if isinstance(event, yaml.AliasEvent):
            raise ConstructorError(
                None, None, f"aliases (*{event.anchor}) are not allowed; write the value out", event.start_mark
            )
        if getattr(event, "anchor", None):
            raise ConstructorError(
                None, None, f"anchors (&{event.anchor}) are not allowed; write the value out", event.start_mark
            )
        self._nodes += 1
        if self._nodes > self.max_nodes:
            raise ConstructorError(None, None, f"more than {self.max_nodes} values in one file", event.start_mark)
        if not isinstance(event, yaml.SequenceStartEvent | yaml.MappingStartEvent):
            return super().compose_node(parent, index)
        self._depth += 1
        if self._depth > self.max_depth:
            raise ConstructorError(None, None, f"nested more than {self.max_depth} levels deep", event.start_mark)
        try:
            return super().compose_node(parent, index)
        finally:
            self._depth -= 1


def _construct_map(loader: StrictLoader, node: yaml.MappingNode):
    data = LineDict()
    data.line = node.start_mark.line + 1
    data.key_lines = {}
    yield data
    loader.flatten_mapping(node)
    seen: set = set()
    for key_node, value_node in node.value:
        key = loader.construct_object(key_node, deep=True)
        if not isinstance(key, str | int | float | bool) and key is not None:
            raise ConstructorError(None, None, "mapping keys must be plain scalars", key_node.start_mark)
        if key in seen:
            raise ConstructorError(
                None, None, f"duplicate key {key!r} (the second would silently win)", key_node.start_mark
            )
        seen.add(key)
        data.key_lines[key] = key_node.start_mark.line + 1
        data[key] = loader.construct_object(value_node, deep=True)


def _construct_seq(loader: StrictLoader, node: yaml.SequenceNode):
    data = LineList()
    data.line = node.start_mark.line + 1
    yield data
    data.extend(loader.construct_sequence(node, deep=True))


def _construct_str(loader: StrictLoader, node: yaml.ScalarNode) -> str:
    value = loader.construct_scalar(node)
    problem = text_problem(value)
    if problem:
        raise ConstructorError(None, None, f"text {problem}", node.start_mark)
    return value


def _construct_int(loader: StrictLoader, node: yaml.ScalarNode) -> int:
    if len(node.value) > MAX_INT_DIGITS:
        raise ConstructorError(None, None, f"a number longer than {MAX_INT_DIGITS} digits", node.start_mark)
    return SafeConstructor.construct_yaml_int(loader, node)


def _construct_timestamp(loader: StrictLoader, node: yaml.ScalarNode):
    try:
        return SafeConstructor.construct_yaml_timestamp(loader, node)
    except ValueError as exc:
        raise ConstructorError(None, None, f"{node.value!r} is not a valid date ({exc})", node.start_mark) from None


def _construct_other(loader: StrictLoader, node: yaml.Node):
    raise ConstructorError(None, None, f"the tag {node.tag} is not allowed", node.start_mark)


StrictLoader.yaml_constructors = {
    "tag:yaml.org,2002:null": SafeConstructor.construct_yaml_null,
    "tag:yaml.org,2002:bool": SafeConstructor.construct_yaml_bool,
    "tag:yaml.org,2002:int": _construct_int,
    "tag:yaml.org,2002:float": SafeConstructor.construct_yaml_float,
    "tag:yaml.org,2002:str": _construct_str,
    "tag:yaml.org,2002:timestamp": _construct_timestamp,
    "tag:yaml.org,2002:map": _construct_map,
    "tag:yaml.org,2002:seq": _construct_seq,
    None: _construct_other,
}


# Implicit resolution: null and the two booleans, spelled exactly so; nothing else. Explicit
# core tags (``!!int 12``) still work, within the same limits.
StrictLoader.yaml_implicit_resolvers = {}
StrictLoader.add_implicit_resolver("tag:yaml.org,2002:null", re.compile(r"^(?:~|null|)$"), ["~", "n", ""])
StrictLoader.add_implicit_resolver("tag:yaml.org,2002:bool", re.compile(r"^(?:true|false)$"), ["t", "f"])


def _decode(raw: bytes | str, *, source: str, max_bytes: int) -> str:
    size = len(raw.encode("utf-8", "surrogatepass") if isinstance(raw, str) else raw)
    if size > max_bytes:
        raise LoadError(source, f"file is {size} bytes; the limit is {max_bytes} bytes")
    if isinstance(raw, str):
        return raw
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise LoadError(source, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None


def load_yaml(raw: bytes | str, *, source: str, max_bytes: int) -> Any:
    text = _decode(raw, source=source, max_bytes=max_bytes)
    loader = None
    try:
        loader = StrictLoader(text)  # the reader checks the characters here already
        return loader.get_single_data()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f"{source}:{mark.line + 1}" if mark else source
        message = " ".join(str(part) for part in (exc.context, exc.problem) if part)
        raise LoadError(where, f"invalid YAML: {message}") from None
    except yaml.YAMLError as exc:
        raise LoadError(source, f"invalid YAML: {exc}") from None
    except (ValueError, KeyError, AttributeError, TypeError) as exc:
        # An explicit core tag on a value it cannot hold (`!!int hello`, `!!bool maybe`, `!!map x`).
        raise LoadError(source, f"invalid YAML: a tagged value that does not fit its tag ({exc!r})") from None
    finally:
        if loader is not None:
            loader.dispose()


# --- JSON ------------------------------------------------------------------------------

_JSON_STRING = re.compile(r'"(?:[^"\\]|\\.)*"', re.DOTALL)
_JSON_BRACKET = re.compile(r"[\[\]{}]")


def _json_depth(text: str, limit: int) -> int | None:
    """The line where nesting first passes ``limit``, or None; strings are skipped first, so
    brackets inside them do not count. Runs before the (recursive) JSON parser sees the text."""
    depth = 0
    bare = _JSON_STRING.sub('""', text)
    for match in _JSON_BRACKET.finditer(bare):
        depth += 1 if match.group() in "[{" else -1
        if depth > limit:
            return bare.count("\n", 0, match.start()) + 1
    return None


def _json_int(digits: str) -> int:
    if len(digits.lstrip("-")) > MAX_INT_DIGITS:
        raise ValueError(f"a number longer than {MAX_INT_DIGITS} digits")
    return int(digits)


def _json_constant(name: str):
    raise ValueError(f"{name} is not a number this file can hold")


def _json_object(pairs: list[tuple[str, Any]]) -> dict:
    data: dict = {}
    for key, value in pairs:
        if key in data:
            raise ValueError(f"duplicate key {key!r} (the second would silently win)")
        data[key] = value
    return data


def _json_text_problem(data: Any) -> str | None:
    stack = [data]
    while stack:
        item = stack.pop()
        if isinstance(item, str):
            problem = text_problem(item)
            if problem:
                return f"text {problem}"
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return None


def load_json(raw: bytes | str, *, source: str, max_bytes: int) -> Any:
    text = _decode(raw, source=source, max_bytes=max_bytes)
    line = _json_depth(text, MAX_DEPTH)
    if line is not None:
        raise LoadError(f"{source}:{line}", f"nested more than {MAX_DEPTH} levels deep")
    try:
        data = json.loads(text, parse_int=_json_int, parse_constant=_json_constant, object_pairs_hook=_json_object)
    except json.JSONDecodeError as exc:
        raise LoadError(f"{source}:{exc.lineno}", f"invalid JSON: {exc.msg}") from None
    except ValueError as exc:
        raise LoadError(source, f"invalid JSON: {exc}") from None
    problem = _json_text_problem(data)
    if problem:
        raise LoadError(source, problem)
    return data
