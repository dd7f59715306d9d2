import pytest

from procurement.core.tokens import api_token_create


@pytest.fixture
def bearer():
    """A token for ``user`` (``scope`` read or write) as request headers for the test client."""

    return bearer_headers


def bearer_headers(user, scope="write", days=30) -> dict:
    _, secret = api_token_create(user=user, name=f"{user.username} {scope}", scope=scope, days=days)
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
