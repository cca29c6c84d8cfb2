"""The reminder log in the admin: staff read it and retry failures; delegates never see it."""

import pytest
from django.contrib.auth.models import Permission
from django.core import mail
from django.urls import reverse

from plans.enums import NotificationKind, NotificationStatus
from plans.models import Notification

CHANGELIST = "admin:plans_notification_changelist"


@pytest.fixture
def reader(charlie):
    charlie.user_permissions.add(Permission.objects.get(codename="view_notification"))
    return charlie


def make(cycle, member, n: int, **fields) -> list[Notification]:
    return [
        Notification.objects.create(
            kind=NotificationKind.REMINDER,
            rung="before-7",
            dedupe_key=f"test:{member.code}:{i}:{fields.get('status', 'sent')}",
            cycle=cycle,
            member=member,
            recipients=["alice@ee.example.org"],
            **fields,
        )
        for i in range(n)
    ]


@pytest.mark.parametrize("size", [1, 3])
def test_the_log_lists_in_a_fixed_number_of_queries(
    size, client, reader, ladder_cycle, estonia, django_assert_num_queries
):
    make(ladder_cycle, estonia, size, status=NotificationStatus.FAILED, last_error="SMTPDataError: 554 rejected")
    client.force_login(reader)
    with django_assert_num_queries(14):
        response = client.get(reverse(CHANGELIST), secure=True)
    assert response.status_code == 200
    assert response.content.decode().count("SMTPDataError: 554 rejected") == size


def test_the_log_is_filtered_by_status(client, reader, ladder_cycle, estonia):
    make(ladder_cycle, estonia, 2, status=NotificationStatus.FAILED, last_error="boom")
    make(ladder_cycle, estonia, 1, status=NotificationStatus.SENT)
    client.force_login(reader)
    response = client.get(reverse(CHANGELIST), {"status__exact": "failed"}, secure=True)
    assert response.context["cl"].result_count == 2


def test_the_log_is_read_only(client, reader, ladder_cycle, estonia):
    [notification] = make(ladder_cycle, estonia, 1, status=NotificationStatus.SENT)
    client.force_login(reader)
    url = reverse("admin:plans_notification_change", args=[notification.pk])
    page = client.get(url, secure=True)
    post = client.post(url, {"status": "failed"}, secure=True)
    notification.refresh_from_db()
    assert (page.status_code, post.status_code, notification.status) == (200, 403, NotificationStatus.SENT)
    assert client.get(reverse("admin:plans_notification_add"), secure=True).status_code == 403


def test_a_delegate_cannot_read_the_log(client, alice, ladder_cycle, estonia):
    make(ladder_cycle, estonia, 1)
    client.force_login(alice)
    response = client.get(reverse(CHANGELIST), secure=True)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("admin:login"))


def test_the_retry_action_sends_failed_notifications_again(
    client, reader, alice, ladder_cycle, estonia, django_capture_on_commit_callbacks
):
    failed = make(ladder_cycle, estonia, 1, status=NotificationStatus.FAILED, last_error="451", attempts=7)
    sent = make(ladder_cycle, estonia, 1, status=NotificationStatus.SENT)
    client.force_login(reader)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            reverse(CHANGELIST),
            {"action": "retry_failed", "_selected_action": [failed[0].pk, sent[0].pk]},
            follow=True,
            secure=True,
        )
    failed[0].refresh_from_db()
    assert [str(m) for m in response.context["messages"]] == ["1 notification queued again."]
    assert (failed[0].status, failed[0].attempts, failed[0].last_error) == (NotificationStatus.SENT, 1, "")
    assert [m.to for m in mail.outbox] == [["alice@ee.example.org"]]
