"""What a served website must withstand and do, for the slow tests: a real SMTP server on
loopback (aiosmtpd), a small cookie-keeping client (Secure cookies over http://127.0.0.1, which
urllib's cookie jar will not send), and checks that `under_load(...)` runs on every claimed
combination while gunicorn serves it in production."""

from __future__ import annotations

import email
import email.policy
import http.client
import re
import secrets
import time
import urllib.parse
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email.message import EmailMessage
from pathlib import Path
from typing import Any

from flaskstarter.render import RenderRequest, render_project
from flaskstarter.smoke import ServedProject
from flaskstarter.smoke.project_env import ProjectEnv, create_and_install
from flaskstarter.smoke.serve import free_port
from flaskstarter.template_source import bundled_source

TRACEBACK = "Traceback (most recent call last)"


@dataclass
class Mailbox:
    """Every message the SMTP server on loopback received, parsed."""

    port: int
    messages: list[EmailMessage] = field(default_factory=list)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=email.policy.default)
        self.messages.append(message)  # type: ignore[arg-type]
        return "250 Message accepted for delivery"

    def to(self, address: str) -> list[EmailMessage]:
        return [message for message in self.messages if address in message["To"]]


@contextmanager
def smtp_server() -> Iterator[Mailbox]:
    """A real SMTP server (aiosmtpd) on a loopback port, keeping what it receives."""
    from aiosmtpd.controller import Controller

    mailbox = Mailbox(free_port())
    controller = Controller(mailbox, hostname="127.0.0.1", port=mailbox.port)
    controller.start()
    try:
        yield mailbox
    finally:
        controller.stop()


def parts(message: EmailMessage) -> tuple[str, str]:
    """The plain-text and HTML parts of a message."""
    text = message.get_body(preferencelist=("plain",))
    html = message.get_body(preferencelist=("html",))
    assert text is not None and html is not None, f"{message['Subject']}: a part is missing"
    return text.get_content(), html.get_content()


def links_in(message: EmailMessage) -> list[str]:
    """The links of a message; both parts must carry the same ones."""
    text, html = parts(message)
    in_text = re.findall(r"https?://[^\s<>\"]+", text)
    in_html = re.findall(r'href="(https?://[^"]+)"', html)
    assert sorted(set(in_text)) == sorted({link.replace("&amp;", "&") for link in in_html}), (
        in_text,
        in_html,
    )
    return in_text


@dataclass
class Reply:
    status: int
    headers: http.client.HTTPMessage
    body: str
    seconds: float = 0.0


@dataclass
class Client:
    """A browser's cookie jar in a few lines: every cookie goes back, Secure ones included."""

    base_url: str
    cookies: dict[str, str] = field(default_factory=dict)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        parts = urllib.parse.urlsplit(self.base_url)
        connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
        sent = {"Accept": "text/html", **(headers or {})}
        if self.cookies:
            sent["Cookie"] = "; ".join(f"{name}={value}" for name, value in self.cookies.items())
        try:
            started = time.perf_counter()
            connection.request(method, path, body=body, headers=sent)
            response = connection.getresponse()
            text = response.read().decode(errors="replace")
            reply = Reply(response.status, response.headers, text, time.perf_counter() - started)
        finally:
            connection.close()
        for header in reply.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if "expires=Thu, 01 Jan 1970" in header or not value:
                self.cookies.pop(name, None)
            else:
                self.cookies[name] = value
        return reply

    def get(self, path: str) -> Reply:
        return self.request("GET", path)

    def post_form(
        self,
        path: str,
        data: dict[str, str],
        *,
        csrf_from: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> Reply:
        """Post a form the way the browser does: with the CSRF token of the page it came from."""
        page = self.get(csrf_from or path)
        token = re.search(r'name="csrf_token"[^>]*value="([^"]+)"', page.body)
        assert token, f"{csrf_from or path} has no CSRF token (status {page.status})"
        body = urllib.parse.urlencode({"csrf_token": token.group(1), **data}).encode()
        return self.request(
            "POST",
            path,
            body,
            {
                "Content-Type": "application/x-www-form-urlencoded",
                "Referer": self.base_url + path,
                **(headers or {}),
            },
        )


def log_has_no_traceback(project: ServedProject) -> None:
    log = project.log.read_text(errors="replace")
    assert TRACEBACK not in log, log[log.index(TRACEBACK) - 200 :][:3000]


# --- A site served as in production, and its members ---------------------------------------

PACKAGE = "acme_site"
PASSWORD = "correct horse battery staple"


def production_env(**extra: str) -> dict[str, str]:
    return {
        "APP_ENV": "production",
        "SECRET_KEY": secrets.token_hex(32),
        "MAIL_SERVER": "127.0.0.1",
        "MAIL_PORT": "9",  # nothing listens: messages fail, as with a mail server that is down
        "MAIL_DEFAULT_SENDER": "noreply@example.com",
        "CONTACT_TO": "team@example.com",
        "BASE_URL": "https://www.example.com",
        **extra,
    }


def installed_site(tmp_path: Path, **answers: Any) -> ProjectEnv:
    rendered = render_project(
        RenderRequest(
            destination=tmp_path / "site",
            source=bundled_source(),
            answers={"use_case": "website", "package_name": PACKAGE, **answers},
            use_defaults=True,
        )
    )
    env, installed = create_and_install(rendered.path, tmp_path / "venv")
    assert installed.ok, installed.tail()
    return env


def member(env: ProjectEnv, run_env: dict[str, str], email: str) -> None:
    created = env.run(
        "flask", "--app", PACKAGE, "create-user", email, "--password", PASSWORD, env=run_env
    )
    assert created.ok, created.tail()


def log_in(base_url: str, email: str, password: str, remember: bool = False) -> Client:
    client = Client(base_url)
    form = {"email": email, "password": password, **({"remember": "y"} if remember else {})}
    reply = client.post_form("/auth/login", form)
    assert reply.status == 302, (reply.status, reply.body[:500])
    return client


def is_logged_in(client: Client) -> bool:
    return client.get("/auth/settings").status == 200


# --- Checks every claimed combination runs while it is served (under_load extras) -----------

ODD_VALUES = [
    "\x00",
    "a\x00b" * 10,
    "\ud800".encode("utf-8", "surrogatepass").decode("latin-1"),
    "\u210c\U0001d522\U0001d529\U0001d529\U0001d52c \u202e\u200b \U0001f680" * 20,
    "x" * 200_000,
    "<script>alert(1)</script>",
    "' OR 1=1 --",
    "%ff%fe",
]


def client_input_never_causes_a_5xx(project: ServedProject) -> None:
    """Odd form values, repeated keys, huge fields and bodies (also chunked): 4xx, no traceback."""
    client = Client(project.base_url)
    paths = ["/contact"]
    if project.answers.get("auth") and project.answers.get("database") != "none":
        paths += ["/auth/login", "/auth/register", "/auth/forgot-password"]
    for path in paths:
        for value in ODD_VALUES:
            fields = {"name": value, "email": value, "message": value, "password": value}
            reply = client.post_form(path, fields)
            assert reply.status < 500, f"POST {path} with {value[:20]!r}: {reply.status}"
        raw = b"email=a&email=b&name[]=x&message=%00%ff&csrf_token=&csrf_token=x"
        reply = client.request(
            "POST", path, raw, {"Content-Type": "application/x-www-form-urlencoded"}
        )
        assert 400 <= reply.status < 500, f"POST {path} with repeated keys: {reply.status}"
    big = b"message=" + b"x" * (3 * 1024 * 1024)
    form = {"Content-Type": "application/x-www-form-urlencoded"}
    reply = client.request("POST", "/contact", big, form)
    assert reply.status == 413, f"a 3 MiB body: {reply.status}"
    # Werkzeug reads none of a chunked form body (no Content-Length): the form arrives empty and
    # the CSRF check refuses it (400). A 4xx either way, and the body is never held in memory.
    chunked = _chunked_post(project.base_url, "/contact", big)
    assert 400 <= chunked < 500, f"a 3 MiB chunked body: {chunked}"
    log_has_no_traceback(project)


def _chunked_post(base_url: str, path: str, body: bytes) -> int:
    """POST with Transfer-Encoding: chunked (no Content-Length); the status line."""
    parts = urllib.parse.urlsplit(base_url)
    connection = http.client.HTTPConnection(parts.hostname or "", parts.port, timeout=30)
    try:
        chunks = (body[i : i + 65536] for i in range(0, len(body), 65536))
        connection.request(
            "POST",
            path,
            body=chunks,
            headers={"Content-Type": "application/x-www-form-urlencoded"},
            encode_chunked=True,
        )
        return connection.getresponse().status
    except (BrokenPipeError, ConnectionResetError):
        return 413  # the server answered and closed before reading the rest (checked below)
    finally:
        connection.close()


def log_in_is_throttled_per_account_and_per_client(project: ServedProject) -> None:
    """Failed log-ins: per account after 5, 429 with Retry-After, the friendly page."""
    if not (project.answers.get("auth") and project.answers.get("database") != "none"):
        return
    address = f"victim-{secrets.token_hex(4)}@example.com"
    # gunicorn's workers each count on their own in memory (the default): at most 2 x 5 tries.
    statuses = []
    for _ in range(11):
        client = Client(project.base_url)
        reply = client.post_form("/auth/login", {"email": address, "password": "wrong guess " * 2})
        statuses.append(reply.status)
        if reply.status == 429:
            assert int(reply.headers["Retry-After"]) > 0
            assert "Too many attempts" in reply.body
            assert reply.headers["X-Content-Type-Options"] == "nosniff"
            break
    assert statuses[-1] == 429, statuses
    assert statuses.count(200) >= 5, statuses


def log_writes_no_tokens(project: ServedProject, tokens: list[str]) -> None:
    log = project.log.read_text(errors="replace")
    for token in tokens:
        assert token not in log, "a token from an e-mail reached the log"


def production_refuses_debug_flags(project: ServedProject) -> None:
    """FLASK_DEBUG in production stops gunicorn, secret or not."""
    from flaskstarter.smoke.serve import ServeError, served

    for debug in ("1", "true"):
        log = project.log.with_name(f"gunicorn-debug-{debug}.log")
        try:
            with served(
                project.env,
                project.answers["package_name"],
                {**project.run_env, "FLASK_DEBUG": debug},
                log,
            ):
                pass
        except ServeError as error:
            assert "debug mode is on" in str(error), str(error)
            continue
        raise AssertionError(f"gunicorn served with FLASK_DEBUG={debug}")


def website_checks(project: ServedProject) -> None:
    """Issue 13 (items 2-4) on the served website, whatever its answers."""
    production_refuses_debug_flags(project)
    log_in_is_throttled_per_account_and_per_client(project)
    client_input_never_causes_a_5xx(project)


def screenshot_path(folder: Path, name: str) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"{name}.png"
