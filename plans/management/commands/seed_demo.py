"""Fill a development database with demo users, two cycles and plans in every state."""

from datetime import timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction
from django.utils import timezone

from members.actors import Actor
from members.enums import Role
from members.models import Member
from members.services import delegate_add, member_by_code
from plans import services
from plans.models import Plan

DEMO_PASSWORD = "demo-plans-2025"
# (e-mail, group); no group means a superuser.
STAFF = [
    ("admin@example.org", None),
    ("reviewer@example.org", "Reviewers"),
    ("approver@example.org", "Approvers"),
    ("manager@example.org", "Cycle managers"),
]
DELEGATES = [
    ("ee.submitter@example.org", "EE", Role.SUBMITTER, "en"),
    ("ee.editor@example.org", "EE", Role.EDITOR, "en"),
    ("ee.viewer@example.org", "EE", Role.VIEWER, "en"),
    ("fr.submitter@example.org", "FR", Role.SUBMITTER, "fr"),
    ("pl.submitter@example.org", "PL", Role.SUBMITTER, "en"),
    ("is.submitter@example.org", "IS", Role.SUBMITTER, "en"),
    ("de.submitter@example.org", "DE", Role.SUBMITTER, "en"),
    ("lt.submitter@example.org", "LT", Role.SUBMITTER, "en"),
    ("no.submitter@example.org", "NO", Role.SUBMITTER, "en"),
]


def demo_content(code: str, scale: int) -> dict:
    total = Decimal(1_000_000_000 * scale)
    return {
        "defence_expenditure": total,
        "equipment_expenditure": total * Decimal("0.25"),
        "personnel_expenditure": total * Decimal("0.45"),
        "infrastructure_expenditure": total * Decimal("0.10"),
        "other_expenditure": total * Decimal("0.20"),
        "gdp": total * 40,
        "currency": "EUR",
        "military_personnel": 5000 * scale,
        "summary": f"Demo plan of {code}: more ammunition and air defence interceptors.",
        "lines": [
            {
                "item_code": "art-155",
                "category": "ammunition",
                "item": "155 mm artillery shells",
                "unit": "rounds",
                "baseline_capacity": Decimal(20_000 * scale),
                "target_capacity": Decimal(60_000 * scale),
                "target_year": 2028,
                "stockpile_current": Decimal(10_000 * scale),
                "stockpile_target": Decimal(40_000 * scale),
                "planned_investment": Decimal(90_000_000 * scale),
                "funding": "national",
                "priority": "critical",
                "bottleneck": "raw_materials",
            },
            {
                "item_code": "manpads",
                "category": "air_missile_defence",
                "item": "Stinger interceptors",
                "unit": "missiles",
                "baseline_capacity": Decimal(50 * scale),
                "target_capacity": Decimal(200 * scale),
                "target_year": 2029,
                "planned_investment": Decimal(120_000_000 * scale),
                "funding": "multinational",
                "priority": "high",
                "bottleneck": "components",
            },
        ],
        "partnerships": [
            {
                "kind": "industry",
                "partner_name": "Demo Munitions Ltd",
                "status": "signed",
                "value": Decimal(50_000_000),
            },
            {
                "kind": "multinational",
                "partner_name": "Joint interceptor procurement",
                "partner_members": ["DE", "NL"] if code != "DE" else ["NL", "PL"],
                "status": "negotiating",
            },
        ],
    }


class Command(BaseCommand):
    help = "Fill a development database with demo users, cycles and plans (does nothing to existing ones)."

    @transaction.atomic
    def handle(self, *args, **options):
        if not settings.DEBUG:
            # The demo accounts (a superuser among them) share a password printed below and in
            # the README: on a real database they would be a way in for anyone.
            raise CommandError("seed_demo runs only with DEBUG on: it creates accounts with a published password.")
        User = get_user_model()
        created_anything = False
        for email, group in STAFF:
            if not User.objects.filter(email=email).exists():
                creator = User.objects.create_user if group else User.objects.create_superuser
                user = creator(email=email, password=DEMO_PASSWORD, is_staff=True)
                if group:
                    user.groups.add(Group.objects.get(name=group))
                created_anything = True
        for email, code, role, language in DELEGATES:
            if not User.objects.filter(email=email).exists():
                delegate_add(
                    actor=Actor.system(),
                    email=email,
                    member=member_by_code(code),
                    role=role,
                    password=DEMO_PASSWORD,
                    language=language,
                )
                created_anything = True

        now = timezone.now()
        last_year, this_year = now.year - 1, now.year
        previous, _ = services.cycle_open(
            actor=Actor.system(), year=last_year, opens_at=now - timedelta(days=400), deadline=now - timedelta(days=200)
        )
        current = (
            services.Cycle.objects.filter(year=this_year).first()
            or services.cycle_open(
                actor=Actor.system(),
                year=this_year,
                opens_at=now - timedelta(days=30),
                deadline=now + timedelta(days=20),
                review_deadline=now + timedelta(days=80),
            )[0]
        )

        reviewer = User.objects.get(email="reviewer@example.org")
        staff = Actor.for_user(reviewer)
        for index, code in enumerate(["EE", "FR", "PL", "DE", "LT", "NO"]):
            member = Member.objects.get(code=code)
            if not Plan.objects.filter(cycle=previous, member=member).exists():
                plan = self._plan(previous, member, demo_content(code, index + 1))
                services.plan_submit(plan=plan, actor=self._submitter(member))
                services.plan_start_review(plan=plan, actor=staff)
                services.plan_accept(plan=plan, actor=staff, comment="Complete and consistent.")
                created_anything = True
        # The current cycle: one plan in each state, Iceland's nil return, the rest missing.
        states = {"EE": "draft", "FR": "submitted", "PL": "in_review", "DE": "returned", "IS": "nil"}
        for index, (code, state) in enumerate(states.items()):
            member = Member.objects.get(code=code)
            if Plan.objects.filter(cycle=current, member=member).exists():
                continue
            created_anything = True
            if state == "nil":
                content = {"nil_return": True, "nil_return_reason": "Iceland has no armed forces."}
            else:
                content = demo_content(code, index + 2)
            plan = self._plan(current, member, content)
            if state == "draft":
                continue
            services.plan_submit(plan=plan, actor=self._submitter(member))
            if state in ("in_review", "returned"):
                services.plan_start_review(plan=plan, actor=staff)
            if state == "returned":
                services.plan_return(
                    plan=plan,
                    actor=staff,
                    comment="Please add your partnerships for the interceptors.",
                    reasons=["missing_partnerships"],
                )

        self.stdout.write("Demo data ready." if created_anything else "Demo data already present; nothing changed.")
        self.stdout.write(f"Sign in at /accounts/login/ (delegations) or /admin/ (staff), password: {DEMO_PASSWORD}")
        for email, group in STAFF:
            self.stdout.write(f"  {email:28} staff, {group or 'superuser'}")
        for email, code, role, _language in DELEGATES:
            self.stdout.write(f"  {email:28} {code} {role}")

    def _plan(self, cycle, member, content) -> Plan:
        return services.plan_create(cycle=cycle, member=member, actor=self._submitter(member), content=content).plan

    @staticmethod
    def _submitter(member) -> Actor:
        """The seed acts as the member's demo head of delegation would."""
        user = get_user_model().objects.get(delegate__member=member, delegate__role=Role.SUBMITTER)
        return Actor.for_user(user)
