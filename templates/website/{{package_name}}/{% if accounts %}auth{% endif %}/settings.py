"""The members' page and the account settings: password, e-mail address, deleting the account.

Each change asks for the current password and ends the account's other sessions.
"""

from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask.typing import ResponseReturnValue
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from ..extensions import db, limiter
from ..mail import try_send_email
from ..models import User
from . import tokens
from .forms import ChangeEmailForm, ChangePasswordForm, DeleteAccountForm
from .views import account_id, bp, external_url, failed, per_account

WRONG_PASSWORD = "That is not your current password."  # noqa: S105 (a message)
STILL_REFERRED = (
    "Your account is kept: other members' entries refer to yours. Ask them to change or delete "
    "theirs first."
)


def this_user() -> User:
    """The logged-in account itself (current_user is a proxy to it)."""
    return db.session.get_one(User, current_user.id)


@bp.get("/account")
@login_required
def account() -> str:
    return render_template("auth/account.html")


@bp.get("/settings")
@login_required
def settings() -> str:
    return render_template("auth/settings.html")


@bp.route("/settings/password", methods=["GET", "POST"])
@login_required
@limiter.limit(per_account, key_func=account_id, methods=["POST"], deduct_when=failed)
def change_password() -> ResponseReturnValue:
    form = ChangePasswordForm()
    if form.validate_on_submit():
        user = this_user()
        if user.check_password(form.current_password.data):
            user.set_password(form.password.data)
            user.end_sessions()
            db.session.commit()
            login_user(user)  # this session goes on with the account's new token
            try_send_email("password_changed", to=user.email)
            flash("Your password is changed; your other sessions are logged out.", "success")
            return redirect(url_for("auth.settings"))
        form.current_password.errors.append(WRONG_PASSWORD)
    return render_template("auth/change_password.html", form=form)


@bp.route("/settings/email", methods=["GET", "POST"])
@login_required
@limiter.limit(per_account, key_func=account_id, methods=["POST"], deduct_when=failed)
def change_email() -> ResponseReturnValue:
    form = ChangeEmailForm()
    if form.validate_on_submit():
        user = this_user()
        new_email = User.normalize_email(form.email.data)
        if not user.check_password(form.current_password.data):
            form.current_password.errors.append(WRONG_PASSWORD)
        elif new_email == user.email:
            form.email.errors.append("That is already your address.")
        else:
            # As at sign-up, the page does not tell whether the address has an account.
            if db.session.scalar(select(User).where(User.email == new_email)) is None:
                token = tokens.email_change_token(user, new_email)
                link = external_url("auth.confirm_email_change", token=token)
                try_send_email("change_email", to=new_email, link=link)
            else:
                try_send_email(
                    "already_registered",
                    to=new_email,
                    login=external_url("auth.login"),
                    reset=external_url("auth.forgot_password"),
                )
            flash(
                f"We sent a link to {new_email}: open it to confirm the new address. "
                f"Until then, log in with {user.email}.",
                "success",
            )
            return redirect(url_for("auth.settings"))
    return render_template("auth/change_email.html", form=form)


@bp.route("/settings/email/<token>", methods=["GET", "POST"])
def confirm_email_change(token: str) -> ResponseReturnValue:
    found = tokens.email_change(token)
    if found is None:
        flash("This link has expired or was already used.", "error")
        return redirect(url_for("auth.settings"))
    user, new_email = found
    if request.method == "GET":
        return render_template("auth/confirm_email_change.html", email=new_email)
    logged_in_here = current_user.is_authenticated and current_user.id == user.id
    old_email, user.email = user.email, new_email
    user.confirm_email()
    user.end_sessions()
    try:
        db.session.commit()
    except IntegrityError:  # someone signed up with the address since
        db.session.rollback()
        flash("That address belongs to another account now.", "error")
        return redirect(url_for("auth.settings"))
    try_send_email("email_changed", to=old_email, new_email=new_email)
    flash(f"Your e-mail address is now {new_email}.", "success")
    if logged_in_here:
        login_user(user)
        return redirect(url_for("auth.settings"))
    return redirect(url_for("auth.login"))


@bp.route("/settings/delete", methods=["GET", "POST"])
@login_required
@limiter.limit(per_account, key_func=account_id, methods=["POST"], deduct_when=failed)
def delete_account() -> ResponseReturnValue:
    form = DeleteAccountForm()
    if form.validate_on_submit():
        user = this_user()
        if user.check_password(form.current_password.data):
            # Tables you add that belong to an account: ForeignKey(..., ondelete="CASCADE").
            db.session.delete(user)
            try:
                db.session.commit()
            except IntegrityError:
                # What it owns is referred to by rows of other accounts, which it may not delete.
                db.session.rollback()
                flash(STILL_REFERRED, "error")
                return redirect(url_for("auth.settings"))
            logout_user()
            flash("Your account is deleted.", "info")
            return redirect(url_for("main.index"))
        form.current_password.errors.append(WRONG_PASSWORD)
    return render_template("auth/delete_account.html", form=form)
