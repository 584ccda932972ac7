"""Signed, expiring links for e-mails (itsdangerous, keyed by SECRET_KEY).

A token names the account and what must still hold for it to work: the address it was sent
to, or (for a password reset) a fingerprint of the password hash, so that a used link, or one
older than the last password change, stops working. Compared in constant time; never logged.
"""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

from flask import current_app
from itsdangerous import BadSignature, URLSafeTimedSerializer

from ..extensions import db
from ..models import User


def make_token(purpose: str, user: User, *state: str) -> str:
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)
    return str(serializer.dumps([user.id, *state]))


def read_token(purpose: str, token: str, max_age: int) -> tuple[User, list[Any]] | None:
    """The account a valid token names, and the state it carries; None when it is not valid."""
    serializer = URLSafeTimedSerializer(current_app.config["SECRET_KEY"], salt=purpose)
    try:
        user_id, *state = serializer.loads(token, max_age=max_age)
    except (BadSignature, TypeError, ValueError):
        return None
    user = db.session.get(User, user_id) if isinstance(user_id, int) else None
    return (user, state) if user is not None else None


def same(expected: str, given: object) -> bool:
    return isinstance(given, str) and hmac.compare_digest(expected.encode(), given.encode())


def password_fingerprint(user: User) -> str:
    """Changes with every new password (each hash has its own salt); reveals nothing of it."""
    return hashlib.sha256(user.password_hash.encode()).hexdigest()[:32]


def confirmation_token(user: User) -> str:
    return make_token("confirm-email", user, user.email)


def user_to_confirm(token: str) -> User | None:
    found = read_token("confirm-email", token, current_app.config["CONFIRM_EMAIL_MAX_AGE"])
    if found is None:
        return None
    user, state = found
    if user.email_confirmed or len(state) != 1 or not same(user.email, state[0]):
        return None
    return user


def reset_token(user: User) -> str:
    return make_token("reset-password", user, password_fingerprint(user))


def user_to_reset(token: str) -> User | None:
    found = read_token("reset-password", token, current_app.config["RESET_PASSWORD_MAX_AGE"])
    if found is None:
        return None
    user, state = found
    if len(state) != 1 or not same(password_fingerprint(user), state[0]):
        return None
    return user


def email_change_token(user: User, new_email: str) -> str:
    return make_token("change-email", user, user.email, new_email)


def email_change(token: str) -> tuple[User, str] | None:
    """The account and its new address, while the account still has the old one."""
    found = read_token("change-email", token, current_app.config["CONFIRM_EMAIL_MAX_AGE"])
    if found is None:
        return None
    user, state = found
    if len(state) != 2 or not same(user.email, state[0]) or not isinstance(state[1], str):
        return None
    return user, state[1]
