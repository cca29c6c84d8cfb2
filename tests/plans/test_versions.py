"""Versions form a hash chain over canonical JSON that does not depend on how the content was written."""

import hashlib
import json
from decimal import Decimal

import pytest

from plans import services
from plans.content import canonical_json, normalize, plan_content
from plans.enums import PlanStatus
from tests.factories import valid_content

pytestmark = pytest.mark.django_db


def resubmit(plan, *, submitter, staff, summary: str):
    services.plan_return(plan=plan, actor=staff, comment="Say more about the interceptors.")
    services.plan_update(plan=plan, actor=submitter, content=valid_content(summary=summary))
    return services.plan_submit(plan=plan, actor=submitter)


def test_first_version_has_no_previous_hash(draft, as_alice):
    receipt = services.plan_submit(plan=draft, actor=as_alice)
    assert (receipt.version.number, receipt.version.previous_sha256) == (1, "")


def test_sha256_is_the_hash_of_the_stored_canonical_json(draft, as_alice):
    version = services.plan_submit(plan=draft, actor=as_alice).version
    version.refresh_from_db()
    assert version.sha256 == hashlib.sha256(version.content.encode("utf-8")).hexdigest()
    # The stored text is itself canonical: parsing and re-serialising gives the same bytes.
    assert canonical_json(json.loads(version.content)) == version.content


def test_version_snapshots_member_cycle_number_and_content(draft, as_alice, cycle):
    version = services.plan_submit(plan=draft, actor=as_alice).version
    document = json.loads(version.content)
    assert {key: document[key] for key in ("member", "cycle", "number", "previous_sha256")} == {
        "member": "EE",
        "cycle": cycle.year,
        "number": 1,
        "previous_sha256": "",
    }
    assert document["content"]["defence_expenditure"] == "1000000.00"
    assert document["content"]["lines"][0]["item"] == "155 mm shells"
    assert document["content"]["partnerships"][0]["partner_members"] == ["LV"]


def test_returned_then_resubmitted_plan_chains_to_previous_version(draft, as_alice, as_charlie):
    first = services.plan_submit(plan=draft, actor=as_alice).version
    second = resubmit(draft, submitter=as_alice, staff=as_charlie, summary="Second try.").version
    third = resubmit(draft, submitter=as_alice, staff=as_charlie, summary="Third try.").version

    chain = [(v.number, v.previous_sha256) for v in draft.versions.order_by("number")]
    assert chain == [(1, ""), (2, first.sha256), (3, second.sha256)]
    assert len({first.sha256, second.sha256, third.sha256}) == 3
    draft.refresh_from_db()
    assert (draft.status, draft.latest_version) == (PlanStatus.SUBMITTED, third)
    assert json.loads(second.content)["content"]["summary"] == "Second try."


def test_resubmitting_unchanged_content_still_makes_a_new_link(draft, as_alice, as_charlie):
    first = services.plan_submit(plan=draft, actor=as_alice).version
    services.plan_return(plan=draft, actor=as_charlie, comment="Please confirm the figures.")
    second = services.plan_submit(plan=draft, actor=as_alice).version
    assert json.loads(first.content)["content"] == json.loads(second.content)["content"]
    assert (second.previous_sha256, second.sha256 != first.sha256) == (first.sha256, True)


def test_canonical_json_ignores_key_order():
    content = normalize(valid_content())
    reordered = {key: content[key] for key in reversed(list(content))}
    reordered["lines"] = [{key: line[key] for key in reversed(list(line))} for line in content["lines"]]
    assert canonical_json(reordered) == canonical_json(content)


@pytest.mark.parametrize(
    ("written", "same_as"),
    [
        (Decimal("1E+3"), Decimal("1000.00")),
        (Decimal("1000"), Decimal("1000.00")),
        (Decimal("1000.0"), Decimal("1000.00")),
        (Decimal("0.5"), Decimal("0.50")),
        (Decimal("-0"), Decimal("0.00")),
        (Decimal("0E-7"), Decimal("0")),
    ],
)
def test_canonical_json_ignores_decimal_form(written, same_as):
    written_text = canonical_json(normalize(valid_content(gdp=written)))
    assert written_text == canonical_json(normalize(valid_content(gdp=same_as)))


def test_canonical_json_is_compact_sorted_and_keeps_unicode():
    assert canonical_json({"b": 1, "a": "Türkiye", "c": Decimal("2.5")}) == '{"a":"Türkiye","b":1,"c":"2.50"}'


def test_canonical_json_of_stored_plan_equals_that_of_its_input(draft):
    # What the database gives back hashes the same as what the caller gave in.
    # (with the keys the service gave the rows, which the caller left out)
    stored = normalize(plan_content(draft))
    given = normalize(valid_content())
    for group in ("lines", "partnerships"):
        for given_row, stored_row in zip(given[group], stored[group], strict=True):
            given_row["key"] = stored_row["key"]
    assert canonical_json(stored) == canonical_json(given)
