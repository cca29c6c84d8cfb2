"""factory_boy factories for the domain. Members are the real 32 allies from the data migration."""

from datetime import timedelta
from decimal import Decimal

import factory
from django.contrib.auth.models import Group
from django.utils import timezone

from members.enums import Role
from members.models import Delegate, Member, User
from plans.models import CapabilityLine, Cycle, Partnership, Plan


def member(code: str) -> Member:
    return Member.objects.get(code=code)


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ["email"]

    email = factory.Sequence(lambda n: f"user{n}@example.org")
    password = factory.django.Password("correct-horse-battery")


class StaffFactory(UserFactory):
    """A staff member, in the groups named by `groups` (none by default: a staff member who may do nothing)."""

    email = factory.Sequence(lambda n: f"staff{n}@example.org")
    is_staff = True

    @factory.post_generation
    def groups(self, create, names, **kwargs):
        if create and names:
            self.groups.add(*Group.objects.filter(name__in=names))


def staff_in(group_name: str, email: str):
    return StaffFactory(email=email, groups=[group_name])


class DelegateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Delegate

    user = factory.SubFactory(UserFactory)
    member = factory.LazyFunction(lambda: member("EE"))
    role = Role.SUBMITTER


class CycleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Cycle
        django_get_or_create = ["year"]

    year = 2025
    opens_at = factory.LazyFunction(lambda: timezone.now() - timedelta(days=30))
    deadline = factory.LazyFunction(lambda: timezone.now() + timedelta(days=30))


class PlanFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Plan

    cycle = factory.SubFactory(CycleFactory)
    member = factory.LazyFunction(lambda: member("EE"))
    defence_expenditure = Decimal("1000000.00")
    equipment_expenditure = Decimal("250000.00")
    personnel_expenditure = Decimal("500000.00")
    infrastructure_expenditure = Decimal("100000.00")
    other_expenditure = Decimal("150000.00")
    gdp = Decimal("40000000.00")
    currency = "EUR"
    military_personnel = 7000
    summary = "More shells and interceptors."


class CapabilityLineFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CapabilityLine

    plan = factory.SubFactory(PlanFactory)
    position = factory.Sequence(int)
    category = "ammunition"
    item = factory.Sequence(lambda n: f"155 mm shells lot {n}")
    unit = "rounds"
    baseline_capacity = Decimal("1000")
    target_capacity = Decimal("5000")
    target_year = 2030
    stockpile_current = Decimal("100")
    stockpile_target = Decimal("900")
    planned_investment = Decimal("2000000")


class PartnershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Partnership

    plan = factory.SubFactory(PlanFactory)
    position = factory.Sequence(int)
    kind = "industry"
    partner_name = factory.Sequence(lambda n: f"Munitions maker {n}")
    status = "signed"


def valid_content(**overrides) -> dict:
    """A complete content dict that passes submission validation."""
    content = {
        "defence_expenditure": Decimal("1000000.00"),
        "equipment_expenditure": Decimal("250000.00"),
        "personnel_expenditure": Decimal("500000.00"),
        "infrastructure_expenditure": Decimal("100000.00"),
        "other_expenditure": Decimal("150000.00"),
        "gdp": Decimal("40000000.00"),
        "currency": "EUR",
        "military_personnel": 7000,
        "summary": "More shells and interceptors.",
        "lines": [
            {
                "category": "ammunition",
                "item": "155 mm shells",
                "unit": "rounds",
                "baseline_capacity": Decimal("1000"),
                "target_capacity": Decimal("5000"),
                "target_year": 2030,
            }
        ],
        "partnerships": [
            {"kind": "ally", "partner_name": "Latvia", "partner_members": ["LV"], "status": "signed"},
        ],
    }
    content.update(overrides)
    return content
