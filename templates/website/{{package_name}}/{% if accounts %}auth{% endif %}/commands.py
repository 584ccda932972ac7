"""`flask create-user`: make an account from the command line (e.g. the first one)."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User
from .forms import PASSWORD_MAX_LENGTH, PASSWORD_MIN_LENGTH


@click.command("create-user")
@click.argument("email")
@click.password_option(help="The password (asked twice, hidden, when not given).")
@with_appcontext
def create_user(email: str, password: str) -> None:
    """Create an account that logs in with EMAIL."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    if not PASSWORD_MIN_LENGTH <= len(password) <= PASSWORD_MAX_LENGTH:
        raise click.BadParameter(
            f"use {PASSWORD_MIN_LENGTH} to {PASSWORD_MAX_LENGTH} characters.",
            param_hint="'--password'",
        )
    user = User(email=User.normalize_email(email))
    user.set_password(password)
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise click.ClickException(f"An account for {user.email} already exists.") from error
    click.echo(f"Created the account {user.email}.")
