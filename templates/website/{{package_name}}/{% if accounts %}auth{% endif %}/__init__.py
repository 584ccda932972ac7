"""Accounts: sign up, log in, log out, a members-only page and `flask create-user`."""

from .views import bp

__all__ = ["bp"]
