"""The chain check finds any change to a submitted version: its content, its hash, its link, its order."""

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError

from plans import services
from plans.integrity import ChainBreak, version_chain_breaks
from plans.models import PlanVersion
from tests.factories import valid_content
from tests.tamper import tamper

pytestmark = pytest.mark.django_db


@pytest.fixture
def two_versions(draft, as_alice, as_charlie):
    services.plan_submit(plan=draft, actor=as_alice)
    services.plan_return(plan=draft, actor=as_charlie, comment="More detail.")
    services.plan_update(plan=draft, actor=as_alice, content=valid_content(summary="Second"))
    services.plan_submit(plan=draft, actor=as_alice)
    return draft


def test_an_untouched_chain_has_no_break(two_versions, capsys):
    assert version_chain_breaks() == (2, [])
    call_command("verify_versions")
    assert capsys.readouterr().out == "2 version(s) checked: every hash and chain link holds.\n"


def test_edited_content_is_found(two_versions):
    version = PlanVersion.objects.get(plan=two_versions, number=1)
    tamper(version, content=version.content.replace("EE", "LV", 1))
    checked, breaks = version_chain_breaks()
    assert checked == 2
    assert [b.problem for b in breaks] == [
        "the content does not hash to the stored sha256",
        "the content names another member, cycle, number or previous version",
    ]


def test_rehashed_content_still_breaks_the_next_link(two_versions):
    from plans.content import sha256_hex

    first = PlanVersion.objects.get(plan=two_versions, number=1)
    forged = first.content.replace('"number":1', '"number":1 ')
    tamper(first, content=forged, sha256=sha256_hex(forged))
    _checked, breaks = version_chain_breaks()
    assert breaks == [
        ChainBreak(two_versions.pk, 2, "previous_sha256 is not the hash of the version before"),
    ]


def test_a_missing_version_is_found_and_the_command_fails(two_versions, capsys):
    second = PlanVersion.objects.get(plan=two_versions, number=2)
    tamper(second, number=3)
    with pytest.raises(CommandError, match=r"^2 break\(s\) in 2 version\(s\)\.$"):
        call_command("verify_versions")
    assert capsys.readouterr().err == (
        f"plan {two_versions.pk} v3: follows v1: a version is missing or out of order\n"
        f"plan {two_versions.pk} v3: the content names another member, cycle, number or previous version\n"
    )


def test_only_the_plans_asked_for_are_checked(two_versions, as_bob, latvia, cycle):
    content = valid_content(partnerships=[])
    other = services.plan_create(cycle=cycle, member=latvia, actor=as_bob, content=content).plan
    services.plan_submit(plan=other, actor=as_bob)
    assert version_chain_breaks(plan_ids=[other.pk]) == (1, [])
