"""The two staff roles as groups: reviewers (review plans, comment) and cycle managers.

`plans.review_plan` is a permission of our own rather than a Meta permission of Plan, so that
adding it needs no schema migration of the plans app. Django creates model permissions only
after all migrations ran (post_migrate), so they are created here first.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

REVIEW_PERMISSION = ("review_plan", "Can review plans (start review, return, accept, assign reviewers)")

GROUPS = {
    "Reviewers": {
        "plans": [
            "view_plan",
            "review_plan",
            "view_planversion",
            "view_review",
            "view_comment",
            "add_comment",
            "view_planevent",
            "view_cycle",
            "view_deadlineextension",
            "view_notification",
        ],
        "members": ["view_member"],
    },
    "Cycle managers": {
        "plans": [
            "view_plan",
            "add_cycle",
            "change_cycle",
            "view_cycle",
            "add_deadlineextension",
            "change_deadlineextension",
            "delete_deadlineextension",
            "view_deadlineextension",
            "view_notification",
        ],
        "members": [
            "view_member",
            "add_delegate",
            "change_delegate",
            "delete_delegate",
            "view_delegate",
            "add_apikey",
            "change_apikey",
            "view_apikey",
        ],
        "django_celery_beat": [
            f"{action}_{model}"
            for model in (
                "periodictask",
                "crontabschedule",
                "intervalschedule",
                "solarschedule",
                "clockedschedule",
            )
            for action in ("add", "change", "delete", "view")
        ],
    },
}


def create_groups(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None

    ContentType = apps.get_model("contenttypes", "ContentType")
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")

    plan_type = ContentType.objects.get_for_model(apps.get_model("plans", "Plan"))
    codename, name = REVIEW_PERMISSION
    Permission.objects.get_or_create(content_type=plan_type, codename=codename, defaults={"name": name})

    for group_name, by_app in GROUPS.items():
        group, _created = Group.objects.get_or_create(name=group_name)
        for app_label, codenames in by_app.items():
            permissions = list(Permission.objects.filter(content_type__app_label=app_label, codename__in=codenames))
            missing = set(codenames) - {permission.codename for permission in permissions}
            if missing:
                raise RuntimeError(f"Permissions missing for {app_label}: {sorted(missing)}")
            group.permissions.add(*permissions)


def remove_groups(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=list(GROUPS)).delete()
    apps.get_model("auth", "Permission").objects.filter(
        content_type__app_label="plans", codename=REVIEW_PERMISSION[0]
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("members", "0002_the_32_allies"),
        ("plans", "0001_initial"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("django_celery_beat", "0019_alter_periodictasks_options"),
    ]

    operations = [migrations.RunPython(create_groups, remove_groups)]
