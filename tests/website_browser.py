"""A real visitor's walk through a generated website, in Chromium driven by Playwright."""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
]
# Runs in every page before its own code; Playwright injects it outside the page's CSP.
RECORD_CSP_VIOLATIONS = """
window.__cspViolations = [];
document.addEventListener("securitypolicyviolation", (event) => {
  window.__cspViolations.push(`${event.violatedDirective} blocked ${event.blockedURI}`);
});
"""


@dataclass
class BrowserProblems:
    """Everything a visitor's browser complained about."""

    console_errors: list[str] = field(default_factory=list)
    page_errors: list[str] = field(default_factory=list)
    csp_violations: list[str] = field(default_factory=list)
    failed_requests: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (self.console_errors, self.page_errors, self.csp_violations, self.failed_requests)
        )


@dataclass
class Visitor:
    """One browser tab that watches for problems and keeps numbered screenshots."""

    page: Any
    screenshots: Path
    problems: BrowserProblems = field(default_factory=BrowserProblems)
    taken: list[Path] = field(default_factory=list)
    # Pages opened on purpose for their error status (a 404 page): Chromium logs the status.
    expected_error_pages: set[str] = field(default_factory=set)

    def watch(self) -> None:
        self.page.add_init_script(RECORD_CSP_VIOLATIONS)
        self.page.on("console", self._on_console)
        self.page.on("pageerror", lambda error: self.problems.page_errors.append(str(error)))
        self.page.on("response", self._on_response)
        self.page.on("load", lambda page: self.collect_csp_violations())

    def screenshot(self, name: str) -> None:
        self.collect_csp_violations()
        path = self.screenshots / f"{len(self.taken) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)

    def collect_csp_violations(self) -> None:
        found = self.page.evaluate("window.__cspViolations ? window.__cspViolations.splice(0) : []")
        self.problems.csp_violations.extend(found)

    def open_error_page(self, url: str) -> None:
        self.expected_error_pages.add(url)
        self.page.goto(url)

    def _on_console(self, message: Any) -> None:
        if message.type != "error":
            return
        if message.location.get("url") in self.expected_error_pages and message.text.startswith(
            "Failed to load resource"
        ):
            return
        self.problems.console_errors.append(f"{self.page.url}: {message.text}")

    def _on_response(self, response: Any) -> None:
        # Pages may answer 4xx on purpose (a refused form); their files (CSS, icons) may not.
        if response.status >= 400 and response.request.resource_type != "document":
            self.problems.failed_requests.append(f"{response.status} {response.url}")


@contextmanager
def visitor(chromium: str, screenshots: Path, **context_options: Any) -> Iterator[Visitor]:
    """A fresh headless Chromium tab (Debian's Chromium, not Playwright's download)."""
    from playwright.sync_api import sync_playwright

    screenshots.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=chromium, headless=True, args=CHROMIUM_ARGS
        )
        try:
            context = browser.new_context(**context_options)
            context.set_default_timeout(15_000)
            tab = Visitor(context.new_page(), screenshots)
            tab.watch()
            yield tab
            context.close()
        finally:
            browser.close()


def walk_the_site(tab: Visitor, base_url: str, project_name: str) -> None:
    """Home, nav, contact (empty, then valid), sign up, log in, members' page, log out, 404."""
    from playwright.sync_api import expect

    page = tab.page
    nav = page.get_by_role("navigation", name="Main")
    page.goto(base_url + "/")
    expect(page.get_by_role("heading", level=1)).to_have_text(project_name)
    tab.screenshot("home")

    nav.get_by_role("link", name="About").click()
    expect(page).to_have_url(base_url + "/about")
    expect(nav.get_by_role("link", name="About")).to_have_attribute("aria-current", "page")
    tab.screenshot("about")

    nav.get_by_role("link", name="Contact").click()
    page.get_by_role("button", name="Send message").click()
    for error in (
        "Please tell us your name.",
        "Please give an e-mail address we can answer.",
        "Please write a message.",
    ):
        expect(page.get_by_text(error)).to_be_visible()
    tab.screenshot("contact-errors")

    page.get_by_label("Name").fill("Ada Lovelace")
    page.get_by_label("E-mail address").fill("ada@example.com")
    page.get_by_label("Message").fill("Hello! I would like to know more.")
    page.get_by_role("button", name="Send message").click()
    expect(page.get_by_role("status")).to_have_text(
        "Thank you, Ada Lovelace! Your message has been sent."
    )
    tab.screenshot("contact-sent")

    nav.get_by_role("link", name="Sign up").click()
    page.get_by_label("E-mail address").fill("member@example.com")
    page.get_by_label("Password", exact=True).fill("correct horse battery staple")
    page.get_by_label("Repeat the password").fill("correct horse battery staple")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(base_url + "/auth/login")
    expect(page.get_by_role("status")).to_contain_text("Your account is ready")
    tab.screenshot("signed-up")

    page.goto(base_url + "/auth/account")  # members only: log in first, then come back here
    expect(page).to_have_url(re.compile(r"/auth/login\?next=%2Fauth%2Faccount$"))
    page.get_by_label("E-mail address").fill("member@example.com")
    page.get_by_label("Password").fill("correct horse battery staple")
    tab.screenshot("log-in")
    page.get_by_role("button", name="Log in").click()
    expect(page).to_have_url(base_url + "/auth/account")
    expect(page.get_by_role("heading", level=1)).to_have_text("Your account")
    expect(page.get_by_text("member@example.com")).to_be_visible()
    tab.screenshot("account")

    nav.get_by_role("button", name="Log out").click()
    expect(page).to_have_url(base_url + "/")
    expect(page.get_by_role("status")).to_have_text("You are logged out.")
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()
    tab.screenshot("logged-out")

    tab.open_error_page(base_url + "/no-such-page")
    expect(page.get_by_role("heading", level=1)).to_have_text("Page not found")
    tab.screenshot("not-found")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(base_url + "/contact")
    tab.screenshot("contact-phone")
