import pytest


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Passwords are hashed for every persona; the production hasher's cost buys nothing here."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
