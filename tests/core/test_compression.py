"""Text goes out gzipped to a caller that accepts it (pages, JSON, CSV), the same text once
unpacked; spreadsheets and other packed files go out as they are."""

import gzip
import io
import json
import re

import pytest
from django.test import Client
from django.urls import reverse
from openpyxl import load_workbook

from members.actors import Actor
from plans import services
from tests.api.conftest import key_client
from tests.factories import valid_content

pytestmark = pytest.mark.django_db
GZIP = {"HTTP_ACCEPT_ENCODING": "gzip, deflate, br"}


@pytest.fixture
def plan(cycle, estonia, alice):
    # Twenty lines: a few hundred bytes could come out longer gzipped (Django then sends them as they are).
    line = valid_content()["lines"][0]
    content = valid_content(lines=[{**line, "item": f"155 mm shells, lot {n}"} for n in range(20)])
    return services.plan_create(cycle=cycle, member=estonia, actor=Actor.for_user(alice), content=content).plan


@pytest.fixture
def delegate(alice) -> Client:
    client = Client()
    client.force_login(alice)
    return client


def without_tokens(html: bytes) -> str:
    # The CSRF token is masked anew in every answer.
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "", html.decode())


def test_the_editor_is_gzipped_for_a_browser_that_accepts_it_and_unpacks_to_the_same_page(delegate, plan):
    url = reverse("plan-edit", args=[plan.pk])
    plain = delegate.get(url)
    packed = delegate.get(url, **GZIP)
    assert plain.status_code == packed.status_code == 200
    assert "Content-Encoding" not in plain
    assert packed["Content-Encoding"] == "gzip"
    assert "Accept-Encoding" in plain["Vary"]
    assert "Accept-Encoding" in packed["Vary"]
    unpacked = gzip.decompress(packed.content)
    assert without_tokens(unpacked) == without_tokens(plain.content)
    assert len(packed.content) * 5 < len(plain.content)


def test_csv_and_api_json_are_gzipped_too(delegate, plan, estonia):
    url = reverse("plan-lines-csv", args=[plan.pk])
    csv = delegate.get(url, **GZIP)
    assert csv["Content-Encoding"] == "gzip"
    assert gzip.decompress(csv.content) == delegate.get(url).content
    api = key_client(estonia, ["read"])
    answer = api.get(f"/api/v1/plans/{plan.pk}/", **GZIP)
    assert answer.status_code == 200
    assert answer["Content-Encoding"] == "gzip"
    assert json.loads(gzip.decompress(answer.content))["id"] == plan.pk


def test_a_spreadsheet_goes_out_as_it_is(delegate, plan):
    response = delegate.get(reverse("plan-template", args=[plan.pk]), **GZIP)
    assert response.status_code == 200
    assert "Content-Encoding" not in response
    assert load_workbook(io.BytesIO(response.content)).sheetnames[0] == "Instructions"


def test_a_short_answer_goes_out_as_it_is_and_still_names_the_field(estonia, plan):
    # Under 200 bytes, gzip would add more than it saves (Django's threshold).
    api = key_client(estonia, ["read", "write"])
    answer = api.patch(
        f"/api/v1/plans/{plan.pk}/",
        {"gdp": "NaN"},
        format="json",
        HTTP_IF_MATCH=plan.etag,
        **GZIP,
    )
    assert answer.status_code == 400
    assert len(answer.content) < 200
    assert "Content-Encoding" not in answer
    assert "gdp" in answer.json()["errors"]
