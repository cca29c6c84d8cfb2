import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _plain_http_and_fast_hashing(settings):
    # The test client speaks plain HTTP; production redirects it to HTTPS.
    settings.SECURE_SSL_REDIRECT = False
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _fresh_cache():
    # API throttle counts and cached warnings live in the cache, which outlives a test's transaction.
    cache.clear()
    yield
    cache.clear()
