import pytest
from django.test.utils import override_settings


@pytest.fixture(scope="session", autouse=True)
def plain_http_live_server():
    """The live server speaks plain HTTP: no HTTPS redirect, no HSTS, cookies not limited to HTTPS.

    Session-scoped and autouse so that it applies before the (session-scoped) live server
    builds its middleware, which reads these settings once.
    """
    with override_settings(
        SECURE_SSL_REDIRECT=False, SECURE_HSTS_SECONDS=0, SESSION_COOKIE_SECURE=False, CSRF_COOKIE_SECURE=False
    ):
        yield
