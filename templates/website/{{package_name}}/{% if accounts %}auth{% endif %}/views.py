"""Sign up with a confirmed address, log in and out, and reset a forgotten password."""

from __future__ import annotations

from functools import cache
from typing import Any

from flask import (
    Blueprint,
    Response,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    url_for,
)
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, limiter, login_manager
from ..mail import try_send_email
from ..models import User
from . import tokens
from .commands import create_user
from .forms import EmailForm, LoginForm, RegisterForm, ResetPasswordForm

# cli_group=None: the blueprint's commands are top-level (`flask create-user`).
bp = Blueprint("auth", __name__, url_prefix="/auth", cli_group=None)
bp.cli.add_command(create_user)


@login_manager.user_loader
def load_user(session_token: str) -> User | None:
    """The account whose current session token the cookie carries (see User.get_id)."""
    return db.session.scalar(select(User).where(User.session_token == session_token))


@bp.before_app_request
def require_confirmed_email() -> ResponseReturnValue | None:
    """Keep unconfirmed accounts out of CONFIRMED_EMAIL_REQUIRED_FOR (see config.py)."""
    if (
        request.endpoint in current_app.config["CONFIRMED_EMAIL_REQUIRED_FOR"]
        and current_user.is_authenticated
        and not current_user.email_confirmed
    ):
        # Their settings page says why, in the reminder every page shows them.
        return redirect(url_for("auth.settings"))
    return None


# Rate limits (config.py's RATELIMIT_*): per address named in the form, and per client.
def per_account() -> str:
    return str(current_app.config["RATELIMIT_PER_ACCOUNT"])


def per_client() -> str:
    return str(current_app.config["RATELIMIT_PER_CLIENT"])


def email_in_form() -> str:
    return User.normalize_email(request.form.get("email", ""))


def account_id() -> str:
    return str(getattr(current_user, "id", ""))


def failed(response: Response) -> bool:
    """A log-in that did not succeed: only those count against the limits."""
    return response.status_code != 302


def safe_next_url(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None: "next" must not leave the site."""
    # A path starts with one "/": "//host" and "https://host" name other sites. Browsers also
    # read "\" as "/" and drop tabs and newlines, so "/\evil.example" leaves the site too.
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    return target


def send_confirmation(user: User) -> bool:
    return try_send_email(
        "confirm_email",
        to=user.email,
        link=external_url("auth.confirm_email", token=tokens.confirmation_token(user)),
    )


def external_url(endpoint: str, **values: Any) -> str:
    """An absolute link for an e-mail: BASE_URL, never the Host header a request came with."""
    return current_app.config["BASE_URL"].rstrip("/") + url_for(endpoint, **values)


@bp.route("/register", methods=["GET", "POST"])
@limiter.limit(per_account, key_func=email_in_form, methods=["POST"])
@limiter.limit(per_client, methods=["POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = RegisterForm()
    if form.validate_on_submit():
        # The same work, page and e-mail count whether the address has an account or not.
        user = User(email=User.normalize_email(form.email.data))
        user.set_password(form.password.data)
        owner = db.session.scalar(select(User).where(User.email == user.email))
        if owner is None:
            db.session.add(user)
            try:
                db.session.commit()
            except IntegrityError:  # the same address signed up a moment ago
                db.session.rollback()
                owner = db.session.scalar(select(User).where(User.email == user.email))
        if owner is None:
            send_confirmation(user)
        else:
            try_send_email(
                "already_registered",
                to=owner.email,
                login=external_url("auth.login"),
                reset=external_url("auth.forgot_password"),
            )
        flash(
            f"Check your inbox: we sent a message to {user.email}. "
            "Open its link to confirm your address.",
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/confirm/<token>", methods=["GET", "POST"])
def confirm_email(token: str) -> ResponseReturnValue:
    """Confirm with a button, so that mail scanners that open links confirm nothing."""
    user = tokens.user_to_confirm(token)
    if user is None:
        flash("This link has expired or was already used. Log in to ask for a new one.", "error")
        return redirect(url_for("auth.login"))
    if request.method == "GET":
        return render_template("auth/confirm_email.html", email=user.email)
    user.confirm_email()
    db.session.commit()
    login_user(user)
    flash("Thank you: your e-mail address is confirmed.", "success")
    return redirect(url_for("auth.account"))


@bp.post("/confirm")
@login_required
@limiter.limit(per_account, key_func=account_id)
@limiter.limit(per_client)
def resend_confirmation() -> ResponseReturnValue:
    if current_user.email_confirmed:
        flash("Your e-mail address is already confirmed.", "info")
    elif send_confirmation(current_user):
        flash(f"We sent a new link to {current_user.email}.", "success")
    else:
        flash("Sorry, we could not send the e-mail just now. Please try again later.", "error")
    return redirect(url_for("auth.settings"))


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(per_account, key_func=email_in_form, methods=["POST"], deduct_when=failed)
@limiter.limit(per_client, methods=["POST"], deduct_when=failed)
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(User.email == User.normalize_email(form.email.data))
        )
        if user is not None and user.check_password(form.password.data):
            login_user(user, remember=form.remember.data)
            flash("You are logged in.", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("auth.account"))
        if user is None:
            # Take as long as a real check, so timing does not tell which addresses have accounts.
            dummy_hash = _dummy_password_hash(current_app.config["PASSWORD_HASH_METHOD"])
            check_password_hash(dummy_hash, form.password.data)
        flash("Wrong e-mail address or password.", "error")
    return render_template("auth/login.html", form=form)


@cache
def _dummy_password_hash(method: str) -> str:
    return generate_password_hash("not a real password", method=method)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    if current_user.is_authenticated:
        # A new session token: this session and any copy of its cookies stop working.
        current_user.end_sessions()
        db.session.commit()
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.route("/forgot-password", methods=["GET", "POST"])
@limiter.limit(per_account, key_func=email_in_form, methods=["POST"])
@limiter.limit(per_client, methods=["POST"])
def forgot_password() -> ResponseReturnValue:
    form = EmailForm()
    if form.validate_on_submit():
        email = User.normalize_email(form.email.data)
        user = db.session.scalar(select(User).where(User.email == email))
        if user is not None:
            try_send_email(
                "reset_password",
                to=user.email,
                link=external_url("auth.reset_password", token=tokens.reset_token(user)),
                minutes=current_app.config["RESET_PASSWORD_MAX_AGE"] // 60,
            )
        # The same answer whether the address has an account or not.
        flash(
            f"If {email} has an account, we sent it a link to choose a new password.",
            "success",
        )
        return redirect(url_for("auth.login"))
    return render_template("auth/forgot_password.html", form=form)


@bp.route("/reset-password/<token>", methods=["GET", "POST"])
def reset_password(token: str) -> ResponseReturnValue:
    user = tokens.user_to_reset(token)
    if user is None:
        flash("This link has expired or was already used: ask for a new one below.", "error")
        return redirect(url_for("auth.forgot_password"))
    form = ResetPasswordForm()
    if form.validate_on_submit():
        user.set_password(form.password.data)
        # The link came to this address: it is confirmed too.
        if not user.email_confirmed:
            user.confirm_email()
        user.end_sessions()
        db.session.commit()
        login_user(user)
        flash("Your new password is set, and you are logged in.", "success")
        return redirect(url_for("auth.account"))
    return render_template("auth/reset_password.html", form=form)
