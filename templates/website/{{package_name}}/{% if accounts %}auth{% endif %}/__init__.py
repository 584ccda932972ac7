"""Accounts: sign up with a confirmed address, log in and out, reset a password, settings."""

from . import settings
from .views import bp

# settings.py adds the account pages to the same blueprint.
__all__ = ["bp", "settings"]
