import pytest
from django.core.cache import cache

from tests.local import free_port


@pytest.fixture
def closed_port() -> int:
    """A local port nothing listens on: a Redis or broker that is down."""
    return free_port()


@pytest.fixture
def dead_redis_cache(settings, closed_port) -> None:
    """The shared cache configured as in production, pointing at a Redis that is down."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django_prometheus.cache.backends.redis.RedisCache",
            "LOCATION": f"redis://127.0.0.1:{closed_port}/0",
            "OPTIONS": {"IGNORE_EXCEPTIONS": True, "SOCKET_CONNECT_TIMEOUT": 0.2, "SOCKET_TIMEOUT": 0.2},
        }
    }


@pytest.fixture(autouse=True)
def _empty_cache():
    cache.clear()
    yield
    cache.clear()


METRICS_TOKEN = "metrics-token-for-tests-0123456789"


@pytest.fixture
def metrics_token(settings) -> str:
    settings.METRICS_TOKEN = METRICS_TOKEN
    return METRICS_TOKEN
