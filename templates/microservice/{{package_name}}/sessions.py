"""Flask's signed-cookie sessions, paid for only by the requests that send a cookie.

This service keeps no sessions itself, and API callers send no cookies: building the cookie
signer for every such request cost more than a tenth of a small JSON response. A request with
a Cookie header, or a view that writes to `flask.session`, gets Flask's usual behaviour.
"""

from __future__ import annotations

from flask import Flask, Request
from flask.sessions import SecureCookieSession, SecureCookieSessionInterface


class CookieSessionInterface(SecureCookieSessionInterface):
    def open_session(self, app: Flask, request: Request) -> SecureCookieSession | None:
        if "HTTP_COOKIE" not in request.environ and app.secret_key:
            return self.session_class()
        return super().open_session(app, request)


def init_app(app: Flask) -> None:
    app.session_interface = CookieSessionInterface()
