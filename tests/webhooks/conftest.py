"""The API personas of tests/api (keys of Estonia and Latvia, charlie's session) and Estonia's plan."""

from tests.api.conftest import (  # noqa: F401  # fixtures, found by pytest under these names
    alice_key,
    anonymous,
    bob_key,
    draft,
    reader_key,
    staff,
    submitted,
)
