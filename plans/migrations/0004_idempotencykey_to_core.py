"""IdempotencyKey moves to the core app: removed from this app's state only; core takes over the table."""

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [("plans", "0003_notification_cancelled")]

    operations = [
        migrations.SeparateDatabaseAndState(state_operations=[migrations.DeleteModel(name="IdempotencyKey")]),
    ]
