"""A database that cannot be reached answers 503 with Retry-After: JSON on the API, a plain page on the web."""

import pytest
from django.db import OperationalError, connection
from django.test import Client

from tests.api.conftest import key_client

pytestmark = pytest.mark.django_db


def database_down(execute, sql, params, many, context):
    raise OperationalError("connection to server at 127.0.0.1, port 5432 failed: Connection refused")


@pytest.fixture
def resilient_client() -> Client:
    return Client(raise_request_exception=False)


def test_the_api_answers_a_json_503_with_retry_after(estonia, alice):
    client = key_client(estonia, ["read"], name="ee-reader")
    client.raise_request_exception = False
    with connection.execute_wrapper(database_down):
        response = client.get("/api/v1/plans/")
    assert (response.status_code, response["Retry-After"], response["Content-Type"]) == (
        503,
        "5",
        "application/json",
    )
    assert response.json() == {
        "detail": "The service is briefly unavailable. Try again in a few seconds.",
        "code": "unavailable",
        "retry_after": 5,
    }


def test_a_page_answers_a_plain_503_page(alice, resilient_client):
    resilient_client.force_login(alice)
    with connection.execute_wrapper(database_down):
        response = resilient_client.get("/")
    assert (response.status_code, response["Retry-After"]) == (503, "5")
    assert "Briefly unavailable" in response.content.decode()


def test_a_bug_in_a_query_stays_a_500(alice, resilient_client):
    from django.db import ProgrammingError

    def broken_query(execute, sql, params, many, context):
        raise ProgrammingError("column does not exist")

    resilient_client.force_login(alice)
    with connection.execute_wrapper(broken_query):
        response = resilient_client.get("/api/v1/plans/")
    assert response.status_code == 500
    assert response.json()["code"] == "error"
