import pytest

from plans import services
from tests.factories import valid_content

pytestmark = [pytest.mark.integration, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


def test_submission_receipt_is_mailed_by_the_worker(celery_worker, cycle, estonia, as_alice):
    _process, inbox = celery_worker
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    receipt = services.plan_submit(plan=plan, actor=as_alice)
    messages = inbox.wait_for(1)
    receipts = [m for m in messages if m["X-Envelope-To"] == "alice@ee.example.org"]
    assert len(receipts) == 1
    assert receipt.sha256 in receipts[0].get_payload(0).get_payload(decode=True).decode()
