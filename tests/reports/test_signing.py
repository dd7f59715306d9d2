"""The export envelope's signature: canonical, keyed, and telling tampering from another key. No database."""

import json
import os

from procurement.reports.signing import Verdict, canonical_bytes, envelope_sign, envelope_verify

ENVELOPE = {"format": "ai-due-diligence-record", "version": 1, "record": {"b": [1, 2.5, "é"], "a": {"z": None}}}


def test_the_signature_survives_re_serialisation_with_any_key_order_or_indent():
    signed = envelope_sign(ENVELOPE, key="k1")
    reparsed = json.loads(json.dumps(dict(reversed(list(signed.items()))), indent=4, ensure_ascii=True))
    assert canonical_bytes(reparsed) == canonical_bytes(signed)
    assert envelope_verify(reparsed, key="k1") is Verdict.VERIFIED


def test_verify_tells_unsigned_tampered_and_other_key_apart():
    signed = envelope_sign(ENVELOPE, key="k1")
    assert envelope_verify(ENVELOPE, key="k1") is Verdict.UNSIGNED
    assert envelope_verify(signed | {"signature": {"value": signed["signature"]["value"]}}, key="k1") is (
        Verdict.UNSIGNED
    )
    assert envelope_verify(signed | {"version": 2}, key="k1") is Verdict.MISMATCH
    assert envelope_verify(signed, key="k2") is Verdict.OTHER_KEY


def test_the_default_key_is_the_installations_setting(settings):
    settings.RECORD_SIGNING_KEY = "installation-key"
    signed = envelope_sign(ENVELOPE)
    assert envelope_verify(signed, key="installation-key") is Verdict.VERIFIED
    settings.RECORD_SIGNING_KEY = "rotated"
    assert envelope_verify(signed) is Verdict.OTHER_KEY


def test_the_default_setting_is_derived_from_the_secret_key_not_equal_to_it():
    from django.conf import settings
    from django.utils.crypto import salted_hmac

    derived = salted_hmac(
        "procurement.reports.record_signing", "record signing key", secret=settings.SECRET_KEY, algorithm="sha256"
    ).hexdigest()
    assert settings.RECORD_SIGNING_KEY in (derived, os.environ.get("DJANGO_RECORD_SIGNING_KEY"))
    assert settings.RECORD_SIGNING_KEY != settings.SECRET_KEY
