"""The sign-up and log-in forms."""

from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField
from wtforms.validators import DataRequired, Email, EqualTo, Length

PASSWORD_MIN_LENGTH = 8
PASSWORD_MAX_LENGTH = 128


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


class LoginForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        filters=[strip],
        validators=[DataRequired("Please enter your e-mail address."), Email()],
        render_kw={"autocomplete": "username"},
    )
    password = PasswordField(
        "Password",
        validators=[DataRequired("Please enter your password.")],
        render_kw={"autocomplete": "current-password"},
    )


class RegisterForm(FlaskForm):
    email = EmailField(
        "E-mail address",
        filters=[strip],
        validators=[
            DataRequired("Please enter your e-mail address."),
            Email("That does not look like an e-mail address."),
            Length(max=254),
        ],
        render_kw={"autocomplete": "email"},
    )
    password = PasswordField(
        "Password",
        validators=[
            DataRequired("Please choose a password."),
            Length(
                min=PASSWORD_MIN_LENGTH,
                max=PASSWORD_MAX_LENGTH,
                message=f"Use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
            ),
        ],
        render_kw={"autocomplete": "new-password"},
    )
    confirm = PasswordField(
        "Repeat the password",
        validators=[
            DataRequired("Please repeat the password."),
            EqualTo("password", "The passwords do not match."),
        ],
        render_kw={"autocomplete": "new-password"},
    )
