"""Lines and partnerships keep their key from creation through every save, copy and version;
comparisons match rows by it and read as sentences in the reader's language."""

import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from plans import services
from plans.comparison import compare
from plans.content import diff, normalize, plan_content
from tests.factories import CycleFactory, valid_content

pytestmark = pytest.mark.django_db


def sixteen_lines() -> list[dict]:
    line = valid_content()["lines"][0]
    return [{**line, "item": f"Shells lot {n}", "target_capacity": Decimal(5000 + n)} for n in range(16)]


def keys(plan) -> list[str]:
    return [line["key"] for line in plan_content(plan)["lines"]]


def test_a_line_keeps_its_key_through_saves_versions_and_a_copy(draft, as_alice, as_charlie, estonia):
    first = keys(draft)
    content = plan_content(draft)
    content["lines"][0]["target_capacity"] = Decimal("6000")
    services.plan_update(plan=draft, actor=as_alice, content=content)
    assert keys(draft) == first
    services.plan_submit(plan=draft, actor=as_alice)
    version = draft.versions.get()
    assert [line["key"] for line in json.loads(version.content)["content"]["lines"]] == first
    services.plan_return(plan=draft, actor=as_charlie, comment="More.")
    next_cycle = CycleFactory(year=draft.cycle.year + 1)
    copy = services.plan_create(cycle=next_cycle, member=estonia, actor=as_alice, copy_previous=True).plan
    assert keys(copy) == first
    assert plan_content(copy)["partnerships"][0]["key"] == plan_content(draft)["partnerships"][0]["key"]


def test_a_client_that_sends_no_keys_keeps_them_by_position(draft, as_alice):
    first = keys(draft)
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(summary="Again, without keys."))
    assert keys(draft) == first


def test_a_repeated_key_is_an_error_naming_the_row(draft, as_alice):
    content = plan_content(draft)
    content["lines"] = [content["lines"][0], {**content["lines"][0], "item": "Twin"}]
    with pytest.raises(services.PlanInvalid) as caught:
        services.plan_update(plan=draft, actor=as_alice, content=content)
    assert [(f.field, f.code) for f in caught.value.findings] == [("lines[1].key", "duplicate")]


def test_removing_one_line_of_sixteen_is_one_change(draft, as_alice):
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(lines=sixteen_lines()))
    old = normalize(plan_content(draft))
    new = normalize(plan_content(draft))
    del new["lines"][3]
    assert [(entry["part"], entry["change"], entry["label"]) for entry in compare(old, new)] == [
        ("line", "removed", "Shells lot 3")
    ]
    # The field-level diff names the removed line's fields only (no shift of the twelve below).
    assert {change["field"].split(".")[0] for change in diff(old, new)} == {"lines[3]"}


def test_a_changed_line_reads_with_its_item_unit_and_numbers_in_the_readers_language(draft, as_alice):
    line = {**valid_content()["lines"][0], "item_code": "art-155", "item": "", "target_capacity": Decimal("50000")}
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(lines=[line]))
    old = normalize(plan_content(draft))
    new = normalize(plan_content(draft))
    new["lines"][0]["target_capacity"] = Decimal("60000")
    [entry] = compare(old, new)
    assert entry["text"] == (
        "Line changed: 155 mm artillery rounds: target capacity (a year) 50,000 rounds -> 60,000 rounds"
    )
    with translation.override("fr"):
        [entry] = compare(old, new)
    assert entry["label"] == "Obus d'artillerie de 155 mm"
    assert "50\u202f000" in entry["text"] or "50 000" in entry["text"] or "50\xa0000" in entry["text"]


def test_the_api_version_detail_compares_by_key(alice, as_alice, as_charlie, draft):
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(lines=sixteen_lines()))
    services.plan_submit(plan=draft, actor=as_alice)
    services.plan_return(plan=draft, actor=as_charlie, comment="Drop lot 3.")
    content = plan_content(draft)
    del content["lines"][3]
    services.plan_update(plan=draft, actor=as_alice, content=content)
    services.plan_submit(plan=draft, actor=as_alice)
    client = APIClient()
    client.force_authenticate(alice)
    body = client.get(f"/api/v1/plans/{draft.pk}/versions/2/").json()
    assert [(entry["change"], entry["label"], entry["text"]) for entry in body["comparison"]] == [
        ("removed", "Shells lot 3", "Line removed: Shells lot 3")
    ]
    page = Client_for(alice).get(reverse("plan-compare", args=[draft.pk]), {"old": 1, "new": 2})
    assert [entry["text"] for entry in page.context["changes"]] == ["Line removed: Shells lot 3"]


def Client_for(user):
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client
