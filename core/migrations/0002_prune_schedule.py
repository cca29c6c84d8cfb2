"""The daily pruning of expired Idempotency-Keys in django-celery-beat's schedule, editable in the admin."""

from django.db import migrations

TASK_NAME = "Prune expired idempotency keys"


def create_schedule(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_day, _created = IntervalSchedule.objects.get_or_create(every=1, period="days")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "core.prune_idempotency_keys",
            "interval": every_day,
            "enabled": True,
            "description": "Deletes the API's Idempotency-Keys whose 24-hour replay window has ended.",
        },
    )


def remove_schedule(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0001_initial"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_schedule, remove_schedule)]
