"""A real visitor's walk through a generated website, in Chromium driven by Playwright."""

from __future__ import annotations

import contextlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from playwright.sync_api import expect

from tests.website_served import Mailbox, links_in, parts

# What the served site is told (production settings) and the visitor's accounts.
BASE_URL = "https://www.example.com"
CONTACT_TO = "team@example.com"
MEMBER = "member@example.com"
PASSWORDS = (
    "correct horse battery staple",
    "purple elephants juggle quietly",
    "seven tangerines under moonlight",
)
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
    # axe-core's serious and critical findings (axe-playwright-python bundles axe-core).
    accessibility: list[str] = field(default_factory=list)

    def __bool__(self) -> bool:
        return any(
            (
                self.console_errors,
                self.page_errors,
                self.csp_violations,
                self.failed_requests,
                self.accessibility,
            )
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
        self.page.on("load", lambda page: self._collect_after_load())

    def screenshot(self, name: str) -> None:
        """Keep a picture of the page, after checking it with axe-core."""
        self.audit()
        self.collect_csp_violations()
        path = self.screenshots / f"{len(self.taken) + 1:02d}-{name}.png"
        self.page.screenshot(path=str(path), full_page=True)
        self.taken.append(path)

    def audit(self) -> None:
        from axe_playwright_python.sync_playwright import Axe

        results = Axe().run(self.page)
        for violation in results.response["violations"]:
            if violation["impact"] in ("serious", "critical"):
                nodes = ", ".join(str(node["target"]) for node in violation["nodes"][:3])
                self.problems.accessibility.append(
                    f"{self.page.url}: {violation['id']} ({violation['impact']}) at {nodes}"
                )

    def collect_csp_violations(self) -> None:
        found = self.page.evaluate("window.__cspViolations ? window.__cspViolations.splice(0) : []")
        self.problems.csp_violations.extend(found)

    def _collect_after_load(self) -> None:
        from playwright.sync_api import Error

        # The page may have moved on meanwhile: the next screenshot collects its own.
        with contextlib.suppress(Error):
            self.collect_csp_violations()

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


def walk_the_site(tab: Visitor, base_url: str, project_name: str, mailbox: Mailbox) -> None:
    """Pages, the contact form, then every account flow with the links the e-mails bring."""
    visit_the_pages(tab, base_url, project_name, mailbox)
    walk_the_account_flows(tab, base_url, mailbox)
    tab.open_error_page(base_url + "/no-such-page")
    expect(tab.page.get_by_role("heading", level=1)).to_have_text("Page not found")
    tab.screenshot("not-found")
    tab.page.set_viewport_size({"width": 390, "height": 844})
    tab.page.goto(base_url + "/contact")
    tab.screenshot("contact-phone")


def visit_the_pages(tab: Visitor, base_url: str, project_name: str, mailbox: Mailbox) -> None:
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
    (message,) = mailbox.to(CONTACT_TO)
    assert message["Reply-To"] == "ada@example.com"
    assert "Hello! I would like to know more." in parts(message)[0]


def follow(tab: Visitor, base_url: str, message: EmailMessage) -> None:
    """Open the one link of an e-mail: absolute, at BASE_URL (served here at base_url)."""
    (link,) = set(links_in(message))
    assert link.startswith(BASE_URL + "/"), link
    tab.page.goto(base_url + link.removeprefix(BASE_URL))


def walk_the_account_flows(tab: Visitor, base_url: str, mailbox: Mailbox) -> None:
    """Sign up, log in unconfirmed, confirm, settings, change password, log out, reset, log in."""
    page = tab.page
    nav = page.get_by_role("navigation", name="Main")
    nav.get_by_role("link", name="Sign up").click()
    page.get_by_label("E-mail address").fill(MEMBER)
    page.get_by_label("Password", exact=True).fill(PASSWORDS[0])
    page.get_by_label("Repeat the password").fill(PASSWORDS[0])
    tab.screenshot("sign-up")
    page.get_by_role("button", name="Sign up").click()
    expect(page).to_have_url(base_url + "/auth/login")
    expect(page.get_by_role("status")).to_contain_text("Check your inbox")

    # Not confirmed yet: the account logs in, sees a reminder, and not the members' page.
    log_in(tab, base_url, PASSWORDS[0], screenshot="log-in")
    expect(page).to_have_url(base_url + "/auth/settings")
    expect(page.get_by_role("region", name="E-mail confirmation")).to_be_visible()
    tab.screenshot("unconfirmed-settings")
    page.get_by_role("button", name="Send a new link").click()
    expect(page.get_by_role("status")).to_contain_text("We sent a new link")
    nav.get_by_role("button", name="Log out").click()

    follow(tab, base_url, mailbox.to(MEMBER)[-1])
    expect(page.get_by_role("heading", level=1)).to_have_text("Confirm your e-mail address")
    tab.screenshot("confirm-email")
    page.get_by_role("button", name="Confirm and log in").click()
    expect(page).to_have_url(base_url + "/auth/account")
    expect(page.get_by_text(MEMBER)).to_be_visible()
    tab.screenshot("account")

    nav.get_by_role("link", name="Settings").click()
    tab.screenshot("settings")
    page.get_by_role("link", name="Change the address").click()
    tab.screenshot("change-email")
    page.goto(base_url + "/auth/settings/delete")
    tab.screenshot("delete-account")
    page.goto(base_url + "/auth/settings/password")
    page.get_by_label("Current password").fill(PASSWORDS[0])
    page.get_by_label("New password").fill(PASSWORDS[1])
    page.get_by_label("Repeat the password").fill(PASSWORDS[1])
    tab.screenshot("change-password")
    page.get_by_role("button", name="Change the password").click()
    expect(page.get_by_role("status")).to_contain_text("Your password is changed")
    assert "password was changed" in mailbox.to(MEMBER)[-1]["Subject"]
    nav.get_by_role("button", name="Log out").click()
    expect(page.get_by_role("status")).to_have_text("You are logged out.")

    nav.get_by_role("link", name="Log in").click()
    page.get_by_role("link", name="Forgot your password?").click()
    page.get_by_label("E-mail address").fill(MEMBER)
    tab.screenshot("forgot-password")
    page.get_by_role("button", name="Send the link").click()
    expect(page.get_by_role("status")).to_contain_text("we sent it a link")
    follow(tab, base_url, mailbox.to(MEMBER)[-1])
    page.get_by_label("New password").fill(PASSWORDS[2])
    page.get_by_label("Repeat the password").fill(PASSWORDS[2])
    tab.screenshot("reset-password")
    page.get_by_role("button", name="Set the password and log in").click()
    expect(page).to_have_url(base_url + "/auth/account")
    nav.get_by_role("button", name="Log out").click()

    log_in(tab, base_url, PASSWORDS[1])
    expect(page.get_by_role("alert")).to_have_text("Wrong e-mail address or password.")
    log_in(tab, base_url, PASSWORDS[2])
    expect(page).to_have_url(base_url + "/auth/account")
    nav.get_by_role("button", name="Log out").click()
    expect(nav.get_by_role("link", name="Log in")).to_be_visible()

    # Another address, so the member's own stays usable. Each of gunicorn's 2 workers counts on
    # its own (the in-memory default): 5 failures each at most.
    heading = page.get_by_role("heading", level=1)
    tab.expected_error_pages.add(base_url + "/auth/login")  # its 429 answer, on purpose
    for _ in range(11):
        log_in(tab, base_url, "not the password", email="someone-else@example.com")
        if heading.text_content() == "Too many attempts":
            break
    expect(heading).to_have_text("Too many attempts")
    tab.screenshot("too-many-attempts")


def log_in(
    tab: Visitor, base_url: str, password: str, email: str = MEMBER, screenshot: str = ""
) -> None:
    page = tab.page
    page.goto(base_url + "/auth/login")
    page.get_by_label("E-mail address").fill(email)
    page.get_by_label("Password").fill(password)
    if screenshot:
        tab.screenshot(screenshot)
    page.get_by_role("button", name="Log in").click()
