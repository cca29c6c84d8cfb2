"""The daily pruning of finished notification rows past NOTIFICATION_RETENTION_DAYS, editable in the admin."""

from django.db import migrations

TASK_NAME = "Prune the notification log"


def create_schedule(apps, schema_editor):
    CrontabSchedule = apps.get_model("django_celery_beat", "CrontabSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    daily, _created = CrontabSchedule.objects.get_or_create(
        minute="25", hour="3", day_of_week="*", day_of_month="*", month_of_year="*", timezone="UTC"
    )
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "plans.prune_notifications",
            "crontab": daily,
            "enabled": True,
            "description": "Deletes sent, cancelled and failed e-mails older than NOTIFICATION_RETENTION_DAYS.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("plans", "0011_dispatch_schedule"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
