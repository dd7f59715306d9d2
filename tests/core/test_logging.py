"""Vendor-link tokens never reach a log: gunicorn's access and error logs, Django's request log, runserver's."""

import http.client
import json
import logging
import sys

import pytest

from procurement.core.redaction import RedactTokensFilter, redact
from tests.core.test_settings import free_port, gunicorn, manage, wait_until_serving

FEED = "cal_Qm3vB8yN0kE5tLw2xR7uC1oP4sD6fG9hJ-aXbYcZdE_"
TOKEN = "Zq3vB8yN0kE5tLw2xR7uC1oP4sD6fG9hJ-aXbYcZdE_:8dGQ1xV0zYk3tq-WmN2bR5cH7uJ9oL4pS6eA1fD3gK0"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (f'"GET /portal/{TOKEN}/ HTTP/1.1" 302 0', '"GET /portal/<redacted>/ HTTP/1.1" 302 0'),
        (f"Gone: /portal/{TOKEN}/", "Gone: /portal/<redacted>/"),
        (f"/portal/{TOKEN}", "/portal/<redacted>"),
        (f"/portal/{TOKEN}/?utm=x", "/portal/<redacted>/?utm=x"),
        ("/portal/guess:abc/", "/portal/<redacted>/"),
        (f"/accounts/login/?next=/portal/{TOKEN}/", "/accounts/login/?next=/portal/<redacted>/"),
        (f"next=%2Fportal%2F{TOKEN}%2F", "next=%2Fportal%2F<redacted>%2F"),
        (f'"https://dd.example.com/portal/{TOKEN}/"', '"https://dd.example.com/portal/<redacted>/"'),
        # The portal's fixed routes stay readable.
        ("/portal/a/12/sections/SUP/", "/portal/a/12/sections/SUP/"),
        ("/portal/leave/", "/portal/leave/"),
        ("/assessments/12/vendor-links/", "/assessments/12/vendor-links/"),
        # A calendar feed's secret: the whole segment after /calendar/feed/, whatever it is.
        (
            f'"GET /portfolio/calendar/feed/{FEED}.ics HTTP/1.1" 200',
            '"GET /portfolio/calendar/feed/<redacted> HTTP/1.1" 200',
        ),
        (f"Not Found: /portfolio/calendar/feed/{FEED}.ics", "Not Found: /portfolio/calendar/feed/<redacted>"),
        (f"next=%2Fportfolio%2Fcalendar%2Ffeed%2F{FEED}.ics", "next=%2Fportfolio%2Fcalendar%2Ffeed%2F<redacted>"),
        ("/portfolio/calendar/feed/guess/", "/portfolio/calendar/feed/<redacted>/"),
        ("/portfolio/calendar/?kind=review", "/portfolio/calendar/?kind=review"),
        ("/accounts/calendar-feed/", "/accounts/calendar-feed/"),
        # Letters percent-encoded in the path route the same: matched decoded, still redacted.
        (f"/portfolio/calendar/%66eed/{FEED}.ics", "/portfolio/calendar/feed/<redacted>"),
        (f"/portfolio/%63alendar/feed/{FEED}.ics", "/portfolio/calendar/feed/<redacted>"),
        (f"/p%6Frtal/{TOKEN}/", "/portal/<redacted>/"),
        # A feed secret anywhere else in a line.
        (f"referer={FEED}", "referer=<redacted>"),
    ],
)
def test_redact_replaces_the_token_segment_only(text, expected):
    assert redact(text) == expected


def test_the_filter_redacts_messages_and_exception_text_but_keeps_file_names():
    try:
        raise ValueError(f"bad link /portal/{TOKEN}/")
    except ValueError:
        record = logging.getLogger("django.request").makeRecord(
            "django.request",
            logging.ERROR,
            __file__,
            1,
            "Internal Server Error: %s",
            (f"/portal/{TOKEN}/",),
            sys.exc_info(),
        )
    assert RedactTokensFilter().filter(record) is True
    text = logging.Formatter().format(record)
    assert TOKEN not in text
    assert "Internal Server Error: /portal/<redacted>/" in text and "bad link /portal/<redacted>/" in text
    assert "tests/core/test_logging.py" in text


def _emitted(name: str, msg: str, *args) -> list[str]:
    """What each handler on the way from logger ``name`` to the root would print for a warning."""
    logger = logging.getLogger(name)
    out = []
    record = logger.makeRecord(name, logging.WARNING, __file__, 1, msg, args, None)
    while logger:
        for handler in logger.handlers:
            if record.levelno >= handler.level and handler.filter(record):
                out.append(handler.format(record))
        logger = logger.parent if logger.propagate else None
    return out


@pytest.mark.parametrize(
    ("name", "msg", "args"),
    [
        ("django.request", "Not Found: %s", (f"/portal/{TOKEN}/",)),
        ("django.request", "Gone: %s", (f"/portal/{TOKEN}/",)),
        ("django.server", '"%s" %s %s', (f"GET /portal/{TOKEN}/ HTTP/1.1", "302", "0")),  # runserver
        ("django.security.csrf", "Forbidden (%s): %s", ("CSRF cookie not set.", f"/portal/{TOKEN}/")),
    ],
)
def test_every_django_log_handler_redacts_tokens(name, msg, args):
    lines = _emitted(name, msg, *args)
    assert lines and all(TOKEN not in line and "/portal/<redacted>/" in line for line in lines)


SETUP = """
import datetime as dt, json, secrets
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings
from django.utils import timezone
from procurement.assessments.services import assessment_create
from procurement.core.models import Organisation
from procurement.portal.models import Invitation
from procurement.portal.services import invitation_token
from procurement.questionbank.services import bank_load
from procurement.vendors.models import AIService, Vendor, VendorContact

# The tables straight from the models, as the suite's own databases are (migrating from empty is
# tests/core/test_migrate.py's test, and 7 s of CPU): no app's migrations are read.
class NoMigrations(dict):
    def __contains__(self, app):
        return True

    def __getitem__(self, app):
        return None

with override_settings(MIGRATION_MODULES=NoMigrations()):
    call_command("migrate", run_syncdb=True, verbosity=0)
bank = bank_load(raw=open("fixtures/banks/ai-vendor-due-diligence.yaml", "rb").read(), source="bank").version.bank
user = get_user_model().objects.create_user(username="ana", password="x" * 20)
org = Organisation.objects.create(name="Acme", slug="acme")
vendor = Vendor.objects.create(organisation=org, name="Frontier")
service = AIService.objects.create(vendor=vendor, name="Frontier API")
assessment = assessment_create(service=service, bank=bank, by=user)
now = timezone.now()
tokens = {}
for name, created, expires, revoked in [
    ("live", now, now + dt.timedelta(days=14), None),
    ("expired", now - dt.timedelta(days=30), now - dt.timedelta(days=1), None),
    ("revoked", now, now + dt.timedelta(days=14), now),
]:
    contact = VendorContact.objects.create(vendor=vendor, name=name, email=name + "@frontier.example")
    invitation = Invitation.objects.create(
        assessment=assessment, contact=contact, key=secrets.token_urlsafe(32), created_by=user,
        created_at=created, expires_at=expires, revoked_at=revoked,
    )
    tokens[name] = invitation_token(invitation)
print(json.dumps({"tokens": tokens, "assessment": assessment.pk}))
"""


def _get(port: int, path: str) -> int:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers={"X-Forwarded-Proto": "https"})
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()


def test_gunicorn_logs_no_link_token_live_or_dead(tmp_path, served_env):
    """A real gunicorn with production settings; its stdout and stderr are the logs."""
    env = {**served_env, "DATABASE_NAME": str(tmp_path / "db.sqlite3")}
    setup = manage("shell", "-c", SETUP, env=env)
    assert setup.returncode == 0, setup.stderr
    data = json.loads(setup.stdout.strip().splitlines()[-1])
    tokens, pk = data["tokens"], data["assessment"]
    garbage = "nOtAtOkEn-but-a-guess:xYz123"

    port = free_port()
    out, err = tmp_path / "stdout.log", tmp_path / "stderr.log"
    with out.open("wb") as stdout, err.open("wb") as stderr:
        proc = gunicorn(port, env, tmp_path, stdout=stdout, stderr=stderr)
        try:
            wait_until_serving(port)
            assert _get(port, f"/portal/{tokens['live']}/") == 302
            assert _get(port, f"/portal/{tokens['expired']}/") == 410
            assert _get(port, f"/portal/{tokens['revoked']}/") == 410
            assert _get(port, f"/portal/{garbage}/") == 404
            assert _get(port, f"/portal/a/{pk}/") == 404  # no session: readable in the log
        finally:
            proc.terminate()
            proc.wait(timeout=10)
    access, errors = out.read_text(), err.read_text()
    logs = access + errors
    for secret in [*tokens.values(), garbage]:
        assert secret not in logs
        assert secret.split(":")[0] not in logs  # nor the invitation key alone
    assert access.count('"GET /portal/<redacted>/ HTTP/1.1" 302') == 1
    assert access.count('"GET /portal/<redacted>/ HTTP/1.1" 410') == 2
    assert access.count('"GET /portal/<redacted>/ HTTP/1.1" 404') == 1
    assert f'"GET /portal/a/{pk}/ HTTP/1.1" 404' in access
    # Django's request log (gunicorn's stderr) names the same requests, redacted.
    assert errors.count("Gone: /portal/<redacted>/") == 2
    assert "Not Found: /portal/<redacted>/" in errors and f"Not Found: /portal/a/{pk}/" in errors
