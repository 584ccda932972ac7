"""The account forms: sign up, log in, reset and change a password, change the e-mail address."""

from __future__ import annotations

from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import BooleanField, EmailField, Field, Form, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length, ValidationError
from zxcvbn import zxcvbn

from ..forms import strip
from ..models import EMAIL_MAX_LENGTH

PASSWORD_MIN_LENGTH = 12
PASSWORD_MAX_LENGTH = 128
# zxcvbn's score from 0 (a common password) to 4; 3 resists an offline attack on slow hashes.
PASSWORD_MIN_SCORE = 3
# zxcvbn looks at this many characters at most (it slows down on longer ones).
ZXCVBN_MAX_LENGTH = 72


def password_problem(password: str, *related: str) -> str | None:
    """Why a new password is too weak (too short, common, like the address), or None."""
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        return f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters."
    verdict = zxcvbn(password[:ZXCVBN_MAX_LENGTH], user_inputs=[text for text in related if text])
    if verdict["score"] < PASSWORD_MIN_SCORE:
        feedback = verdict["feedback"]
        advice = feedback["warning"] or "This password is easy to guess."
        return " ".join([advice, *feedback["suggestions"][:1]])
    return None


def strong_password(form: Form, field: Field) -> None:
    """A new password: long enough and hard to guess, even knowing the e-mail address."""
    related = [form.email.data if "email" in form else ""]
    if current_user.is_authenticated:
        related.append(current_user.email)
    if problem := password_problem(field.data or "", *related):
        raise ValidationError(problem)


def email_field(label: str = "E-mail address", autocomplete: str = "email") -> EmailField:
    return EmailField(
        label,
        filters=[strip],
        validators=[
            DataRequired("Please enter your e-mail address."),
            Length(max=EMAIL_MAX_LENGTH),
            Email("That does not look like an e-mail address."),
        ],
        render_kw={"autocomplete": autocomplete},
    )


def current_password_field() -> PasswordField:
    return PasswordField(
        "Current password",
        validators=[DataRequired("Please enter your password."), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )


def new_password_fields(label: str = "Password") -> tuple[PasswordField, PasswordField]:
    return (
        PasswordField(
            label,
            validators=[DataRequired("Please choose a password."), strong_password],
            description=f"{PASSWORD_MIN_LENGTH} characters or more: a few unusual words work well.",
            render_kw={"autocomplete": "new-password"},
        ),
        PasswordField(
            "Repeat the password",
            validators=[
                DataRequired("Please repeat the password."),
                EqualTo("password", "The passwords do not match."),
            ],
            render_kw={"autocomplete": "new-password"},
        ),
    )


class LoginForm(FlaskForm):
    email = email_field(autocomplete="username")
    password = PasswordField(
        "Password",
        validators=[DataRequired("Please enter your password."), Length(max=PASSWORD_MAX_LENGTH)],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField("Keep me logged in on this device")


class RegisterForm(FlaskForm):
    email = email_field()
    password, confirm = new_password_fields()


class EmailForm(FlaskForm):
    """Ask for a password reset link."""

    email = email_field()


class ResetPasswordForm(FlaskForm):
    password, confirm = new_password_fields("New password")


class ChangePasswordForm(FlaskForm):
    current_password = current_password_field()
    password, confirm = new_password_fields("New password")


class ChangeEmailForm(FlaskForm):
    email = email_field("New e-mail address")
    current_password = current_password_field()


class DeleteAccountForm(FlaskForm):
    current_password = current_password_field()
