"""A malformed reminder ladder stays with its cycle: refused when saved, and skipped if one is stored anyway."""

import pytest
import time_machine

from members.actors import Actor
from plans import services
from plans.errors import PlanInvalid
from plans.models import Cycle, Notification
from plans.reminders import reminder_pass
from tests.notifications.conftest import DEADLINE, at


@pytest.mark.parametrize(
    ("ladder", "code"),
    [(["thirty"], "invalid"), ([0], "invalid"), ([7, 7], "duplicate"), ("7", "invalid"), ([True], "invalid")],
)
def test_the_cycle_service_refuses_a_malformed_ladder_naming_the_field(db, ladder, code):
    with pytest.raises(PlanInvalid) as caught:
        services.cycle_open(
            actor=Actor.system(),
            year=2025,
            opens_at=at("2025-03-01 00:00"),
            deadline=DEADLINE,
            reminder_days_before=ladder,
        )
    assert [(f.field, f.code) for f in caught.value.findings] == [("reminder_days_before", code)]
    assert not Cycle.objects.filter(year=2025).exists()


def test_a_stored_malformed_ladder_does_not_stop_other_cycles_or_the_stale_mail_requeue(ladder_cycle, estonia, alice):
    broken = Cycle.objects.create(
        year=2026, opens_at=at("2025-03-01 00:00"), deadline=DEADLINE.replace(year=2026), overdue_days_after=["x"]
    )
    with time_machine.travel(at("2025-06-23 09:00"), tick=False):
        claimed = reminder_pass()
    # Every ally is chased in 2025 (7 days before); nothing is claimed for the broken 2026 ladder.
    assert {(n.cycle.year, n.rung) for n in claimed} == {(2025, "before-7")}
    assert len(claimed) == 32
    assert not Notification.objects.filter(cycle=broken).exists()
