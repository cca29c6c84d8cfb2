"""PostgreSQL refuses what the application never does: changing or deleting a submitted version or a
security event (a recent one), whoever sends the SQL. Here because the triggers exist only on
PostgreSQL, which the integration stage runs on."""

from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.db.utils import ProgrammingError
from django.utils import timezone

from core.enums import SecurityEventKind
from core.models import SECURITY_LOG_MINIMUM_DAYS, SecurityEvent
from core.services import security_event_record, security_events_prune
from plans import services
from plans.models import PlanVersion
from tests.factories import valid_content

pytestmark = [pytest.mark.integration, pytest.mark.django_db]


def raw(sql: str, params: list) -> None:
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)


@pytest.fixture
def version(cycle, estonia, as_alice):
    assert connection.vendor == "postgresql", "this test needs DATABASE_URL to name a PostgreSQL database"
    plan = services.plan_create(cycle=cycle, member=estonia, actor=as_alice, content=valid_content()).plan
    return services.plan_submit(plan=plan, actor=as_alice).version


def test_the_database_refuses_to_change_or_delete_a_version(version):
    with pytest.raises(ProgrammingError, match="Cannot update or delete rows from plans_planversion"):
        raw("UPDATE plans_planversion SET content = %s WHERE id = %s", ["{}", version.pk])
    with pytest.raises(ProgrammingError, match="Cannot update or delete rows from plans_planversion"):
        raw("DELETE FROM plans_planversion WHERE id = %s", [version.pk])
    assert PlanVersion.objects.get(pk=version.pk).content == version.content


def test_the_database_refuses_to_change_an_event_or_delete_a_recent_one():
    assert connection.vendor == "postgresql", "this test needs DATABASE_URL to name a PostgreSQL database"
    event = security_event_record(kind=SecurityEventKind.SIGN_IN_FAILED, identifier="x@example.org")
    with pytest.raises(ProgrammingError, match="Cannot update rows from core_securityevent"):
        raw("UPDATE core_securityevent SET identifier = 'y' WHERE id = %s", [event.pk])
    with pytest.raises(ProgrammingError, match="Cannot delete rows from core_securityevent"):
        raw("DELETE FROM core_securityevent WHERE id = %s", [event.pk])
    assert SecurityEvent.objects.filter(pk=event.pk).count() == 1


def test_pruning_deletes_old_events_through_the_trigger(settings):
    assert connection.vendor == "postgresql", "this test needs DATABASE_URL to name a PostgreSQL database"
    old = SecurityEvent.objects.create(
        kind=SecurityEventKind.SIGN_IN_FAILED,
        identifier="old@example.org",
        at=timezone.now() - timedelta(days=settings.SECURITY_LOG_RETENTION_DAYS + 1),
    )
    recent = security_event_record(kind=SecurityEventKind.SIGN_IN_FAILED, identifier="new@example.org")
    assert security_events_prune() == 1
    assert list(SecurityEvent.objects.values_list("pk", flat=True)) == [recent.pk]
    assert old.pk != recent.pk
    assert settings.SECURITY_LOG_MINIMUM_DAYS == SECURITY_LOG_MINIMUM_DAYS


def test_a_retention_below_the_floor_deletes_nothing_recent(settings):
    assert connection.vendor == "postgresql", "this test needs DATABASE_URL to name a PostgreSQL database"
    SecurityEvent.objects.create(
        kind=SecurityEventKind.SIGN_IN_FAILED,
        identifier="young@example.org",
        at=timezone.now() - timedelta(days=SECURITY_LOG_MINIMUM_DAYS - 2),
    )
    settings.SECURITY_LOG_RETENTION_DAYS = 1  # a misconfiguration the settings refuse; the database too
    with pytest.raises(ProgrammingError, match="Cannot delete rows from core_securityevent"), transaction.atomic():
        security_events_prune()
    assert SecurityEvent.objects.count() == 1
