"""Approvers: the second level of two-level cycles; reviewers may read recommendations.

The staff groups hold exactly what core.permissions.STAFF_GROUPS says (a frozen copy here); a test
checks that the database and the table agree.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUPS = {
    "Reviewers": [
        "members.view_member",
        "plans.add_comment",
        "plans.add_internal_comment",
        "plans.review_plan",
        "plans.send_reminders",
        "plans.view_all_plans",
        "plans.view_comment",
        "plans.view_cycle",
        "plans.view_deadlineextension",
        "plans.view_notification",
        "plans.view_planevent",
        "plans.view_planversion",
        "plans.view_recommendation",
        "plans.view_review",
        "reports.view_compliance",
        "reports.view_compliancereport",
    ],
    "Approvers": [
        "members.view_member",
        "plans.add_comment",
        "plans.add_internal_comment",
        "plans.approve_plan",
        "plans.view_all_plans",
        "plans.view_comment",
        "plans.view_cycle",
        "plans.view_deadlineextension",
        "plans.view_notification",
        "plans.view_planevent",
        "plans.view_planversion",
        "plans.view_recommendation",
        "plans.view_review",
        "reports.view_compliance",
        "reports.view_compliancereport",
    ],
    "Cycle managers": [
        "django_celery_beat.add_clockedschedule",
        "django_celery_beat.add_crontabschedule",
        "django_celery_beat.add_intervalschedule",
        "django_celery_beat.add_periodictask",
        "django_celery_beat.add_solarschedule",
        "django_celery_beat.change_clockedschedule",
        "django_celery_beat.change_crontabschedule",
        "django_celery_beat.change_intervalschedule",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.change_solarschedule",
        "django_celery_beat.delete_clockedschedule",
        "django_celery_beat.delete_crontabschedule",
        "django_celery_beat.delete_intervalschedule",
        "django_celery_beat.delete_periodictask",
        "django_celery_beat.delete_solarschedule",
        "django_celery_beat.view_clockedschedule",
        "django_celery_beat.view_crontabschedule",
        "django_celery_beat.view_intervalschedule",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.view_solarschedule",
        "members.add_apikey",
        "members.add_delegate",
        "members.change_apikey",
        "members.change_delegate",
        "members.delete_delegate",
        "members.issue_api_keys",
        "members.manage_delegates",
        "members.view_apikey",
        "members.view_delegate",
        "members.view_member",
        "plans.add_cycle",
        "plans.add_deadlineextension",
        "plans.change_cycle",
        "plans.change_deadlineextension",
        "plans.delete_deadlineextension",
        "plans.manage_cycles",
        "plans.send_reminders",
        "plans.view_all_plans",
        "plans.view_cycle",
        "plans.view_deadlineextension",
        "plans.view_notification",
        "reports.view_compliance",
        "reports.view_compliancereport",
    ],
}


def grant(apps, schema_editor):
    # Model permissions are created after all migrations (post_migrate); create them now.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    for name, permissions in GROUPS.items():
        wanted = []
        for permission in permissions:
            app_label, codename = permission.split(".")
            found = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if found is None:
                raise RuntimeError(f"Permission missing: {permission}")
            wanted.append(found)
        group, _created = Group.objects.get_or_create(name=name)
        group.permissions.set(wanted)


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0005_staff_groups_from_table"),
        ("plans", "0006_two_level_approval"),
    ]

    operations = [migrations.RunPython(grant, migrations.RunPython.noop)]
