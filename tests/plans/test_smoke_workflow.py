from plans import services
from plans.enums import PlanStatus
from tests.factories import valid_content


def test_draft_submitted_reviewed_and_accepted(cycle, estonia, as_alice, as_charlie):
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    receipt = services.plan_submit(plan=plan, actor=as_alice)
    services.plan_start_review(plan=plan, actor=as_charlie)
    services.plan_accept(plan=plan, actor=as_charlie)
    plan.refresh_from_db()
    assert (plan.status, receipt.number, len(receipt.sha256)) == (PlanStatus.ACCEPTED, 1, 64)
