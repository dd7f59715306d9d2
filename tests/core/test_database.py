"""PostgreSQL connections kept between requests are health-checked before reuse."""

import http.client
import os

import pytest
from django.db import connection

from tests.core.test_settings import free_port, gunicorn, manage, wait_until_serving

DEVELOPMENT = {"DJANGO_DEBUG": "1", "DJANGO_ALLOWED_HOSTS": "127.0.0.1"}


def test_postgresql_connections_are_health_checked():
    code = "from django.conf import settings; print(settings.DATABASES['default']['CONN_HEALTH_CHECKS'])"
    result = manage("shell", "-c", code, env={**DEVELOPMENT, "DATABASE_ENGINE": "postgresql"})
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip().splitlines()[-1] == "True"


def _status(port: int, path: str) -> int:
    # Generous: on a loaded machine the gunicorn worker may still be importing the app. The
    # answer is waited for, not timed.
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        conn.request("GET", path)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="needs PostgreSQL (DATABASE_ENGINE=postgresql)")
@pytest.mark.django_db(transaction=True)
def test_a_request_after_the_server_dropped_the_kept_connection_succeeds(tmp_path):
    """A real gunicorn worker keeps its connection (CONN_MAX_AGE); the server then ends it.

    Without CONN_HEALTH_CHECKS the next request runs on the dead connection and gets 500.
    """
    db = connection.settings_dict
    env = {
        **DEVELOPMENT,
        "DATABASE_ENGINE": "postgresql",
        "DATABASE_NAME": db["NAME"],
        "DATABASE_USER": db["USER"],
        "DATABASE_PASSWORD": db["PASSWORD"],
        "DATABASE_HOST": db["HOST"],
        "DATABASE_PORT": str(db["PORT"]),
        "DATABASE_CONN_MAX_AGE": "600",
    }
    port = free_port()
    proc = gunicorn(port, env, tmp_path, stdout=open(os.devnull, "wb"), stderr=open(os.devnull, "wb"))  # noqa: SIM115
    others = (
        "SELECT pid FROM pg_stat_activity WHERE datname = current_database() AND pid <> pg_backend_pid() "
        "AND backend_type = 'client backend'"
    )
    try:
        wait_until_serving(port)
        with connection.cursor() as cursor:
            cursor.execute(others)  # connections left by earlier tests (a live server's threads)
            before = {row[0] for row in cursor.fetchall()}
        assert _status(port, "/portal/not-a-link:x/") == 404  # reads and writes BadLinkAttempt
        with connection.cursor() as cursor:
            cursor.execute(others)
            kept = {row[0] for row in cursor.fetchall()} - before
            assert len(kept) == 1  # the worker's kept connection
            cursor.execute("SELECT pg_terminate_backend(%s)", [kept.pop()])
            assert cursor.fetchone()[0]
        assert _status(port, "/portal/not-a-link:y/") == 404
    finally:
        proc.terminate()
        proc.wait(timeout=10)
