"""IdempotencyKey, moved here from the plans app with its rows: the table is renamed, not recreated."""

import django.utils.timezone
from django.db import migrations, models


class Migration(migrations.Migration):
    initial = True

    dependencies = [("plans", "0004_idempotencykey_to_core")]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[
                migrations.CreateModel(
                    name="IdempotencyKey",
                    fields=[
                        (
                            "id",
                            models.BigAutoField(
                                auto_created=True, primary_key=True, serialize=False, verbose_name="ID"
                            ),
                        ),
                        ("principal", models.CharField(max_length=100)),
                        ("key", models.CharField(max_length=255)),
                        ("endpoint", models.CharField(max_length=200)),
                        ("request_hash", models.CharField(max_length=64)),
                        ("response_status", models.PositiveSmallIntegerField(blank=True, null=True)),
                        ("response_body", models.JSONField(blank=True, null=True)),
                        ("response_headers", models.JSONField(blank=True, default=dict)),
                        ("created_at", models.DateTimeField(default=django.utils.timezone.now)),
                        ("expires_at", models.DateTimeField()),
                    ],
                    options={
                        "db_table": "plans_idempotencykey",
                        "indexes": [models.Index(fields=["expires_at"], name="plans_idemp_expires_004bcc_idx")],
                        "constraints": [
                            models.UniqueConstraint(fields=("principal", "key"), name="idempotency_key_unique")
                        ],
                    },
                ),
            ]
        ),
        migrations.AlterModelTable(name="idempotencykey", table=None),
        migrations.RenameIndex(
            model_name="idempotencykey", new_name="idempotency_expires_idx", old_name="plans_idemp_expires_004bcc_idx"
        ),
    ]
