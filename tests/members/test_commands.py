"""add_delegate and issue_api_key: what they make, and bad arguments that change nothing."""

import subprocess
import sys
from datetime import UTC, datetime
from io import StringIO
from pathlib import Path

import pytest
import time_machine
from django.core.management import CommandError, call_command

from members.authentication import ApiKeyAuthentication
from members.enums import Role
from members.models import ApiKey, Delegate, User

pytestmark = pytest.mark.django_db

ROOT = Path(__file__).resolve().parents[2]
GOOD_PASSWORD = "a-long-unusual-passphrase-2025"


def run(*args) -> tuple[str, str]:
    out, err = StringIO(), StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def refused(*args) -> str:
    with pytest.raises(CommandError) as caught:
        run(*args)
    return str(caught.value)


def state() -> tuple:
    return (
        list(User.objects.order_by("email").values_list("email", "password")),
        list(Delegate.objects.order_by("id").values_list("user__email", "member__code", "role")),
        list(ApiKey.objects.order_by("id").values_list("prefix", "name", "scopes", "expiry_date")),
    )


# add_delegate -------------------------------------------------------------------------------


def test_add_delegate_creates_user_and_delegate():
    out, _err = run(
        "add_delegate", "Kadri@MOD.ee", "--member", "ee", "--role", "submitter", "--password", GOOD_PASSWORD
    )
    delegate = Delegate.objects.get(user__email="kadri@mod.ee")
    assert (delegate.member.code, delegate.role, delegate.user.check_password(GOOD_PASSWORD)) == (
        "EE",
        Role.SUBMITTER,
        True,
    )
    assert out == "Created kadri@mod.ee: submitter for Estonia (EE)\n"


def test_add_delegate_without_password_leaves_it_unusable():
    run("add_delegate", "viewer@mod.ee", "--member", "EE", "--role", "viewer")
    user = User.objects.get(email="viewer@mod.ee")
    assert (user.has_usable_password(), user.delegate.role) == (False, Role.VIEWER)


def test_add_delegate_moves_an_existing_delegate():
    run("add_delegate", "moving@example.org", "--member", "EE", "--role", "submitter")
    out, _err = run("add_delegate", "MOVING@example.org", "--member", "LV", "--role", "editor")
    assert list(Delegate.objects.values_list("user__email", "member__code", "role")) == [
        ("moving@example.org", "LV", Role.EDITOR)
    ]
    assert User.objects.filter(email__iexact="moving@example.org").count() == 1
    assert out.startswith("Updated moving@example.org: editor for Latvia (LV)")


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["--member", "XX", "--role", "viewer"], "Unknown member code 'XX'"),
        (["--member", "", "--role", "viewer"], "Unknown member code ''"),
        (["--member", "EE", "--role", "owner"], "Unknown role 'owner'"),
        (["--member", "EE", "--role", "viewer", "--password", "short"], "Password:"),
        (["--member", "EE", "--role", "viewer", "--password", "1234567890123"], "Password:"),
        (["--member", "EE", "--role", "viewer", "--language", "de"], "Unknown language 'de'"),
    ],
)
def test_add_delegate_bad_argument_is_refused_and_changes_nothing(args, message):
    before = state()
    assert message in refused("add_delegate", "new@mod.ee", *args)
    assert state() == before


def test_add_delegate_bad_email_is_refused():
    assert "e-mail" in refused("add_delegate", "not-an-address", "--member", "EE", "--role", "viewer")
    assert not User.objects.exists()


def test_add_delegate_weak_password_keeps_existing_user_untouched():
    run("add_delegate", "kept@mod.ee", "--member", "EE", "--role", "editor", "--password", GOOD_PASSWORD)
    before = state()
    assert "Password:" in refused(
        "add_delegate", "kept@mod.ee", "--member", "LV", "--role", "submitter", "--password", "password"
    )
    assert state() == before


@pytest.mark.slow  # migrates a database of its own in a manage.py subprocess
def test_add_delegate_bad_argument_exits_non_zero(tmp_path):
    # A database of its own, so the test does not depend on a developer's var/.
    env = {"PATH": "/usr/bin:/bin", "DEBUG": "true", "VAR_DIR": str(tmp_path)}
    migrate = subprocess.run(
        [sys.executable, "manage.py", "migrate", "-v0"], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert migrate.returncode == 0, migrate.stderr
    result = subprocess.run(
        [sys.executable, "manage.py", "add_delegate", "x@mod.ee", "--member", "XX", "--role", "viewer"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert result.returncode != 0
    assert "Unknown member code 'XX'" in result.stderr


# issue_api_key ------------------------------------------------------------------------------


def test_issue_api_key_prints_a_key_that_only_a_hash_of_is_stored():
    out, err = run("issue_api_key", "EE", "--name", "MoD ERP", "--scopes", "submit,read")
    key = out.strip()
    api_key = ApiKey.objects.get()
    assert (api_key.member.code, api_key.name, api_key.scopes, api_key.expiry_date) == (
        "EE",
        "MoD ERP",
        ["read", "submit"],
        None,
    )
    stored_text = " ".join(str(value) for value in ApiKey.objects.values_list().get())
    assert key not in stored_text
    assert key.split(".", 1)[1] not in stored_text
    assert api_key.prefix in err
    assert ApiKeyAuthentication.get_api_key(key) == api_key


def test_issued_key_defaults_to_every_scope():
    out, _err = run("issue_api_key", "LV", "--name", "ERP")
    assert ApiKeyAuthentication.get_api_key(out.strip()).scopes == ["read", "write", "submit"]


def test_wrong_revoked_or_expired_key_does_not_authenticate():
    out, _err = run("issue_api_key", "EE", "--name", "ERP", "--expires", "2030-01-01T00:00:00+00:00")
    key = out.strip()
    prefix, secret = key.split(".", 1)
    assert ApiKeyAuthentication.get_api_key(f"{prefix}.{secret[:-1]}{'y' if secret.endswith('x') else 'x'}") is None
    assert ApiKeyAuthentication.get_api_key(secret) is None
    with time_machine.travel(datetime(2030, 1, 1, 0, 0, 1, tzinfo=UTC)):
        assert ApiKeyAuthentication.get_api_key(key) is None
    ApiKey.objects.update(revoked=True)
    assert ApiKeyAuthentication.get_api_key(key) is None


def test_issue_api_key_with_expiry_stores_it():
    run("issue_api_key", "EE", "--name", "ERP", "--expires", "2030-12-31T23:59:59+02:00")
    assert ApiKey.objects.get().expiry_date == datetime(2030, 12, 31, 21, 59, 59, tzinfo=UTC)


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["XX", "--name", "ERP"], "Unknown member code 'XX'"),
        (["EE", "--name", "ERP", "--scopes", "read,admin"], "admin"),
        (["EE", "--name", "ERP", "--scopes", ","], "(none)"),
        (["EE", "--name", "ERP", "--expires", "tomorrow"], "--expires"),
        (["EE", "--name", "ERP", "--expires", "2030-12-31T23:59:59"], "--expires"),
        (["EE", "--name", "ERP", "--expires", "2030-02-30T00:00:00+00:00"], "--expires"),
        (["EE", "--name", "ERP", "--expires", "2020-01-01T00:00:00+00:00"], "--expires"),
        (["EE", "--name", "  "], "name"),
        (["EE", "--name", "x" * 51], "name"),
    ],
)
def test_issue_api_key_bad_argument_is_refused_and_stores_nothing(args, message):
    assert message in refused("issue_api_key", *args)
    assert not ApiKey.objects.exists()
