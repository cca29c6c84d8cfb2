"""The reminder ladder with time frozen: deadline 2025-06-30 23:59 UTC, rungs 30/14/7/1 days before,
on the day, 1/7/14 days after (the defaults), escalation to staff from the first overdue rung."""

from datetime import timedelta

import pytest
import time_machine
from django.core import mail
from django.db import transaction

from plans import services
from plans.enums import NotificationKind, NotificationStatus
from plans.models import DeadlineExtension, Notification
from plans.reminders import ladder, reminder_pass
from tests.factories import valid_content
from tests.notifications.conftest import DEADLINE, at

RUNG_MOMENTS = [
    ("before-30", "2025-05-31 00:00"),
    ("before-14", "2025-06-16 00:00"),
    ("before-7", "2025-06-23 00:00"),
    ("before-1", "2025-06-29 00:00"),
    ("on-the-day", "2025-06-30 00:00"),
    ("overdue-1", "2025-07-01 00:00"),
    ("overdue-7", "2025-07-07 00:00"),
    ("overdue-14", "2025-07-14 00:00"),
]


@pytest.fixture
def run_pass(django_capture_on_commit_callbacks):
    """Run one pass at a moment, committing it; returns (kind, rung, member code) of what it claimed."""

    def run(moment: str) -> list[tuple[str, str, str]]:
        with time_machine.travel(at(moment), tick=False), django_capture_on_commit_callbacks(execute=True):
            claimed = reminder_pass()
        return sorted((n.kind, n.rung, n.member.code) for n in claimed)

    return run


@pytest.fixture
def only_estonia_and_latvia(ladder_cycle, estonia, latvia):
    """Every other ally has submitted, so only EE and LV are chased."""
    from members.models import Member
    from plans.models import Plan

    Plan.objects.bulk_create(
        Plan(cycle=ladder_cycle, member=member, status="submitted")
        for member in Member.objects.exclude(code__in=["EE", "LV"])
    )


def test_ladder_moments_follow_the_cycle_configuration(ladder_cycle):
    rungs = ladder(deadline=DEADLINE, days_before=[1, 30, 7, 14], days_after=[14, 1, 7])
    assert [(r.name, r.at) for r in rungs] == [(name, at(moment)) for name, moment in RUNG_MOMENTS]
    assert rungs[-1].until == at("2025-07-21 00:00")


def test_ladder_uses_the_offsets_configured_on_the_cycle():
    rungs = ladder(deadline=DEADLINE, days_before=[10], days_after=[3])
    assert [r.name for r in rungs] == ["before-10", "on-the-day", "overdue-3"]


@pytest.mark.parametrize(("rung", "moment"), RUNG_MOMENTS)
def test_each_rung_is_sent_at_its_moment_and_not_a_minute_before(
    rung, moment, ladder_cycle, estonia, alice, only_estonia_and_latvia, run_pass
):
    minute_before = (at(moment) - timedelta(minutes=1)).strftime("%Y-%m-%d %H:%M")
    before = run_pass(minute_before)
    Notification.objects.all().delete()
    assert ("reminder", rung, "EE") not in before
    assert ("reminder", rung, "EE") in run_pass(moment)


def test_a_whole_cycle_sends_every_rung_once_and_escalates_once(
    ladder_cycle, estonia, alice, bob, charlie, only_estonia_and_latvia, run_pass
):
    moment = at("2025-05-20 00:00")
    sent = []
    while moment < at("2025-07-30 00:00"):
        sent += run_pass(moment.strftime("%Y-%m-%d %H:%M"))
        moment += timedelta(hours=6)
    estonia_sent = [(kind, rung) for kind, rung, code in sent if code == "EE"]
    assert estonia_sent == [("reminder", name) for name, _moment in RUNG_MOMENTS[:5]] + [
        ("escalation", "escalation"),
        ("reminder", "overdue-1"),
        ("reminder", "overdue-7"),
        ("reminder", "overdue-14"),
    ]
    to_alice = [m.subject for m in mail.outbox if m.to == ["alice@ee.example.org"]]
    to_charlie = [m.subject for m in mail.outbox if m.to == ["charlie@staff.example.org"]]
    assert len(to_alice) == 8
    assert len([m for m in mail.outbox if m.to == ["bob@lv.example.org"]]) == 8
    assert to_charlie == ["Missing plan: Estonia 2025", "Missing plan: Latvia 2025"]
    assert set(Notification.objects.values_list("status", flat=True)) == {NotificationStatus.SENT}


def test_a_cycle_opened_late_sends_only_the_latest_rung_and_never_the_skipped_ones(
    ladder_cycle, estonia, alice, only_estonia_and_latvia, run_pass
):
    ladder_cycle.opens_at = at("2025-06-25 08:00")
    ladder_cycle.save()
    first = run_pass("2025-06-25 09:00")
    later = [run_pass(f"2025-06-{day} 09:00") for day in (26, 27, 28)]
    assert first == [("reminder", "before-7", "EE"), ("reminder", "before-7", "LV")]
    assert later == [[], [], []]
    assert run_pass("2025-06-29 09:00") == [("reminder", "before-1", "EE"), ("reminder", "before-1", "LV")]
    assert set(Notification.objects.values_list("rung", flat=True)) == {"before-7", "before-1"}


def test_passes_before_the_cycle_opens_send_nothing(ladder_cycle, estonia, alice, run_pass):
    ladder_cycle.opens_at = at("2025-06-20 00:00")
    ladder_cycle.save()
    assert run_pass("2025-06-17 09:00") == []


def test_two_passes_at_the_same_moment_send_each_reminder_once(
    ladder_cycle, estonia, alice, only_estonia_and_latvia, run_pass
):
    first = run_pass("2025-06-23 09:00")
    second = run_pass("2025-06-23 09:00")
    assert (len(first), second, len(mail.outbox)) == (2, [], 1)  # LV has no delegate: its reminder waits
    assert Notification.objects.get(member__code="LV").status == "waiting"


def test_an_extension_moves_the_ladder(ladder_cycle, estonia, alice, charlie, only_estonia_and_latvia, run_pass):
    assert run_pass("2025-06-23 09:00") == [("reminder", "before-7", "EE"), ("reminder", "before-7", "LV")]
    DeadlineExtension.objects.create(
        cycle=ladder_cycle, member=estonia, deadline=at("2025-07-31 12:00"), reason="Elections", granted_by=charlie
    )
    # Latvia goes on with the cycle's ladder; Estonia waits for the new one.
    assert run_pass("2025-06-29 09:00") == [("reminder", "before-1", "LV")]
    assert run_pass("2025-07-01 09:00") == [
        ("escalation", "escalation", "LV"),
        ("reminder", "before-30", "EE"),
        ("reminder", "overdue-1", "LV"),
    ]
    assert run_pass("2025-07-24 09:00") == [("reminder", "before-7", "EE")]
    assert run_pass("2025-08-01 09:00") == [("escalation", "escalation", "EE"), ("reminder", "overdue-1", "EE")]
    assert "2025-07-31 12:00" in mail.outbox[-1].body or "2025-07-31 12:00" in mail.outbox[-2].body


def test_submitted_in_review_and_accepted_plans_are_not_chased(
    ladder_cycle, estonia, alice, as_alice, as_charlie, only_estonia_and_latvia, run_pass
):
    with time_machine.travel(at("2025-06-20 09:00"), tick=False):
        plan = services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan
        assert run_pass("2025-06-20 09:00") == [("reminder", "before-14", "EE"), ("reminder", "before-14", "LV")]
        services.plan_submit(plan=plan, actor=as_alice)
    assert run_pass("2025-06-23 09:00") == [("reminder", "before-7", "LV")]
    services.plan_start_review(plan=plan, actor=as_charlie)
    assert run_pass("2025-06-29 09:00") == [("reminder", "before-1", "LV")]
    services.plan_accept(plan=plan, actor=as_charlie)
    assert run_pass("2025-07-01 09:00") == [("escalation", "escalation", "LV"), ("reminder", "overdue-1", "LV")]


def test_a_returned_plan_gets_resubmit_reminders_from_the_return_on(
    ladder_cycle, estonia, alice, charlie, as_alice, as_charlie, only_estonia_and_latvia, run_pass
):
    with time_machine.travel(at("2025-06-19 09:00"), tick=False):
        plan = services.plan_create(cycle=ladder_cycle, member=estonia, actor=as_alice, content=valid_content()).plan
        services.plan_submit(plan=plan, actor=as_alice)
    with time_machine.travel(at("2025-06-20 09:00"), tick=False):
        services.plan_return(plan=plan, actor=as_charlie, comment="Add the partnerships.")
    # The before-14 rung fell before the return, whose notice already asked for a new version.
    assert run_pass("2025-06-20 10:00") == [("reminder", "before-14", "LV")]
    mail.outbox.clear()
    assert run_pass("2025-06-23 09:00") == [("reminder", "before-7", "LV"), ("resubmit", "before-7", "EE")]
    resubmit = next(m for m in mail.outbox if m.to == ["alice@ee.example.org"])
    assert resubmit.subject == "Please resubmit: Estonia plan 2025"
    assert "returned for revision and has not been resubmitted" in resubmit.body
    # A member that did submit is not escalated to staff as missing.
    assert run_pass("2025-07-01 09:00") == [
        ("escalation", "escalation", "LV"),
        ("reminder", "overdue-1", "LV"),
        ("resubmit", "overdue-1", "EE"),
    ]


def test_reminder_mail_names_member_cycle_deadline_and_link(ladder_cycle, estonia, alice, run_pass):
    run_pass("2025-06-23 09:00")
    message = next(m for m in mail.outbox if m.to == ["alice@ee.example.org"])
    html = message.alternatives[0][0]
    assert message.subject == "Reminder: Estonia plan 2025 due 2025-06-30"
    assert "The plan of Estonia for 2025 is due in 7 days." in message.body
    assert "Effective deadline: 2025-06-30 23:59 UTC" in message.body
    assert "http://127.0.0.1:8000/" in message.body
    assert "The plan of Estonia for 2025 is due in 7 days." in html


def test_on_the_day_and_overdue_wording(ladder_cycle, estonia, alice, run_pass):
    run_pass("2025-06-30 09:00")
    run_pass("2025-07-07 09:00")
    bodies = [m.body for m in mail.outbox if m.to == ["alice@ee.example.org"]]
    assert "The plan of Estonia for 2025 is due today." in bodies[0]
    assert "Its deadline passed 7 days ago." in bodies[1]
    assert [m.subject for m in mail.outbox if m.to == ["alice@ee.example.org"]][1] == "Overdue: Estonia plan 2025"


def test_each_recipient_gets_the_mail_in_their_language(ladder_cycle, estonia, alice, run_pass):
    from tests.factories import DelegateFactory, UserFactory

    DelegateFactory(user=UserFactory(email="aurelie@ee.example.org", language="fr"), member=estonia)
    run_pass("2025-06-23 09:00")
    by_recipient = {tuple(m.to): m for m in mail.outbox}
    assert by_recipient[("alice@ee.example.org",)].subject == "Reminder: Estonia plan 2025 due 2025-06-30"
    french = by_recipient[("aurelie@ee.example.org",)]
    assert french.subject == "Rappel : plan 2025 de Estonie attendu le 2025-06-30"
    assert "Le plan de Estonie pour 2025 est attendu dans 7 jours." in french.body
    assert "Soumettez le plan ici :" in french.body
    assert 'lang="fr"' in french.alternatives[0][0]
    assert "Le plan de Estonie pour 2025 est attendu dans 7 jours." in french.alternatives[0][0]


def test_nothing_is_sent_for_a_pass_that_rolled_back(ladder_cycle, estonia, alice, django_capture_on_commit_callbacks):
    def pass_then_fail():
        with transaction.atomic():
            reminder_pass()
            raise RuntimeError("the pass failed after claiming")

    with (
        time_machine.travel(at("2025-06-23 09:00"), tick=False),
        django_capture_on_commit_callbacks(execute=True),
        pytest.raises(RuntimeError, match="after claiming"),
    ):
        pass_then_fail()
    assert (Notification.objects.count(), mail.outbox) == (0, [])


def test_escalation_goes_to_staff_in_their_language(
    ladder_cycle, estonia, alice, charlie, only_estonia_and_latvia, run_pass
):
    from tests.factories import StaffFactory

    StaffFactory(email="francois@staff.example.org", language="fr")
    run_pass("2025-07-02 09:00")
    subjects = sorted((m.to[0], m.subject) for m in mail.outbox if m.to != ["alice@ee.example.org"])
    assert subjects == [
        ("charlie@staff.example.org", "Missing plan: Estonia 2025"),
        ("charlie@staff.example.org", "Missing plan: Latvia 2025"),
        ("francois@staff.example.org", "Plan manquant : Estonie 2025"),
        ("francois@staff.example.org", "Plan manquant : Lettonie 2025"),
    ]
    estonian = Notification.objects.get(kind=NotificationKind.ESCALATION, member=estonia)
    assert estonian.recipients == ["charlie@staff.example.org", "francois@staff.example.org"]
    to_charlie = next(m for m in mail.outbox if m.to == ["charlie@staff.example.org"] and "Estonia" in m.subject)
    assert "Estonia has not submitted its plan for 2025; its effective deadline passed 2 days ago." in to_charlie.body
    assert "http://127.0.0.1:8000/admin/plans/plan/" in to_charlie.body


@pytest.mark.parametrize("missing", [1, 3])
def test_a_pass_costs_the_same_queries_whatever_the_number_of_members(missing, ladder_cycle, django_assert_num_queries):
    from members.models import Member
    from plans.models import Plan

    chased = ["EE", "LV", "LT"][:missing]
    Plan.objects.bulk_create(
        Plan(cycle=ladder_cycle, member=member, status="accepted") for member in Member.objects.exclude(code__in=chased)
    )
    reminder_pass(at=at("2025-06-23 09:00"))
    # Once claimed: the savepoint and its release, the cycles, the candidates (members x plan x
    # deadline) and the keys taken.
    with django_assert_num_queries(5):
        assert reminder_pass(at=at("2025-06-23 09:00")) == []


def test_a_reminder_for_a_member_without_a_delegate_waits_and_goes_out_once_one_is_added(
    ladder_cycle, estonia, alice, charlie, only_estonia_and_latvia, run_pass, client
):
    from plans.notifications import notifications_dispatch
    from tests.factories import DelegateFactory, UserFactory

    run_pass("2025-06-23 09:00")
    waiting = Notification.objects.get(member__code="LV")
    assert (waiting.status, waiting.get_status_display(), len(mail.outbox)) == ("waiting", "Waiting for a delegate", 1)
    assert waiting.last_error == "Waiting: the member has no active delegate with an e-mail address."
    # Staff see it in the notification log, filtered by its status.
    client.force_login(charlie)
    page = client.get("/admin/plans/notification/?status__exact=waiting")
    assert page.status_code == 200
    assert "Waiting for a delegate" in page.content.decode()
    with time_machine.travel(at("2025-06-23 10:00"), tick=False):
        assert notifications_dispatch() == {}  # still nobody to write to
        DelegateFactory(user=UserFactory(email="liga@lv.example.org"), member=waiting.member)
        assert notifications_dispatch() == {"released": 1, "sent": 1}
    waiting.refresh_from_db()
    assert (waiting.status, waiting.recipients) == ("sent", ["liga@lv.example.org"])
    assert [m.to for m in mail.outbox[1:]] == [["liga@lv.example.org"]]
