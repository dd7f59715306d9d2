import pytest

from tests.core.test_settings import PRODUCTION, manage


@pytest.fixture(scope="session")
def served_env(tmp_path_factory) -> dict:
    """Production settings for a loopback gunicorn, with static files collected once per run:
    collectstatic compresses every file (whitenoise): 10 s of CPU, 11 MB (measured 2026-11-27)."""
    env = {
        **PRODUCTION,
        "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
        "DJANGO_SECURE_SSL_REDIRECT": "0",
        "DJANGO_STATIC_ROOT": str(tmp_path_factory.mktemp("static")),
    }
    collected = manage("collectstatic", "--noinput", env=env)
    assert collected.returncode == 0, collected.stderr
    return env
