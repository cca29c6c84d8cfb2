"""The alliance figures and joint procurement signals over the API: staff only, the selectors' numbers."""

from decimal import Decimal

import pytest

from tests.factories import valid_content
from tests.reports.helpers import plan_in_state, report_cycle
from tests.reports.test_api import client_for, key_client

pytestmark = pytest.mark.django_db
ALLIES = ("EE", "LV", "LT", "PL")


def catalogue_line(code: str, **overrides) -> dict:
    line = {key: value for key, value in valid_content()["lines"][0].items() if key not in ("category", "unit")}
    return {**line, "item_code": code, "item": "", **overrides}


@pytest.fixture
def cycle2025():
    return report_cycle()


def test_capacity_gives_per_item_figures_in_the_readers_language(cycle2025, charlie):
    for code in ("EE", "LV"):
        plan_in_state(cycle2025, code, "submitted", lines=[catalogue_line("art-155")])
    body = client_for(charlie).get("/api/v1/cycles/2025/capacity/", HTTP_ACCEPT_LANGUAGE="fr").json()
    [item] = body["items"]
    assert (item["code"], item["name"], item["unit"], item["allies"]) == (
        "art-155",
        "Obus d'artillerie de 155 mm",
        "rounds",
        ["EE", "LV"],
    )
    assert (item["baseline"], item["target"], item["investment"]) == ("2000.00", "10000.00", {})
    assert body["other"] == []


def test_joint_procurement_names_the_allies_and_their_partnerships(cycle2025, charlie):
    ally = {"kind": "ally", "partner_name": "Latvia", "partner_members": ["LV"], "status": "signed"}
    plan_in_state(cycle2025, "EE", "submitted", partnerships=[ally], lines=[catalogue_line("manpads")])
    plan_in_state(cycle2025, "LV", "accepted", lines=[catalogue_line("manpads")])
    body = client_for(charlie).get("/api/v1/cycles/2025/joint-procurement/").json()
    assert [
        (item["code"], item["allies"], item["target_increase"], item["partnered_pairs"], item["already_partners"])
        for item in body["items"]
    ] == [("manpads", ["EE", "LV"], "8000.00", [["EE", "LV"]], True)]


@pytest.mark.parametrize("path", ["capacity", "joint-procurement"])
def test_a_member_key_is_refused_and_an_unknown_cycle_is_not_found(cycle2025, charlie, path):
    assert key_client("EE").get(f"/api/v1/cycles/2025/{path}/").status_code == 403
    assert client_for(charlie).get(f"/api/v1/cycles/1999/{path}/").status_code == 404


@pytest.mark.parametrize("path", ["capacity", "joint-procurement"])
@pytest.mark.parametrize("allies", [2, 4])
def test_alliance_endpoints_queries_do_not_grow(cycle2025, charlie, path, allies, django_assert_num_queries):
    for code in ALLIES[:allies]:
        plan_in_state(
            cycle2025,
            code,
            "submitted",
            lines=[catalogue_line("manpads"), catalogue_line("art-155"), {**valid_content()["lines"][0]}],
            partnerships=[{"kind": "ally", "partner_name": "Ally", "partner_members": ["DE"], "status": "signed"}],
        )
    client = client_for(charlie)
    # the staff member's permissions, the cycle, and the selector's two queries
    with django_assert_num_queries(4):
        response = client.get(f"/api/v1/cycles/2025/{path}/")
    assert response.status_code == 200
    assert len(response.json()["items"]) == 2
    if path == "capacity":
        assert len(response.json()["other"]) == allies
        assert response.json()["items"][0]["target"] == str(Decimal("5000.00") * allies)
