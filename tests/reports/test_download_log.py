"""Every report download is in the security log: who (person or key), from where, which file."""

from datetime import timedelta

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from rest_framework.test import APIClient

from core.enums import SecurityEventKind
from core.models import SecurityEvent
from reports.models import ComplianceReport
from tests.reports.helpers import DEADLINE, plan_in_state, report_cycle

pytestmark = pytest.mark.django_db


@pytest.fixture
def report(charlie, django_capture_on_commit_callbacks):
    cycle = report_cycle()
    plan_in_state(cycle, "EE", "submitted")
    staff = APIClient()
    staff.force_authenticate(charlie)
    with django_capture_on_commit_callbacks(execute=True), time_machine.travel(DEADLINE + timedelta(days=1)):
        staff.post("/api/v1/reports/", {"cycle": cycle.year}, format="json")
    return ComplianceReport.objects.get()


def test_downloads_through_the_page_and_the_api_are_logged(report, charlie):
    page = Client(REMOTE_ADDR="198.51.100.7")
    page.force_login(charlie)
    assert page.get(reverse("reports:download", args=[report.pk, "pdf"])).status_code == 200
    api = APIClient(REMOTE_ADDR="203.0.113.4")
    api.force_login(charlie)
    assert api.get(f"/api/v1/reports/{report.pk}/csv/").status_code == 200
    downloads = SecurityEvent.objects.filter(kind=SecurityEventKind.DOWNLOAD).order_by("id")
    assert [(e.user, e.ip_address, e.detail) for e in downloads] == [
        (
            charlie,
            "198.51.100.7",
            {"file": f"compliance-2025-{report.pk}.pdf", "subject": f"compliance report 2025 #{report.pk}"},
        ),
        (
            charlie,
            "203.0.113.4",
            {"file": f"compliance-2025-{report.pk}.csv", "subject": f"compliance report 2025 #{report.pk}"},
        ),
    ]


def test_a_refused_download_is_not_logged_as_one(report, alice):
    client = Client()
    client.force_login(alice)
    assert client.get(reverse("reports:download", args=[report.pk, "pdf"])).status_code == 302
    assert SecurityEvent.objects.filter(kind=SecurityEventKind.DOWNLOAD).count() == 0
