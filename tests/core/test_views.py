import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_login_page_renders_in_the_app_look(client):
    page = client.get(reverse("login")).content.decode()
    assert "bootstrap.min.css" in page and "Log in" in page


def test_login_with_demo_credentials_reaches_home(client, personas, shipped_version):
    response = client.post(reverse("login"), {"username": "analyst", "password": "correct-horse-battery"}, follow=True)
    page = response.content.decode()
    assert response.status_code == 200
    assert "Analyst at Acme Buyer" in page and "AI vendor due diligence" in page


def test_wrong_password_keeps_the_username_and_says_why(client, personas):
    response = client.post(reverse("login"), {"username": "analyst", "password": "nope"})
    page = response.content.decode()
    assert response.status_code == 200 and 'value="analyst"' in page and "alert-danger" in page


def test_logout_is_a_post_and_ends_the_session(login, personas):
    client = login(personas["viewer"])
    assert client.post(reverse("logout")).status_code == 302
    assert client.get(reverse("core:home")).status_code == 302


def test_pages_send_a_strict_content_security_policy(login, personas):
    response = login(personas["viewer"]).get(reverse("core:home"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'none'" in csp and "script-src 'self' 'nonce-" in csp and "unsafe-inline" not in csp


def test_repeated_failed_logins_lock_the_account(client, personas, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": "analyst", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "analyst", "password": "correct-horse-battery"})
    assert response.status_code == 429 and "Too many failed logins" in response.content.decode()
    assert "_auth_user_id" not in client.session
