"""The event feed: a member follows its plan from submission to acceptance by `GET events/` alone."""

from datetime import timedelta

import pytest
from django.db import transaction

from members.actors import Actor
from plans import services
from tests.api.conftest import key_client
from tests.factories import valid_content
from webhooks.models import Event


def feed(client, after=None) -> dict:
    url = "/api/v1/events/" + (f"?after={after}" if after is not None else "")
    response = client.get(url)
    assert response.status_code == 200, response.content
    return response.json()


@pytest.fixture
def story(draft, as_alice, as_charlie, as_manager, cycle, estonia):
    services.plan_submit(plan=draft, actor=as_alice)
    services.plan_decide(plan=draft, actor=as_charlie, decision="start_review")
    services.plan_decide(plan=draft, actor=as_charlie, decision="return", comment="Stockpiles?", reasons=["incomplete"])
    services.comment_add(plan=draft, actor=as_alice, body="Added.")
    services.comment_add(plan=draft, actor=as_charlie, body="Staff only.", internal=True)
    services.extension_grant(
        cycle=cycle, member=estonia, deadline=cycle.deadline + timedelta(days=7), reason="Elections.", actor=as_manager
    )
    services.plan_submit(plan=draft, actor=as_alice)
    services.plan_decide(plan=draft, actor=as_charlie, decision="accept")
    services.cycle_open(actor=Actor.system(), year=2030, deadline=cycle.deadline + timedelta(days=1500))
    return draft


def test_a_member_follows_its_plan_by_the_feed(alice_key, story):
    body = feed(alice_key)
    assert [event["type"] for event in body["results"]] == [
        "plan.submitted",
        "plan.review_started",
        "plan.returned",
        "plan.comment_added",
        "cycle.extension_granted",
        "plan.submitted",
        "plan.review_started",
        "plan.accepted",
        "cycle.opened",
    ]
    returned = body["results"][2]
    assert returned["data"]["review"] | {"id": None, "created_at": None} == {
        "id": None,
        "decision": "return",
        "comment": "Stockpiles?",
        "reasons": ["incomplete"],
        "version": 1,
        "created_at": None,
    }
    assert (returned["data"]["plan"], returned["data"]["member"], returned["data"]["status"]) == (
        story.pk,
        "EE",
        "returned",
    )
    assert body["results"][3]["data"]["comment"]["body"] == "Added."
    assert body["results"][0]["id"].startswith("msg_")
    assert body["results"][0]["timestamp"].endswith("Z")
    assert body["has_more"] is False
    assert body["next_cursor"] == body["results"][-1]["cursor"]


def test_the_cursor_reads_on_without_repeating(alice_key, story):
    first = alice_key.get("/api/v1/events/?limit=4").json()
    assert (len(first["results"]), first["has_more"]) == (4, True)
    rest = feed(alice_key, first["next_cursor"])
    everything = feed(alice_key)["results"]
    assert [e["id"] for e in first["results"] + rest["results"]] == [e["id"] for e in everything]
    assert feed(alice_key, rest["next_cursor"]) == {
        "results": [],
        "next_cursor": rest["next_cursor"],
        "has_more": False,
    }


def test_another_member_sees_only_events_for_everyone(bob_key, story):
    assert [event["type"] for event in feed(bob_key)["results"]] == ["cycle.opened"]


def test_staff_see_every_event(staff, story):
    assert len(feed(staff)["results"]) == Event.objects.count() == 9


def test_a_key_that_cannot_read_is_refused(db, estonia, story):
    response = key_client(estonia, ["write"], name="writer").get("/api/v1/events/")
    assert (response.status_code, response.json()["code"]) == (403, "permission_denied")


@pytest.mark.parametrize("value", ["abc", "-1", "1.5", "", "٣", "9" * 19])
def test_a_malformed_cursor_is_a_400_naming_it(alice_key, value):
    response = alice_key.get(f"/api/v1/events/?after={value}")
    assert (response.status_code, list(response.json()["errors"])) == (400, ["after"])


def test_an_event_rolls_back_with_its_change(alice_key, draft, as_alice):
    def submit_then_fail():
        with transaction.atomic():
            services.plan_submit(plan=draft, actor=as_alice)
            raise RuntimeError("the change fails after the event was written")

    with pytest.raises(RuntimeError):
        submit_then_fail()
    assert feed(alice_key)["results"] == []
    assert Event.objects.count() == 0


@pytest.mark.parametrize("count", [1, 3])
def test_feed_queries(alice_key, cycle, estonia, as_alice, count, django_assert_num_queries):
    for year in range(count):
        plan = services.plan_create(
            cycle=cycle
            if year == 0
            else type(cycle).objects.create(year=2030 + year, opens_at=cycle.opens_at, deadline=cycle.deadline),
            member=estonia,
            actor=as_alice,
            content=valid_content(),
        ).plan
        services.plan_submit(plan=plan, actor=as_alice)
    with django_assert_num_queries(4):  # key, its last-use stamp, first use today logged, the page
        body = feed(alice_key)
    assert len(body["results"]) == count
