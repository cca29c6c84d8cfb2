"""Settings are parsed strictly: a malformed variable stops start-up with a message naming it.

Each case starts a fresh interpreter with only the variables given, as a deployment would.
"""

import secrets
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # every case starts an interpreter

ROOT = Path(__file__).resolve().parents[2]
SETUP = "import django; django.setup(); from django.conf import settings; print(settings.DEBUG)"
PRODUCTION = {
    "DEBUG": "false",
    "ALLOWED_HOSTS": "plans.example.org",
    "CSRF_TRUSTED_ORIGINS": "https://plans.example.org",
}


def start(variables: dict[str, str], tmp_path: Path, *command: str) -> subprocess.CompletedProcess:
    env = {
        "PATH": "/usr/bin:/bin",
        "DJANGO_SETTINGS_MODULE": "config.settings",
        "VAR_DIR": str(tmp_path),
        **variables,
    }
    return subprocess.run(
        [sys.executable, *(command or ("-c", SETUP))],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


@pytest.mark.parametrize(
    ("variable", "value"),
    [
        ("DEBUG", "maybe"),
        ("SECURE_SSL_REDIRECT", "perhaps"),
        ("DATABASE_URL", "not a url"),
        ("DATABASE_URL", "postgres://user@db:port/plans"),
        ("DATABASE_URL", "mysqlx://db/plans"),
        ("EMAIL_URL", "nonsense"),
        ("EMAIL_URL", "smtp://mail:twentyfive"),
        ("TIME_ZONE", "Mars/Olympus_Mons"),
        ("SESSION_COOKIE_AGE", "two hours"),
        ("CSRF_TRUSTED_ORIGINS", "plans.example.org"),
        ("LOG_LEVEL", "loud"),
    ],
)
def test_malformed_variable_stops_start_up_naming_it(tmp_path, variable, value):
    # DEBUG on, so that only the variable under test can be wrong.
    variables = {"DEBUG": "true", variable: value}
    result = start(variables, tmp_path)
    assert result.returncode != 0
    last_line = result.stderr.strip().splitlines()[-1]
    assert last_line.startswith("django.core.exceptions.ImproperlyConfigured:")
    assert variable in last_line


def test_well_formed_variables_start(tmp_path):
    result = start(
        {
            "DEBUG": "on",
            "DATABASE_URL": f"sqlite:///{tmp_path / 'db.sqlite3'}",
            "EMAIL_URL": "smtp://mail.example.org:25",
            "TIME_ZONE": "Europe/Tallinn",
            "SESSION_COOKIE_AGE": "3600",
            "LOG_LEVEL": "warning",
        },
        tmp_path,
    )
    assert (result.returncode, result.stdout.strip()) == (0, "True"), result.stderr


def test_deployment_without_secret_key_does_not_start(tmp_path):
    result = start({**PRODUCTION, "DATABASE_URL": "postgres://plans@db:5432/plans"}, tmp_path)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr.strip().splitlines()[-1]


def test_production_without_secret_key_fails_the_deploy_check(tmp_path):
    result = start(PRODUCTION, tmp_path, "manage.py", "check", "--deploy", "--fail-level", "WARNING")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_settings_pass_the_deploy_check(tmp_path):
    result = start(
        {**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)},
        tmp_path,
        "manage.py",
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
    )
    assert result.returncode == 0, result.stderr
    assert "System check identified no issues" in result.stdout


def test_production_defaults_are_secure(tmp_path):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.SECURE_SSL_REDIRECT, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.ALLOWED_HOSTS)"
    )
    result = start({**PRODUCTION, "SECRET_KEY": secrets.token_urlsafe(50)}, tmp_path, "-c", probe)
    assert result.stdout.strip() == "False True True True ['plans.example.org']", result.stderr


@pytest.mark.parametrize(
    ("threshold", "expected"),
    [(None, "True 5"), ("2", "True 2"), ("0", "None None")],
)
def test_postgresql_binds_values_on_the_server_and_prepares_statements_unless_turned_off(tmp_path, threshold, expected):
    probe = (
        "import django; django.setup(); from django.conf import settings as s; "
        "o = s.DATABASES['default']['OPTIONS']; print(o.get('server_side_binding'), o.get('prepare_threshold'))"
    )
    variables = {"DEBUG": "true", "DATABASE_URL": "postgres://plans@db:5432/plans"}
    if threshold is not None:
        variables["DB_PREPARE_THRESHOLD"] = threshold
    result = start(variables, tmp_path, "-c", probe)
    assert result.stdout.strip() == expected, result.stderr
