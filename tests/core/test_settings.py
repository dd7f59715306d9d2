"""Production settings: check --deploy passes, and the app refuses to start without a secret key."""

import os
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PRODUCTION = {
    "DJANGO_DEBUG": "0",
    "DJANGO_SECRET_KEY": "k" * 20 + "-production-secret-for-the-deploy-check-" + "x" * 20,
    "DJANGO_ALLOWED_HOSTS": "dd.example.com",
    "DJANGO_CSRF_TRUSTED_ORIGINS": "https://dd.example.com",
    "DJANGO_EMAIL_BACKEND": "django.core.mail.backends.smtp.EmailBackend",
}


def manage(*args: str, env: dict) -> subprocess.CompletedProcess:
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    clean["DJANGO_SETTINGS_MODULE"] = "procurement.settings"
    return subprocess.run(  # noqa: S603
        [sys.executable, "manage.py", *args],
        cwd=ROOT,
        env={**clean, **env},
        capture_output=True,
        text=True,
        check=False,
    )


def test_check_deploy_passes_with_production_settings():
    result = manage("check", "--deploy", "--fail-level", "WARNING", env=PRODUCTION)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_a_secret_key():
    env = {k: v for k, v in PRODUCTION.items() if k != "DJANGO_SECRET_KEY"}
    result = manage("check", env=env)
    assert result.returncode != 0 and "DJANGO_SECRET_KEY is not set" in result.stderr


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def gunicorn(port: int, env: dict, tmp_path: Path, **popen) -> subprocess.Popen:
    """A real gunicorn with gunicorn.conf.py, one worker, on 127.0.0.1:port; the caller stops it."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_"))}
    return subprocess.Popen(  # noqa: S603
        [
            str(Path(sys.executable).parent / "gunicorn"),
            "-c",
            "gunicorn.conf.py",
            "-b",
            f"127.0.0.1:{port}",
            "-w",
            "1",
            "procurement.wsgi",
        ],
        cwd=ROOT,
        env={
            **clean,
            "DATABASE_NAME": str(tmp_path / "db.sqlite3"),
            **env,
            "DJANGO_SETTINGS_MODULE": "procurement.settings",
        },
        **popen,
    )


def wait_until_serving(port: int) -> None:
    deadline = time.monotonic() + 120  # a ceiling for a loaded machine, not a timing
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=1).close()
            return
        except OSError:
            time.sleep(0.1)
    raise AssertionError(f"gunicorn is not listening on {port}")


def test_gunicorn_serves_the_app_with_production_settings(tmp_path, served_env):
    """A real gunicorn on loopback, production settings, whitenoise serving hashed static files."""
    port = free_port()
    proc = gunicorn(port, served_env, tmp_path, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        wait_until_serving(port)
        request = urllib.request.Request(  # behind a TLS proxy, as in production
            f"http://127.0.0.1:{port}/accounts/login/", headers={"X-Forwarded-Proto": "https"}
        )
        page = urllib.request.urlopen(request, timeout=120)  # noqa: S310
        body = page.read().decode()
        assert page.status == 200 and "Log in" in body
        assert "Content-Security-Policy" in page.headers and "Strict-Transport-Security" in page.headers
        css_path = body.split('href="')[1].split('"')[0]
        assert "bootstrap.min." in css_path and css_path != "/static/vendor/bootstrap/bootstrap.min.css"  # hashed name
        css = urllib.request.urlopen(f"http://127.0.0.1:{port}{css_path}", timeout=120)
        assert css.status == 200 and "max-age" in css.headers.get("Cache-Control", "")
    finally:
        proc.terminate()
        proc.wait(timeout=10)
