"""Search inside plans (`?q=`): summary, lines, partnerships and comments; internal comments for staff only."""

import pytest
from django.urls import reverse

from members.models import Member
from plans.models import Comment, Plan
from tests.admin.conftest import client_of
from tests.factories import CapabilityLineFactory, PartnershipFactory, PlanFactory


def codes(response) -> list[str]:
    assert response.status_code == 200, response.content
    return sorted(row["member"] for row in response.json()["results"])


@pytest.fixture
def plans(cycle, charlie):
    estonia = PlanFactory(cycle=cycle, member=Member.objects.get(code="EE"), summary="Shells first.")
    latvia = PlanFactory(cycle=cycle, member=Member.objects.get(code="LV"), summary="Radars.")
    lithuania = PlanFactory(cycle=cycle, member=Member.objects.get(code="LT"), summary="Bridges.")
    CapabilityLineFactory(plan=estonia, category="air_missile_defence", item="Stinger interceptors", unit="missiles")
    CapabilityLineFactory(plan=lithuania, item="155 mm shells", notes="Joint buy with Poland")
    PartnershipFactory(plan=latvia, partner_name="Nordic Ammunition Company", description="Powder plant")
    # Staff write internal comments: Latvia's names Stinger, Estonia's names the powder plant.
    Comment.objects.create(plan=latvia, author=charlie, body="Ask about their Stinger order.", internal=True)
    Comment.objects.create(plan=estonia, author=charlie, body="Compare with the powder plant.", internal=True)
    Comment.objects.create(plan=lithuania, author=charlie, body="Mentions Vilnius depot.")
    return {"EE": estonia, "LV": latvia, "LT": lithuania}


def test_staff_find_stinger_in_a_line_and_in_an_internal_comment(staff, plans):
    assert codes(staff.get("/api/v1/plans/?q=Stinger")) == ["EE", "LV"]


def test_staff_search_summary_partnerships_comments_and_every_word(staff, plans):
    assert codes(staff.get("/api/v1/plans/?q=radars")) == ["LV"]
    assert codes(staff.get("/api/v1/plans/?q=Nordic ammunition")) == ["LV"]
    assert codes(staff.get("/api/v1/plans/?q=Vilnius")) == ["LT"]
    assert codes(staff.get("/api/v1/plans/?q=Poland")) == ["LT"]
    assert codes(staff.get("/api/v1/plans/?q=Stinger Poland")) == []
    assert codes(staff.get("/api/v1/plans/?q=powder")) == ["EE", "LV"]
    assert codes(staff.get("/api/v1/plans/?q=Stinger&member=LV")) == ["LV"]


def test_a_member_finds_stinger_in_its_line_never_through_another_members_internal_comment(alice_key, bob_key, plans):
    assert codes(alice_key.get("/api/v1/plans/?q=Stinger")) == ["EE"]
    # Latvia's plan has "Stinger" only in a staff-internal comment: Latvia's own search misses it.
    assert codes(bob_key.get("/api/v1/plans/?q=Stinger")) == []
    # Estonia's own plan has "powder" only in an internal comment; Latvia's partnership is not Estonia's.
    assert codes(alice_key.get("/api/v1/plans/?q=powder")) == []
    assert codes(bob_key.get("/api/v1/plans/?q=powder")) == ["LV"]


def test_blank_and_overlong_searches_are_400_naming_q(staff, plans):
    for query in ("q=", f"q={'x' * 201}"):
        response = staff.get(f"/api/v1/plans/?{query}")
        assert (response.status_code, list(response.json()["errors"])) == (400, ["q"])


@pytest.mark.parametrize("count", [1, 3])
def test_search_queries_do_not_grow(staff, cycle, count, django_assert_num_queries):
    for code in ("EE", "LV", "LT")[:count]:
        plan = PlanFactory(cycle=cycle, member=Member.objects.get(code=code))
        CapabilityLineFactory.create_batch(3, plan=plan, item="Stinger interceptors")
    with django_assert_num_queries(7):
        response = staff.get("/api/v1/plans/?q=Stinger")
    assert response.json()["count"] == count


def test_admin_search_box_finds_text_inside_plans(charlie, plans):
    client = client_of(charlie)
    changelist = reverse("admin:plans_plan_changelist")

    found = client.get(changelist, {"q": "Stinger"}).context["cl"].result_list
    by_name = client.get(changelist, {"q": "Latvia"}).context["cl"].result_list

    assert sorted(plan.member.code for plan in found) == ["EE", "LV"]
    assert [plan.member.code for plan in by_name] == ["LV"]
    assert Plan.objects.count() == 3
