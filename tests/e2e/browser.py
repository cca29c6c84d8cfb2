"""What the browser tests share: Debian's Chromium, a page that records CSP violations, signing in, axe-core."""

from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from playwright.sync_api import Browser, Locator, Page, sync_playwright

from tests.signin import PASSWORD, code_now

# Chromium reports a blocked script, style or frame as a `securitypolicyviolation` event on the
# document (and as a console error); this init script (injected over the DevTools protocol, so
# no policy applies to it) keeps them where a test can read them.
RECORD_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI || "inline"}`
    + ` at ${event.sourceFile || document.location.pathname}:${event.lineNumber}`);
});
"""


@contextmanager
def chromium_browser() -> Iterator[Browser]:
    """Debian's Chromium, headless, driven by Playwright (no browser download)."""
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path="/usr/bin/chromium",
            headless=True,
            args=["--no-sandbox", "--disable-background-networking"],
        )
        try:
            yield browser
        finally:
            browser.close()


@contextmanager
def chromium(**context_options):
    """A browser context that records CSP violations (see `csp_violations`)."""
    with chromium_browser() as browser:
        context = browser.new_context(locale="en-GB", **context_options)
        context.add_init_script(RECORD_VIOLATIONS)
        yield context


def csp_violations(page: Page, console: list[str]) -> list[str]:
    recorded = page.evaluate("window.__cspViolations || []")
    return [*recorded, *(message for message in console if "Content Security Policy" in message)]


def sign_in_with_app(page: Page, base_url: str, email: str, device, password: str = PASSWORD) -> None:
    """The sign-in form, then the authenticator app's code."""
    page.goto(f"{base_url}/accounts/login/")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.get_by_label("Code").fill(code_now(device))
    page.get_by_role("button", name="Continue").click()


def paste(control: Locator, text: str) -> None:
    """Paste `text` into `control` as from the clipboard (a block copied from a spreadsheet, say)."""
    control.evaluate(
        """(control, text) => {
            const data = new DataTransfer();
            data.setData("text/plain", text);
            control.dispatchEvent(new ClipboardEvent("paste", {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        text,
    )


# axe-core comes from the npm registry (package.json, installed with `npm ci`), never from a CDN.
AXE = Path(__file__).resolve().parents[2] / "node_modules" / "axe-core" / "axe.min.js"
# The rules of WCAG 2.0, 2.1 and 2.2 at levels A and AA (axe-core's tags).
WCAG_AA = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22a", "wcag22aa"]


def violations_of(page: Page, axe_source: str) -> list[str]:
    """axe-core's WCAG A/AA violations on the page, each as readable lines.

    axe is evaluated into the page: open the page in a context with `bypass_csp=True`.
    """
    page.evaluate(axe_source)
    result = page.evaluate(
        "tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})", WCAG_AA
    )
    found = []
    for violation in result["violations"]:
        found.append(f"{violation['id']} ({violation['impact']}): {violation['help']} <{violation['helpUrl']}>")
        for node in violation["nodes"]:
            summary = " ".join(node.get("failureSummary", "").split())
            found.append(f"    at {' '.join(map(str, node['target']))}: {node['html'][:160]}\n      {summary}")
    return found
