from django.core.management.base import BaseCommand, CommandError

from members.actors import Actor
from members.enums import Language, Role
from members.services import MemberInputError, delegate_add, member_by_code


class Command(BaseCommand):
    help = "Make a user (created if needed) a delegate of one member, with a role."

    def add_arguments(self, parser):
        parser.add_argument("email")
        parser.add_argument("--member", required=True, help="ISO alpha-2 code of the ally, e.g. EE")
        parser.add_argument("--role", required=True, help=f"one of {', '.join(Role.values)}")
        parser.add_argument(
            "--password", help="set this password (otherwise a new user is invited by e-mail to choose one)"
        )
        parser.add_argument("--language", default=Language.ENGLISH, help="en or fr, for e-mails")

    def handle(self, *args, **options):
        try:
            member = member_by_code(options["member"])
            result = delegate_add(
                actor=Actor.system(),
                email=options["email"],
                member=member,
                role=options["role"],
                password=options["password"],
                language=options["language"],
            )
        except MemberInputError as exc:
            raise CommandError(str(exc)) from None
        delegate = result.delegate
        verb = "Created" if result.created_user else "Updated"
        self.stdout.write(f"{verb} {delegate.user.email}: {delegate.role} for {member.name} ({member.code})")
        if result.created_user and options["password"] is None:
            self.stdout.write(f"Invitation queued: {delegate.user.email} receives a link to choose a password.")
