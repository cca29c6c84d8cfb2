"""The e-mail outbox dispatcher, every minute, editable in the admin."""

from django.db import migrations

TASK_NAME = "Dispatch due e-mails"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _created = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "plans.dispatch_notifications",
            "interval": every_minute,
            "enabled": True,
            # A run missed while no worker consumed is not worth more than the next one.
            "expire_seconds": 60,
            "description": "Sends the e-mails that are due: new ones whose task was lost, retries, "
            "those of a worker that stopped (lease run out), and waiting ones once addressable.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0010_notification_outbox"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
