"""Response headers on every door: a strict Content-Security-Policy, a Permissions-Policy, no caching
of what a signed-in caller sees; and compose's HTTPS defaults."""

import re
from pathlib import Path

import pytest
from django.conf import settings
from django.test import Client

from members.actors import Actor
from members.services import api_key_issue

pytestmark = pytest.mark.django_db
BASE = Path(settings.BASE_DIR)
CSP = {
    "default-src": "'self'",
    "script-src": "'self'",
    "style-src": "'self'",
    "img-src": "'self' data:",
    "font-src": "'self'",
    "connect-src": "'self'",
    "object-src": "'none'",
    "base-uri": "'none'",
    "form-action": "'self'",
    "frame-ancestors": "'none'",
}


def policy(response) -> dict[str, str]:
    return dict(item.strip().split(" ", 1) for item in response["Content-Security-Policy"].split(";"))


def signed_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.mark.parametrize("path", ["/accounts/login/", "/admin/login/", "/api/docs/", "/api/schema/", "/health/"])
def test_every_door_sends_the_strict_policy(path):
    assert policy(Client().get(path)) == CSP


def test_signed_in_pages_the_admin_and_the_api_send_it_too(alice, charlie):
    for client, path in (
        (signed_in(alice), "/"),
        (signed_in(charlie), "/admin/"),
        (signed_in(charlie), "/api/v1/plans/"),
    ):
        assert policy(client.get(path)) == CSP


def test_the_permissions_policy_allows_only_passkeys_and_fullscreen_for_us():
    policy = dict(
        item.strip().split("=", 1) for item in Client().get("/accounts/login/")["Permissions-Policy"].split(",")
    )
    assert (policy["camera"], policy["geolocation"], policy["microphone"], policy["payment"]) == ("()",) * 4
    assert (policy["publickey-credentials-get"], policy["publickey-credentials-create"]) == ("(self)", "(self)")


def test_what_a_signed_in_person_or_a_key_sees_is_never_stored(alice, charlie, estonia):
    _record, key = api_key_issue(actor=Actor.system(), member=estonia, name="erp", scopes=["read"])
    answers = [
        signed_in(alice).get("/")["Cache-Control"],
        signed_in(charlie).get("/admin/")["Cache-Control"],
        signed_in(charlie).get("/api/v1/plans/")["Cache-Control"],
        Client().get("/api/v1/plans/", HTTP_AUTHORIZATION=f"Bearer {key}")["Cache-Control"],
        Client().get("/api/v1/plans/", HTTP_AUTHORIZATION="Bearer unknown.key")["Cache-Control"],
    ]
    assert answers == ["no-store"] * 5


def test_staff_chart_images_are_not_stored_either(charlie):
    from tests.factories import CycleFactory

    CycleFactory(year=2025)
    response = signed_in(charlie).get("/staff/reports/2025/charts/spending.svg")
    assert (response.status_code, response["Cache-Control"]) == (200, "no-store")


def test_the_api_docs_page_has_no_inline_script_or_style():
    html = Client().get("/api/docs/").content.decode()
    assert re.findall(r"<script(?![^>]*\bsrc=)[^>]*>", html) == []
    assert "<style" not in html
    script = re.search(r'<script src="([^"]*\?[^"]*script[^"]*)"', html).group(1).replace("&amp;", "&")
    response = Client().get(script)
    assert (response.status_code, response["Content-Type"].split(";")[0]) == (200, "application/javascript")
    assert "SwaggerUIBundle" in response.content.decode()


def page_templates() -> list[Path]:
    roots = [BASE / "templates", *sorted(BASE.glob("*/templates"))]
    return [
        path
        for root in roots
        for path in sorted(root.rglob("*.html"))
        if "email" not in path.parts and ".venv" not in path.parts
    ]


def test_no_template_has_inline_scripts_styles_or_handlers():
    offences = []
    for path in page_templates():
        text = path.read_text()
        for pattern in (
            r"\sstyle=",
            r"<style",
            r"<script(?![^>]*\bsrc=)(?![^>]*type=\"application/json\")",
            r"\son[a-z]+=",
            r"javascript:",
        ):
            offences += [f"{path.relative_to(BASE)}: {match}" for match in re.findall(pattern, text)]
    assert page_templates() != []
    assert offences == []


def test_compose_defaults_to_https_as_the_readme_says():
    compose = (BASE / "docker-compose.yml").read_text()
    defaults = dict(
        re.findall(r"(SECURE_SSL_REDIRECT|SESSION_COOKIE_SECURE|CSRF_COOKIE_SECURE): \$\{\w+:-(\w+)\}", compose)
    )
    assert defaults == {"SECURE_SSL_REDIRECT": "true", "SESSION_COOKIE_SECURE": "true", "CSRF_COOKIE_SECURE": "true"}
    readme = (BASE / "README.md").read_text()
    row = "| `SECURE_SSL_REDIRECT`, `SESSION_COOKIE_SECURE`, `CSRF_COOKIE_SECURE` | HTTPS settings |"
    assert f"{row} true when `DEBUG` is off |" in readme
