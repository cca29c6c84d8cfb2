from django.core.management.base import BaseCommand

from plans.reminders import reminder_pass, reminders_due


class Command(BaseCommand):
    help = "Run the reminder pass once, now: claim the reminders due and send them (or queue them for workers)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="List what is due without claiming or sending.")

    def handle(self, *args, dry_run: bool = False, **options):
        if dry_run:
            for due in reminders_due():
                self.stdout.write(f"due {due.kind} {due.rung} {due.dedupe_key}")
            return
        claimed = reminder_pass()
        for notification in claimed:
            notification.refresh_from_db()
            self.stdout.write(
                f"{notification.status} {notification.kind} {notification.rung} "
                f"{notification.member.code} {notification.cycle.year} to {', '.join(notification.recipients) or '-'}"
                + (f" ({notification.last_error})" if notification.last_error else "")
            )
        self.stdout.write(f"{len(claimed)} reminder(s) claimed.")
