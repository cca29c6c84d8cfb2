"""The "Security officers" group: they read and export the security log (and nobody may change it).

Django creates model permissions only after all migrations ran (post_migrate), so they are
created here first, as members.0003_staff_groups does.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP = "Security officers"
CODENAMES = ["view_securityevent", "export_securityevent"]


def create_group(apps, schema_editor):
    core = apps.get_app_config("core")
    core.models_module = True
    create_permissions(core, apps=apps, verbosity=0)
    core.models_module = None
    Permission = apps.get_model("auth", "Permission")
    Group = apps.get_model("auth", "Group")
    permissions = list(Permission.objects.filter(content_type__app_label="core", codename__in=CODENAMES))
    if len(permissions) != len(CODENAMES):
        raise RuntimeError(f"Permissions missing for core: {CODENAMES}")
    group, _created = Group.objects.get_or_create(name=GROUP)
    group.permissions.add(*permissions)


def remove_group(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("core", "0003_security_log"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_group, remove_group)]
