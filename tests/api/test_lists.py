"""Lists: filters, ordering, pagination, and the same number of queries at any size."""

from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import pytest

from members.models import Member
from plans import services
from plans.models import Cycle, Plan
from tests.factories import CapabilityLineFactory, CycleFactory, PlanFactory, valid_content


@pytest.fixture
def plans_of_three_members(cycle):
    return [PlanFactory(cycle=cycle, member=Member.objects.get(code=code)) for code in ("EE", "LV", "LT")]


def codes(response) -> list[str]:
    return [row["member"] for row in response.json()["results"]]


def test_staff_filter_by_member_status_and_cycle(staff, plans_of_three_members):
    Plan.objects.filter(member__code="LV").update(status="submitted")
    assert codes(staff.get("/api/v1/plans/?member=lv")) == ["LV"]
    assert codes(staff.get("/api/v1/plans/?status=draft&ordering=-member")) == ["LT", "EE"]
    assert codes(staff.get("/api/v1/plans/?cycle=2025&ordering=member")) == ["EE", "LT", "LV"]
    assert codes(staff.get("/api/v1/plans/?cycle=2026")) == []


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("status=lost", "status"),
        ("cycle=abc", "cycle"),
        ("ordering=secret", "ordering"),
        ("expand=all", "expand"),
        ("status=", "status"),
        ("expand=", "expand"),
        ("page_size=ten", "page_size"),
        ("page_size=0", "page_size"),
        ("page=", "page"),
        ("page=٣", "page"),
    ],
)
def test_bad_filters_are_400(staff, plans_of_three_members, query, field):
    response = staff.get(f"/api/v1/plans/?{query}")
    assert (response.status_code, list(response.json()["errors"])) == (400, [field])


def test_a_page_size_past_the_largest_is_not_refused(staff, plans_of_three_members):
    response = staff.get("/api/v1/plans/?page_size=100000000000000000000")
    assert (response.status_code, len(response.json()["results"])) == (200, 3)


def test_huge_filter_values_find_nothing(staff, plans_of_three_members):
    assert staff.get(f"/api/v1/plans/?cycle={10**30}").json()["count"] == 0


def test_member_sees_only_its_own_plans_whatever_the_filter(alice_key, plans_of_three_members):
    assert codes(alice_key.get("/api/v1/plans/?member=LV")) == []
    assert codes(alice_key.get("/api/v1/plans/")) == ["EE"]


def test_pages(staff, plans_of_three_members):
    first = staff.get("/api/v1/plans/?ordering=member&page_size=2").json()
    second = staff.get("/api/v1/plans/?ordering=member&page_size=2&page=2").json()
    assert (first["count"], [r["member"] for r in first["results"]], [r["member"] for r in second["results"]]) == (
        3,
        ["EE", "LT"],
        ["LV"],
    )
    assert first["next"] == "http://testserver/api/v1/plans/?ordering=member&page=2&page_size=2"
    assert staff.get("/api/v1/plans/?page=9").status_code == 404


def test_expand_content_adds_lines_and_partnerships(staff, cycle, estonia, as_alice):
    services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content())
    row = staff.get("/api/v1/plans/?expand=content").json()["results"][0]
    plain = staff.get("/api/v1/plans/").json()["results"][0]
    assert ([line["item"] for line in row["lines"]], row["partnerships"][0]["partner_members"]) == (
        ["155 mm shells"],
        ["LV"],
    )
    assert ("lines" in plain, "warnings" in plain) == (False, False)
    detail = staff.get(f"/api/v1/plans/{row['id']}/").json()
    assert (row["lines"], row["partnerships"]) == (detail["lines"], detail["partnerships"])


# Query counts: 1 and 3 items, the same literal count. The counts include authentication
# (a key: its lookup and, at most once a minute, its last-use stamp; a session: session, user
# and the session saved on every request) and the page's COUNT.


def _plans(count: int, cycle):
    for code in ("EE", "LV", "LT")[:count]:
        plan = PlanFactory(cycle=cycle, member=Member.objects.get(code=code))
        CapabilityLineFactory.create_batch(3, plan=plan)


@pytest.mark.parametrize("count", [1, 3])
def test_plan_list_queries(staff, cycle, count, django_assert_num_queries):
    _plans(count, cycle)
    # session, user, the user's permissions, page (with the count), and the session saved on every
    # request (savepoint, update, release)
    with django_assert_num_queries(7):
        response = staff.get("/api/v1/plans/")
    assert response.json()["count"] == count


@pytest.mark.parametrize("count", [1, 3])
def test_plan_list_with_content_queries(staff, cycle, count, django_assert_num_queries):
    _plans(count, cycle)
    with django_assert_num_queries(9):  # + permissions, lines, partnerships with their partner allies
        response = staff.get("/api/v1/plans/?expand=content")
    assert [len(row["lines"]) for row in response.json()["results"]] == [3] * count


@pytest.mark.parametrize("count", [1, 3])
def test_a_cycles_plans_queries(staff, cycle, count, django_assert_num_queries):
    _plans(count, cycle)
    PlanFactory(cycle=CycleFactory(year=cycle.year + 1), member=Member.objects.get(code="EE"))
    # as the list with content: session, user, permissions, page, lines, partnerships, session saved
    with django_assert_num_queries(9):
        response = staff.get(f"/api/v1/plans/?cycle={cycle.year}&expand=content")
    assert [(row["cycle"], len(row["lines"])) for row in response.json()["results"]] == [(cycle.year, 3)] * count


def _without_ordering(link: str | None) -> str | None:
    if link is None:
        return None
    parts = urlsplit(link)
    return urlunsplit(parts._replace(query=urlencode([p for p in parse_qsl(parts.query) if p[0] != "ordering"])))


def test_a_cycles_plans_answer_as_the_filter_does(staff, alice_key, cycle):
    """`?cycle=` alone takes SQL built once (reads.plan_list); with any other parameter, the filter set.

    Ordering by cycle then member is the default order, so both ways must give the same pages,
    for staff and for a member's key (its own plans only), whatever way the year is written.
    """
    later = CycleFactory(year=cycle.year + 1)
    for year_cycle in (cycle, later):
        for code in ("LT", "EE", "LV"):
            plan = PlanFactory(cycle=year_cycle, member=Member.objects.get(code=code))
            CapabilityLineFactory.create_batch(2, plan=plan)
    filtered = "&ordering=-cycle,member"
    for client, expected in ((staff, ["EE", "LT", "LV"]), (alice_key, ["EE"])):
        for year in (str(cycle.year), f" {cycle.year} ", f"{cycle.year}.0"):
            for page in ("", "&page_size=2", "&page_size=2&page=2", "&expand=content"):
                fast = client.get(f"/api/v1/plans/?cycle={year}{page}")
                slow = client.get(f"/api/v1/plans/?cycle={year}{page}{filtered}")
                assert fast.status_code == slow.status_code  # 404 for a member's second page of one plan
                if fast.status_code != 200:
                    assert fast.json() == slow.json()
                    continue
                links = {key: _without_ordering(slow.json()[key]) for key in ("next", "previous")}
                assert fast.json() == {**slow.json(), **links}
                assert [row["cycle"] for row in fast.json()["results"]] == [cycle.year] * len(fast.json()["results"])
        assert codes(client.get(f"/api/v1/plans/?cycle={cycle.year}")) == expected
        assert codes(client.get(f"/api/v1/plans/?cycle={later.year}&page_size=1&page=last")) == expected[-1:]
        assert client.get("/api/v1/plans/?cycle=1999").json()["count"] == 0
    assert staff.get(f"/api/v1/plans/?cycle={10**30}").json()["count"] == 0
    refused = staff.get("/api/v1/plans/?cycle=2025x")
    assert (refused.status_code, list(refused.json()["errors"])) == (400, ["cycle"])


@pytest.mark.parametrize("count", [1, 3])
def test_plan_detail_queries(alice_key, cycle, count, django_assert_num_queries):
    plan = PlanFactory(cycle=cycle)
    CapabilityLineFactory.create_batch(count, plan=plan)
    # key, its last-use stamp, the key's first use today logged, plan, lines, partnerships with their partner
    # allies, the latest review
    with django_assert_num_queries(7):
        response = alice_key.get(f"/api/v1/plans/{plan.pk}/")
    assert len(response.json()["lines"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_version_list_queries(alice_key, draft, as_alice, as_charlie, count, django_assert_num_queries):
    for number in range(count):
        services.plan_submit(plan=draft, actor=as_alice)
        if number < count - 1:
            services.plan_return(plan=draft, actor=as_charlie, comment="Again")
    with django_assert_num_queries(5):  # key, its last-use stamp, first use today logged, plan, page (with the count)
        response = alice_key.get(f"/api/v1/plans/{draft.pk}/versions/")
    assert [v["number"] for v in response.json()["results"]] == list(range(1, count + 1))


@pytest.mark.parametrize("count", [1, 3])
def test_comment_list_queries(alice_key, draft, as_alice, count, django_assert_num_queries):
    for index in range(count):
        services.comment_add(plan=draft, actor=as_alice, body=f"Comment {index}")
    with django_assert_num_queries(5):  # key, its last-use stamp, first use today logged, plan, page (with the count)
        response = alice_key.get(f"/api/v1/plans/{draft.pk}/comments/")
    assert len(response.json()["results"]) == count


@pytest.mark.parametrize("count", [1, 3])
def test_cycle_list_queries(alice_key, count, django_assert_num_queries):
    for year in range(2025, 2025 + count):
        CycleFactory(year=year)
    with django_assert_num_queries(4):  # key, its last-use stamp, first use today logged, page (with the count)
        response = alice_key.get("/api/v1/cycles/")
    assert [c["year"] for c in response.json()["results"]] == sorted(
        Cycle.objects.values_list("year", flat=True), reverse=True
    )


@pytest.mark.parametrize("page_size", [1, 3])
def test_member_list_queries(alice_key, page_size, django_assert_num_queries):
    with django_assert_num_queries(4):  # key, its last-use stamp, first use today logged, page (with the count)
        response = alice_key.get(f"/api/v1/members/?page_size={page_size}")
    assert len(response.json()["results"]) == page_size
