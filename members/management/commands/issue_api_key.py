from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from members.actors import Actor
from members.services import MemberInputError, api_key_issue, member_by_code, parse_scopes


class Command(BaseCommand):
    help = "Issue an API key for a member's national system. The key is printed once and never stored."

    def add_arguments(self, parser):
        parser.add_argument("member", help="ISO alpha-2 code of the ally, e.g. EE")
        parser.add_argument("--name", required=True, help="what the key is for, e.g. 'MoD ERP'")
        parser.add_argument("--scopes", default="read,write,submit", help="comma-separated: read, write, submit")
        parser.add_argument("--expires", help="ISO 8601 date-time with a time zone, e.g. 2026-12-31T23:59:59+00:00")

    def handle(self, *args, **options):
        try:
            member = member_by_code(options["member"])
            scopes = parse_scopes(options["scopes"])
            expires = None
            if options["expires"]:
                try:
                    expires = parse_datetime(options["expires"])
                except ValueError:  # well-formed but impossible, such as a 30th of February
                    expires = None
                if expires is None or expires.tzinfo is None:
                    raise MemberInputError(
                        f"--expires: not an ISO 8601 date-time with a time zone: {options['expires']!r}"
                    )
                if expires <= timezone.now():
                    raise MemberInputError(f"--expires: must be in the future, got {options['expires']!r}")
            api_key, key = api_key_issue(
                actor=Actor.system(), member=member, name=options["name"], scopes=scopes, expires=expires
            )
        except (MemberInputError, ValueError) as exc:
            raise CommandError(str(exc)) from None
        self.stderr.write(
            f"Issued key {api_key.prefix} '{api_key.name}' for {member.code} with scopes {','.join(scopes)}."
        )
        self.stderr.write("Store it now: it is shown only once.")
        self.stdout.write(key)
