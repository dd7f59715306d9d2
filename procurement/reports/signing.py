"""Integrity signatures on exported JSON records.

An export is an envelope ``{"format", "version", "record", "signature"}``. The
signature is an HMAC-SHA256, under the installation's RECORD_SIGNING_KEY, of
the canonical JSON of the envelope without its signature (keys sorted, no
whitespace, UTF-8). The frozen record inside is not touched: its own hash
(``Assessment.frozen_hash``) keeps its format.

The key id (an HMAC of a fixed string under the key) tells "signed elsewhere"
from "changed after export" without revealing the key.
"""

from __future__ import annotations

import enum
import hashlib
import hmac
import json

from django.conf import settings

ALGORITHM = "hmac-sha256"
_KEY_ID_MESSAGE = b"ai-due-diligence-record key id"


class Verdict(enum.Enum):
    VERIFIED = "verified"
    UNSIGNED = "unsigned"  # no signature, or not one this code can read
    OTHER_KEY = "other_key"  # signed with a key other than the one checked against
    MISMATCH = "mismatch"  # signed with this key, but the content changed after signing


def signing_key() -> str:
    """The installation's record-signing key (read when called, not at import)."""
    return settings.RECORD_SIGNING_KEY


def canonical_bytes(envelope: dict) -> bytes:
    """The bytes the signature covers: everything in the envelope except the signature."""
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    return json.dumps(unsigned, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def key_id(key: str) -> str:
    return hmac.new(key.encode(), _KEY_ID_MESSAGE, hashlib.sha256).hexdigest()[:16]


def envelope_signature(envelope: dict, *, key: str) -> dict:
    return {
        "algorithm": ALGORITHM,
        "key_id": key_id(key),
        "value": hmac.new(key.encode(), canonical_bytes(envelope), hashlib.sha256).hexdigest(),
    }


def envelope_sign(envelope: dict, *, key: str | None = None) -> dict:
    """The envelope with its signature (under ``key``, default the installation's)."""
    unsigned = {k: v for k, v in envelope.items() if k != "signature"}
    return unsigned | {"signature": envelope_signature(unsigned, key=key or signing_key())}


def envelope_verify(envelope: dict, *, key: str | None = None) -> Verdict:
    """Check the envelope's signature against ``key`` (default the installation's). Constant-time."""
    key = key or signing_key()
    signature = envelope.get("signature")
    if (
        not isinstance(signature, dict)
        or signature.get("algorithm") != ALGORITHM
        or not isinstance(signature.get("value"), str)
    ):
        return Verdict.UNSIGNED
    expected = envelope_signature(envelope, key=key)
    if hmac.compare_digest(expected["value"].encode(), signature["value"].encode()):
        return Verdict.VERIFIED
    if not hmac.compare_digest(expected["key_id"].encode(), str(signature.get("key_id", "")).encode()):
        return Verdict.OTHER_KEY
    return Verdict.MISMATCH
