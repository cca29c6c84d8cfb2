from django.core.management.base import BaseCommand, CommandError

from plans.integrity import version_chain_breaks


class Command(BaseCommand):
    help = "Recompute every submitted version's hash and check each plan's hash chain; exit 1 on any break."

    def add_arguments(self, parser):
        parser.add_argument("--plan", type=int, action="append", dest="plan_ids", help="Only this plan (repeatable).")

    def handle(self, *args, plan_ids=None, **options):
        checked, breaks = version_chain_breaks(plan_ids=plan_ids)
        for item in breaks:
            self.stderr.write(str(item))
        if breaks:
            raise CommandError(f"{len(breaks)} break(s) in {checked} version(s).")
        self.stdout.write(f"{checked} version(s) checked: every hash and chain link holds.")
