"""/metrics: closed unless configured, then django-prometheus's figures plus the service's own."""

from datetime import timedelta

import pytest
import time_machine
from django.utils import timezone

from config.metrics import count_task
from plans.enums import NotificationKind, NotificationStatus
from plans.models import Notification
from reports.models import ComplianceReport, ReportStatus
from tests.factories import CycleFactory, member

pytestmark = pytest.mark.django_db


def metric_values(text: str) -> dict[str, float]:
    """`name{labels} value` lines of the exposition format, comments left out."""
    values = {}
    for line in text.splitlines():
        if line and not line.startswith("#"):
            name, _, value = line.rpartition(" ")
            values[name] = float(value)
    return values


def scrape(client, token: str) -> dict[str, float]:
    response = client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {token}")
    assert (response.status_code, response["Content-Type"].split(";")[0]) == (200, "text/plain")
    return metric_values(response.content.decode())


def test_metrics_are_off_unless_a_token_or_network_is_configured(client, settings):
    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = []
    assert client.get("/metrics").status_code == 404


def test_metrics_need_the_token(client, metrics_token, charlie):
    client.force_login(charlie)  # a staff session is not the token
    assert client.get("/metrics").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION="Bearer not-the-token-0123456789").status_code == 403
    assert client.get("/metrics", HTTP_AUTHORIZATION=f"Bearer {metrics_token}").status_code == 200


def test_metrics_open_to_an_allowed_network(client, settings):
    import ipaddress

    settings.METRICS_TOKEN = ""
    settings.METRICS_ALLOWED_NETWORKS = [ipaddress.ip_network("10.0.0.0/8")]
    assert client.get("/metrics", REMOTE_ADDR="10.20.30.40").status_code == 200
    assert client.get("/metrics", REMOTE_ADDR="192.0.2.1").status_code == 403


def test_metrics_answer_a_scrape_by_address_in_production(client, settings, metrics_token):
    settings.ALLOWED_HOSTS = ["plans.example.org"]
    settings.SECURE_SSL_REDIRECT = True
    response = client.get("/metrics", HTTP_HOST="10.1.2.3:8000", HTTP_AUTHORIZATION=f"Bearer {metrics_token}")
    assert response.status_code == 200


def test_email_backlog_counts_pending_and_failed_and_ages_the_oldest(client, metrics_token):
    cycle = CycleFactory()
    now = timezone.now()

    def notification(key: str, status: str, age: timedelta) -> None:
        Notification.objects.create(
            kind=NotificationKind.RECEIPT,
            dedupe_key=key,
            cycle=cycle,
            member=member("EE"),
            status=status,
            created_at=now - age,
        )

    notification("a", NotificationStatus.PENDING, timedelta(minutes=30))
    notification("b", NotificationStatus.PENDING, timedelta(minutes=5))
    notification("c", NotificationStatus.FAILED, timedelta(hours=2))
    notification("d", NotificationStatus.SENT, timedelta(days=1))
    with time_machine.travel(now, tick=False):
        values = scrape(client, metrics_token)
    assert (
        values["plans_email_pending"],
        values["plans_email_oldest_pending_age_seconds"],
        values["plans_email_failed"],
    ) == (2, 1800, 1)


def test_report_runs_queued_and_running_with_their_oldest(client, metrics_token):
    cycle = CycleFactory()
    now = timezone.now()
    for status, age in [(ReportStatus.QUEUED, 60), (ReportStatus.QUEUED, 600), (ReportStatus.DONE, 9000)]:
        ComplianceReport.objects.create(cycle=cycle, status=status, created_at=now - timedelta(seconds=age))
    with time_machine.travel(now, tick=False):
        values = scrape(client, metrics_token)
    assert values['plans_reports_unfinished{status="queued"}'] == 2
    assert values['plans_reports_unfinished{status="running"}'] == 0
    assert values['plans_reports_oldest_unfinished_age_seconds{status="queued"}'] == 600


def test_task_counts_are_read_from_the_shared_cache(client, metrics_token):
    count_task("plans.send_notification", "succeeded")
    count_task("plans.send_notification", "succeeded")
    count_task("plans.send_notification", "failed")
    values = scrape(client, metrics_token)
    assert values['plans_celery_tasks_total{outcome="succeeded",task="plans.send_notification"}'] == 2
    assert values['plans_celery_tasks_total{outcome="failed",task="plans.send_notification"}'] == 1
    assert values['plans_celery_tasks_total{outcome="retried",task="reports.build_compliance_report"}'] == 0


def test_a_source_that_is_down_is_reported_not_fatal(client, metrics_token, settings, closed_port):
    settings.CELERY_BROKER_URL = f"redis://127.0.0.1:{closed_port}/0"
    values = scrape(client, metrics_token)
    assert (values['plans_metrics_source_up{source="broker"}'], values['plans_metrics_source_up{source="email"}']) == (
        0,
        1,
    )


def test_django_prometheus_counts_requests_by_view(client, metrics_token):
    key = 'django_http_responses_total_by_status_view_method_total{method="GET",status="403",view="health"}'
    before = scrape(client, metrics_token).get(key, 0)
    client.get("/health/")  # 403 for anonymous, counted all the same
    assert scrape(client, metrics_token)[key] == before + 1
