"""Sign up, log in, log out and the members-only account page."""

from __future__ import annotations

from functools import cache

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from werkzeug.security import check_password_hash, generate_password_hash

from ..extensions import db, login_manager
from ..models import User
from .commands import create_user
from .forms import LoginForm, RegisterForm

# cli_group=None: the blueprint's commands are top-level (`flask create-user`).
bp = Blueprint("auth", __name__, url_prefix="/auth", cli_group=None)
bp.cli.add_command(create_user)


@login_manager.user_loader
def load_user(user_id: str) -> User | None:
    return db.session.get(User, int(user_id))


def safe_next_url(target: str | None) -> str | None:
    """Return `target` if it is a path on this site, else None: "next" must not leave the site."""
    # A path starts with one "/": "//host" and "https://host" name other sites. Browsers also
    # read "\" as "/" and drop tabs and newlines, so "/\evil.example" leaves the site too.
    if not target or not target.startswith("/") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(char) < 0x20 or ord(char) == 0x7F for char in target):
        return None
    return target


@cache
def _dummy_password_hash(method: str) -> str:
    return generate_password_hash("not a real password", method=method)


@bp.route("/register", methods=["GET", "POST"])
def register() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = RegisterForm()
    if form.validate_on_submit():
        user = User(email=User.normalize_email(form.email.data))
        user.set_password(form.password.data)
        db.session.add(user)
        try:
            db.session.commit()
        except IntegrityError:
            db.session.rollback()
            form.email.errors.append("An account with this e-mail address already exists.")
        else:
            flash("Your account is ready: log in to continue.", "success")
            return redirect(url_for("auth.login"))
    return render_template("auth/register.html", form=form)


@bp.route("/login", methods=["GET", "POST"])
def login() -> ResponseReturnValue:
    if current_user.is_authenticated:
        return redirect(url_for("auth.account"))
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(
            select(User).where(User.email == User.normalize_email(form.email.data))
        )
        if user is not None and user.check_password(form.password.data):
            login_user(user)
            flash("You are logged in.", "success")
            return redirect(safe_next_url(request.args.get("next")) or url_for("auth.account"))
        if user is None:
            # Take as long as a real check, so timing does not tell which addresses have accounts.
            dummy_hash = _dummy_password_hash(current_app.config["PASSWORD_HASH_METHOD"])
            check_password_hash(dummy_hash, form.password.data)
        flash("Wrong e-mail address or password.", "error")
    return render_template("auth/login.html", form=form)


@bp.post("/logout")
def logout() -> ResponseReturnValue:
    logout_user()
    flash("You are logged out.", "info")
    return redirect(url_for("main.index"))


@bp.get("/account")
@login_required
def account() -> str:
    return render_template("auth/account.html")
