"""The report runs' dispatcher, every minute, editable in the admin."""

from django.db import migrations

TASK_NAME = "Dispatch report runs"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _created = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "reports.dispatch_reports",
            "interval": every_minute,
            "enabled": True,
            "expire_seconds": 60,
            "description": "Queues report runs whose task was lost; fails runs whose worker stopped "
            "(no heartbeat for REPORT_HEARTBEAT_TIMEOUT_SECONDS) and queues them again once.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("reports", "0004_report_heartbeat"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
