"""The minute's sweep of due webhook retries, and the webhook permissions of the Cycle managers group.

The group holds exactly what core.permissions.STAFF_GROUPS says (a frozen copy of the additions here).
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

TASK_NAME = "Webhook retries"
CYCLE_MANAGERS = [
    "webhooks.manage_webhooks",
    "webhooks.view_event",
    "webhooks.view_webhookendpoint",
    "webhooks.add_webhookendpoint",
    "webhooks.change_webhookendpoint",
    "webhooks.delete_webhookendpoint",
    "webhooks.view_webhookdelivery",
]


def forwards(apps, schema_editor):
    IntervalSchedule = apps.get_model("django_celery_beat", "IntervalSchedule")
    PeriodicTask = apps.get_model("django_celery_beat", "PeriodicTask")
    every_minute, _created = IntervalSchedule.objects.get_or_create(every=1, period="minutes")
    PeriodicTask.objects.get_or_create(
        name=TASK_NAME,
        defaults={
            "task": "webhooks.sweep",
            "interval": every_minute,
            "enabled": True,
            "description": "Sends the webhook deliveries whose next try is due.",
        },
    )
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    group, _created = Group.objects.get_or_create(name="Cycle managers")
    for permission in CYCLE_MANAGERS:
        app_label, codename = permission.split(".")
        group.permissions.add(Permission.objects.get(content_type__app_label=app_label, codename=codename))


def backwards(apps, schema_editor):
    apps.get_model("django_celery_beat", "PeriodicTask").objects.filter(name=TASK_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("webhooks", "0001_initial"),
        ("members", "0007_recovery_codes_authors_kept"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(forwards, backwards)]
