"""Lines and partnerships keep their key from creation through every save, copy and version;
comparisons match rows by it and read as sentences in the reader's language."""

import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation
from rest_framework.test import APIClient

from plans import services
from plans.comparison import compare
from plans.content import diff, normalize, plan_content
from plans.models import CapabilityLine, Partnership
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


# Writes touch only what changed ------------------------------------------------------------------


def stored(plan) -> list[tuple]:
    return list(plan.lines.order_by("position").values_list("id", "key", "position", "item"))


def test_an_update_keeps_every_row_id_and_writes_only_the_changed_rows(draft, as_alice):
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(lines=sixteen_lines()))
    before = stored(draft)
    partnership_id = draft.partnerships.get().pk
    content = plan_content(draft)
    content["lines"][3]["item"] = "Renamed lot"
    with CaptureQueriesContext(connection) as queries:
        services.plan_update(plan=draft, actor=as_alice, content=content)
    after = stored(draft)
    assert [row[:3] for row in after] == [row[:3] for row in before]
    assert [row[3] for row in after] == [
        *(row[3] for row in before[:3]),
        "Renamed lot",
        *(row[3] for row in before[4:]),
    ]
    assert draft.partnerships.get().pk == partnership_id
    line_writes = [q["sql"] for q in queries if _writes(q["sql"], CapabilityLine._meta.db_table)]
    assert len(line_writes) == 1
    assert line_writes[0].startswith("UPDATE")
    assert not [q for q in queries if _writes(q["sql"], Partnership._meta.db_table)]


def test_removing_adding_and_moving_rows_keeps_the_ids_of_those_kept(draft, as_alice):
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(lines=sixteen_lines()))
    before = {row[1]: row[0] for row in stored(draft)}
    content = plan_content(draft)
    lines = content["lines"]
    new_line = {**{k: v for k, v in lines[0].items() if k != "key"}, "item": "New lot"}
    added = {**new_line, "item": "Added lot"}
    # The last moved first, the first removed, one replaced in place and one added at the end.
    content["lines"] = [lines[15], *lines[1:5], new_line, *lines[6:15], added]
    services.plan_update(plan=draft, actor=as_alice, content=content)
    after = stored(draft)
    assert [row[3] for row in after] == [line["item"] for line in content["lines"]]
    assert [row[2] for row in after] == list(range(16))
    # Every row kept its id; the keyless new line took the key of the row it replaced (with_keys).
    assert all(before[key] == pk for pk, key, _position, _item in after[:15])
    assert after[15][1] not in before
    assert after[15][0] not in before.values()
    assert str(after[5][1]) == lines[5]["key"]
    assert lines[0]["key"] not in {str(row[1]) for row in after}
    assert plan_content(draft)["lines"] == [
        {**line, "key": str(row[1])} for line, row in zip(content["lines"], after, strict=True)
    ]


def test_partner_allies_are_rewritten_only_where_they_changed(draft, as_alice, estonia, latvia):
    content = plan_content(draft)
    content["partnerships"].append(
        {"kind": "ally", "partner_name": "Nammo", "partner_members": ["NO", "FI"], "status": "planned"}
    )
    services.plan_update(plan=draft, actor=as_alice, content=content)
    content = plan_content(draft)
    assert [row["partner_members"] for row in content["partnerships"]] == [["LV"], ["FI", "NO"]]
    ids = list(draft.partnerships.order_by("position").values_list("id", flat=True))
    content["partnerships"][1]["partner_members"] = ["FI"]
    services.plan_update(plan=draft, actor=as_alice, content=content)
    assert [row["partner_members"] for row in plan_content(draft)["partnerships"]] == [["LV"], ["FI"]]
    assert list(draft.partnerships.order_by("position").values_list("id", flat=True)) == ids
    content = plan_content(draft)
    content["partnerships"] = content["partnerships"][1:]
    services.plan_update(plan=draft, actor=as_alice, content=content)
    assert [(row["partner_name"], row["partner_members"]) for row in plan_content(draft)["partnerships"]] == [
        ("Nammo", ["FI"])
    ]
    assert list(draft.partnerships.values_list("id", flat=True)) == ids[1:]


def _writes(sql: str, table: str) -> bool:
    return sql.split(" ", 1)[0] in ("INSERT", "UPDATE", "DELETE") and f'"{table}"' in sql.split("WHERE")[0]
