"""Writing a normalised document: its content hash and the YAML export in the documented format."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import yaml

from procurement.core.loaders import LineDict, LineList
from procurement.questionbank.document.schema import (
    BANDED_TYPES,
    CHOICE_TYPES,
    FORMAT_VERSION,
    SCORABLE_TYPES,
    WEIGHT_NAMES,
)


def content_hash(doc: dict) -> str:
    """Identity of a version's content: sections, questions and rule parameters.

    The bank's name and the changelog are not part of it: changing only those
    does not make a new version.
    """
    payload = {"sections": [_hashed_section(s) for s in doc["sections"]], "rule_params": doc["version"]["rule_params"]}
    return hashlib.sha256(json.dumps(payload, sort_keys=True, separators=(",", ":")).encode()).hexdigest()


# Keys added to questions after versions were published, with the value that means "not
# used": left out of the hash at that value, so a version published before they existed
# keeps its hash (and reloading its file changes nothing).
_LATER_QUESTION_KEYS = {"limits": {}, "score_by": "", "change": "", "fresh_for_months": None}


def _hashed_section(section: dict) -> dict:
    return {
        **section,
        "questions": [
            {k: v for k, v in q.items() if k not in _LATER_QUESTION_KEYS or v != _LATER_QUESTION_KEYS[k]}
            for q in section["questions"]
        ],
    }


def dump_document(doc: dict) -> str:
    """Write a normalised document as YAML in the documented format."""
    out: dict[str, Any] = {
        "format": FORMAT_VERSION,
        "bank": {k: v for k, v in doc["bank"].items() if v or k != "description"},
        "version": {"changelog": doc["version"]["changelog"], "rule_params": doc["version"]["rule_params"]},
        "sections": [],
    }
    for section in doc["sections"]:
        s_out: dict[str, Any] = {"code": section["code"], "title": section["title"]}
        if section["description"]:
            s_out["description"] = section["description"]
        s_out["weight"] = section["weight"]
        s_out["questions"] = [_dump_question(q) for q in section["questions"]]
        out["sections"].append(s_out)
    return yaml.dump(out, Dumper=_Dumper, sort_keys=False, allow_unicode=True, width=100)


def _dump_question(q: dict) -> dict:
    out: dict[str, Any] = {"code": q["code"], "text": q["text"]}
    if q["help"]:
        out["help"] = q["help"]
    out["type"] = q["type"]
    if q["unit"]:
        out["unit"] = q["unit"]
    out["weight"] = WEIGHT_NAMES[q["weight"]]
    if q["critical"]:
        out["critical"] = True
    out["audience"] = q["audience"]
    if not q["na"]:
        out["na"] = False
    if q["scored"] != (q["type"] in SCORABLE_TYPES):
        out["scored"] = q["scored"]
    for key, value in (q.get("limits") or {}).items():
        out[key] = value
    if q.get("score_by"):
        out["score_by"] = q["score_by"]
    if q.get("change"):
        out["change"] = q["change"]
    if q.get("fresh_for_months"):
        out["fresh_for_months"] = q["fresh_for_months"]
    if q["show_if"]:
        out["show_if"] = dict(q["show_if"])
    if q["type"] in CHOICE_TYPES:
        out["choices"] = [dict(ch) for ch in q["choices"]]
    elif q["type"] == "yes_no" and any(ch["points"] is not None for ch in q["choices"]):
        out["points"] = {ch["value"]: ch["points"] for ch in q["choices"]}
    elif q["type"] in BANDED_TYPES and q["bands"]:
        out["bands"] = [dict(b) for b in q["bands"]]
    if q["refs"]:
        out["refs"] = list(q["refs"])
    return out


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, value: str):
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str_presenter)
_Dumper.add_representer(LineDict, yaml.representer.SafeRepresenter.represent_dict)
_Dumper.add_representer(LineList, yaml.representer.SafeRepresenter.represent_list)
