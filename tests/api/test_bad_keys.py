"""Guessing API keys: refused requests count per client address and stop being tried at the limit."""

import pytest
from rest_framework.settings import api_settings
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db


def attempt(address: str, key: str):
    client = APIClient(REMOTE_ADDR=address)
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {key}")
    return client.get("/api/v1/members/")


def limit() -> int:
    return int(api_settings.DEFAULT_THROTTLE_RATES["api_bad_key"].split("/")[0])


def test_bad_keys_from_one_address_are_throttled_then_even_a_good_key_waits(alice_key, settings):
    good = alice_key._credentials["HTTP_AUTHORIZATION"].split()[1]
    answers = [attempt("203.0.113.9", f"guess{n}.secret").status_code for n in range(limit())]
    assert answers == [401] * limit()
    throttled = attempt("203.0.113.9", "guess-more.secret")
    assert (throttled.status_code, throttled.json()["code"]) == (429, "throttled")
    assert int(throttled["Retry-After"]) > 0
    # The address is not trying keys any more, good ones included, until the window passes.
    assert attempt("203.0.113.9", good).status_code == 429
    assert attempt("198.51.100.7", good).status_code == 200


def test_a_malformed_header_counts_as_a_bad_key(db):
    client = APIClient(REMOTE_ADDR="203.0.113.9")
    client.credentials(HTTP_AUTHORIZATION="Bearer two words")
    answers = [client.get("/api/v1/members/").status_code for _ in range(limit() + 1)]
    assert answers == [401] * limit() + [429]
