"""`flask create-user`: make an account from the command line (e.g. the first one)."""

from __future__ import annotations

import click
from email_validator import EmailNotValidError, validate_email
from flask.cli import with_appcontext
from sqlalchemy.exc import IntegrityError

from ..extensions import db
from ..models import User
from .forms import password_problem


@click.command("create-user")
@click.argument("email")
@click.password_option(help="The password (asked twice, hidden, when not given).")
@with_appcontext
def create_user(email: str, password: str) -> None:
    """Create an account that logs in with EMAIL (its address counts as confirmed)."""
    try:
        validate_email(email, check_deliverability=False)
    except EmailNotValidError as error:
        raise click.BadParameter(str(error), param_hint="EMAIL") from error
    if problem := password_problem(password, email):
        raise click.BadParameter(problem, param_hint="'--password'")
    user = User(email=User.normalize_email(email))
    user.set_password(password)
    user.confirm_email()
    db.session.add(user)
    try:
        db.session.commit()
    except IntegrityError as error:
        db.session.rollback()
        raise click.ClickException(f"An account for {user.email} already exists.") from error
    click.echo(f"Created the account {user.email}.")
