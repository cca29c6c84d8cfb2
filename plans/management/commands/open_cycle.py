from decimal import Decimal, InvalidOperation

from django.core.management.base import BaseCommand, CommandError
from django.utils.dateparse import parse_datetime

from members.actors import Actor
from plans.errors import DomainError
from plans.services import cycle_open


def aware_datetime(value: str, option: str):
    try:
        parsed = parse_datetime(value)
    except ValueError:  # well-formed but impossible, such as a 31st of June
        parsed = None
    if parsed is None or parsed.tzinfo is None:
        raise CommandError(
            f"{option}: not an ISO 8601 date-time with a time zone (e.g. 2025-06-30T23:59:59+02:00): {value!r}"
        )
    return parsed


def percent(value: str, option: str) -> Decimal:
    try:
        number = Decimal(value)
    except InvalidOperation:
        raise CommandError(f"{option}: not a number: {value!r}") from None
    if not Decimal(0) <= number <= Decimal(100):
        raise CommandError(f"{option}: must be between 0 and 100, got {value}")
    return number


class Command(BaseCommand):
    help = "Create or update the cycle for a year, open for submissions from now (or --opens)."

    def add_arguments(self, parser):
        parser.add_argument("year", type=int)
        parser.add_argument("--deadline", required=True, help="submission deadline, ISO 8601 with a time zone")
        parser.add_argument("--opens", help="when submissions open (default: now, or unchanged for an existing cycle)")
        parser.add_argument("--review-deadline", help="when reviews should be done")
        parser.add_argument("--spending-target", help="defence expenditure target, % of GDP (default 2.0)")
        parser.add_argument(
            "--equipment-target", help="equipment share target, % of defence expenditure (default 20.0)"
        )
        parser.add_argument(
            "--approval-levels",
            type=int,
            choices=[1, 2],
            help="1: a reviewer decides; 2: a reviewer recommends and an approver confirms (default 1)",
        )

    def handle(self, *args, **options):
        year = options["year"]
        if not 2024 <= year <= 2100:
            raise CommandError(f"year: give a year between 2024 and 2100, got {year}")
        deadline = aware_datetime(options["deadline"], "--deadline")
        opens = aware_datetime(options["opens"], "--opens") if options["opens"] else None
        review = aware_datetime(options["review_deadline"], "--review-deadline") if options["review_deadline"] else None
        spending = percent(options["spending_target"], "--spending-target") if options["spending_target"] else None
        equipment = percent(options["equipment_target"], "--equipment-target") if options["equipment_target"] else None
        if review is not None and review < deadline:
            raise CommandError("--review-deadline: must not be before the submission deadline")
        try:
            cycle, created = cycle_open(
                actor=Actor.system(),
                year=year,
                deadline=deadline,
                opens_at=opens,
                review_deadline=review,
                spending_target_pct=spending,
                equipment_target_pct=equipment,
                approval_levels=options["approval_levels"],
            )
        except DomainError as exc:
            raise CommandError(exc.message) from None
        verb = "Opened" if created else "Updated"
        self.stdout.write(
            f"{verb} cycle {cycle.year}: opens {cycle.opens_at.isoformat()}, deadline {cycle.deadline.isoformat()}, "
            f"targets {cycle.spending_target_pct}% of GDP, {cycle.equipment_target_pct}% equipment, "
            f"{cycle.approval_levels} approval level(s)"
        )
