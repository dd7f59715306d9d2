"""Question-bank documents: the YAML file format, parsed, validated, written.

Pure Python (PyYAML only, no Django), so it is tested without a database and
serves three callers with one set of rules:

* ``parse_document`` (``parse``) reads a file into a normalised document and
  validates it;
* publishing a version serialises the rows back into a document and runs the
  same validation (``validate``), so a version edited in the admin meets the
  rules a file does;
* ``dump_document`` (``write``) writes a document back out.

A *normalised* document has every default filled in, so two documents that
mean the same thing compare equal. See docs/question-bank-format.md.
"""

from procurement.questionbank.document.parse import parse_document, read_yaml
from procurement.questionbank.document.schema import (
    ANSWER_TYPES,
    AUDIENCES,
    BANDED_TYPES,
    CHOICE_TYPES,
    CODE_RE,
    FORMAT_VERSION,
    SCORABLE_TYPES,
    SLUG_RE,
    WEIGHT_NAMES,
    WEIGHTS,
    YES_NO_LABELS,
    BankFileError,
    Problem,
)
from procurement.questionbank.document.validate import validate_document
from procurement.questionbank.document.write import content_hash, dump_document

__all__ = [
    "ANSWER_TYPES",
    "AUDIENCES",
    "BANDED_TYPES",
    "CHOICE_TYPES",
    "CODE_RE",
    "FORMAT_VERSION",
    "SCORABLE_TYPES",
    "SLUG_RE",
    "WEIGHTS",
    "WEIGHT_NAMES",
    "YES_NO_LABELS",
    "BankFileError",
    "Problem",
    "content_hash",
    "dump_document",
    "parse_document",
    "read_yaml",
    "validate_document",
]
