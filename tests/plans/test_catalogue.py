"""The capability catalogue: its starting list, lines that pick an item, the admin that retires
items and never deletes one in use, the API that lists it, and the migration that mapped old lines."""

import importlib

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from rest_framework.test import APIClient

from plans import services
from plans.content import plan_content
from plans.enums import Unit
from plans.errors import PlanInvalid
from plans.models import CapabilityLine, CatalogueItem
from tests.factories import valid_content
from tests.web.conftest import editor_post

pytestmark = pytest.mark.django_db
migration = importlib.import_module("plans.migrations.0010_catalogue")


def catalogue_line(code: str, **overrides) -> dict:
    line = {key: value for key, value in valid_content()["lines"][0].items() if key not in ("category", "unit")}
    return {**line, "item_code": code, "item": "", **overrides}


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_starting_list_covers_what_allies_prioritise():
    codes = set(CatalogueItem.objects.values_list("code", flat=True))
    assert {"art-155", "art-105", "tank-120", "mortar-81", "sc-556", "manpads", "gbad-long", "lrpf-gmlrs"} <= codes
    assert CatalogueItem.objects.get(code="tnt").unit == Unit.TONNES
    assert CatalogueItem.objects.get(code="art-155").parent.code == "art-ammo"
    assert 40 <= len(codes) <= 80


def test_a_catalogue_line_takes_its_category_and_unit_from_the_item(draft, as_alice):
    content = valid_content(lines=[catalogue_line("manpads", unit="tonnes", category="ammunition")])
    services.plan_update(plan=draft, actor=as_alice, content=content)
    [line] = plan_content(draft)["lines"]
    assert (line["item_code"], line["category"], line["unit"], line["item"]) == (
        "manpads",
        "air_missile_defence",
        "missiles",
        "MANPADS missiles (Stinger class)",
    )


def test_unknown_and_retired_codes_are_field_errors_over_the_api(alice, draft):
    CatalogueItem.objects.filter(code="art-152").update(active=False)
    client = APIClient()
    client.force_authenticate(alice)
    before = plan_content(draft)
    response = client.patch(
        f"/api/v1/plans/{draft.pk}/",
        {"lines": [catalogue_line("laser-cannon", baseline_capacity="1"), catalogue_line("art-152")]},
        format="json",
        HTTP_IF_MATCH=draft.etag,
    )
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert list(errors) == ["lines[0].item_code", "lines[1].item_code"]
    assert "not in the catalogue" in errors["lines[0].item_code"][0]
    assert "retired" in errors["lines[1].item_code"][0]
    assert plan_content(draft) == before


def test_the_api_reads_and_writes_item_code(alice, draft):
    client = APIClient()
    client.force_authenticate(alice)
    response = client.patch(
        f"/api/v1/plans/{draft.pk}/",
        {"lines": [{**catalogue_line("art-155"), "baseline_capacity": "1.00", "target_capacity": "2.00"}]},
        format="json",
        HTTP_IF_MATCH=draft.etag,
    )
    assert response.status_code == 200, response.json()
    [line] = client.get(f"/api/v1/plans/{draft.pk}/").json()["lines"]
    assert (line["item_code"], line["unit"], line["category"]) == ("art-155", "rounds", "ammunition")
    assert len(line["key"]) == 36


@pytest.mark.parametrize("size", [1, 40])
def test_a_save_reads_the_catalogue_twice_whatever_its_size(alice, draft, size):
    lines = [{**catalogue_line("tank-120"), "category": "", "unit": ""} for _ in range(size)]
    client = signed_in(alice)
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            reverse("plan-edit", args=[draft.pk]), editor_post(valid_content(lines=lines), revision=draft.revision)
        )
    assert response.status_code == 302
    # The page's choices, and the items the lines name (for their units and for the rules alike).
    assert sum('"plans_catalogueitem"' in query["sql"] for query in queries.captured_queries) == 2


def test_the_editor_picks_a_catalogue_item(alice, draft):
    plan = draft
    line = {**catalogue_line("tank-120"), "category": "", "unit": ""}
    response = signed_in(alice).post(
        reverse("plan-edit", args=[plan.pk]), editor_post(valid_content(lines=[line]), revision=plan.revision)
    )
    assert response.status_code == 302
    [stored] = plan_content(plan)["lines"]
    assert (stored["item_code"], stored["unit"]) == ("tank-120", "rounds")
    page = signed_in(alice).get(reverse("plan-edit", args=[plan.pk]))
    assert page.context["lines"].forms[0]["item_code"].value() == "tank-120"
    assert page.context["lines"].forms[0]["key"].value() == stored["key"]


@pytest.mark.parametrize("items", [1, 3])
def test_the_catalogue_api_is_one_query_whatever_its_size(alice, items, django_assert_num_queries):
    CatalogueItem.objects.update(parent=None)
    CatalogueItem.objects.exclude(code__in=["art-155", "tnt", "manpads"][:items]).delete()
    client = APIClient()
    client.force_authenticate(alice)
    with django_assert_num_queries(1):
        response = client.get("/api/v1/catalogue/", HTTP_ACCEPT_LANGUAGE="fr")
    assert len(response.json()) == items
    names = {row["code"]: (row["name"], row["unit_label"]) for row in response.json()}
    assert names["art-155"] == ("Obus d'artillerie de 155 mm", "coups")


def test_the_admin_retires_and_never_deletes_an_item_in_use(manager, draft, as_alice):
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(lines=[catalogue_line("sc-556")]))
    item = CatalogueItem.objects.get(code="sc-556")
    client = signed_in(manager)
    confirm = client.get(reverse("admin:plans_catalogueitem_delete", args=[item.pk]))
    assert confirm.status_code == 200
    assert "retire it instead" in confirm.content.decode()
    client.post(reverse("admin:plans_catalogueitem_delete", args=[item.pk]), {"post": "yes"})
    assert CatalogueItem.objects.filter(code="sc-556").exists()
    client.post(
        reverse("admin:plans_catalogueitem_changelist"),
        {"action": "retire", "_selected_action": [item.pk]},
    )
    item.refresh_from_db()
    assert item.active is False
    assert CapabilityLine.objects.get(plan=draft).item_code_id == "sc-556"


def test_the_migration_maps_clear_text_and_keeps_everything_else(draft):
    texts = [
        ("155mm HE shells", "shells", "art-155", "rounds", ""),
        ("Stinger interceptors", "missiles", "manpads", "missiles", ""),
        ("Stinger interceptors", "tonnes", None, "tonnes", ""),  # a unit the item does not count in
        ("Field kitchens", "kitchens", None, "units", "Unit as given: kitchens"),
    ]
    # The migration's rule, on lines as the old schema held them (free-text units).
    rows = [
        CapabilityLine(plan=draft, category="other", item=item, unit=unit, key=None)
        for item, unit, _code, _unit, _notes in texts
    ]
    lookups = migration.catalogue_lookups(CatalogueItem)
    for row in rows:
        migration.map_line(row, **lookups)
    assert [(row.item, row.item_code_id, row.unit, row.notes) for row in rows] == [
        (item, code, unit, notes) for item, _given, code, unit, notes in texts
    ]
    assert all(row.key for row in rows)


def test_an_item_retired_after_the_save_refuses_the_submission(draft, as_alice):
    lines = [valid_content()["lines"][0], catalogue_line("sc-556")]
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(lines=lines))
    CatalogueItem.objects.filter(code="sc-556").update(active=False)
    with pytest.raises(PlanInvalid) as refused:
        services.plan_submit(plan=draft, actor=as_alice)
    assert [(f.field, f.code) for f in refused.value.findings if f.severity == "error"] == [
        ("lines[1].item_code", "retired_item")
    ]
