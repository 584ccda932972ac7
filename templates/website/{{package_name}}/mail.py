"""E-mail through Flask-Mail: a plain-text and an HTML part from templates/email/.

Each message is two Jinja templates, `email/<name>.txt` and `email/<name>.html`; the first line
of the text template is the subject. Without MAIL_SERVER (development, tests), nothing is sent:
Flask-Mail suppresses sending and each message is written to the log instead.
"""

from __future__ import annotations

import smtplib
from typing import Any

from flask import Flask, current_app, render_template
from flask_mail import Message, email_dispatched

from .extensions import mail


def init_app(app: Flask) -> None:
    if not app.config["MAIL_SERVER"]:
        app.config["MAIL_SUPPRESS_SEND"] = True
        email_dispatched.connect(log_message, sender=app)
    mail.init_app(app)


def send_email(template: str, to: str, reply_to: str | None = None, **context: Any) -> None:
    """Send `email/<template>` to `to`; raises OSError or smtplib's errors when it cannot."""
    subject, _, body = render_template(f"email/{template}.txt", **context).partition("\n")
    message = Message(
        subject=subject.strip(),
        recipients=[to],
        body=body.strip() + "\n",
        html=render_template(f"email/{template}.html", **context),
        reply_to=reply_to,
    )
    mail.send(message)


def try_send_email(template: str, to: str, **context: Any) -> bool:
    """Send as send_email does; False, and a line in the log, when the mail server fails."""
    try:
        send_email(template, to, **context)
    except (OSError, smtplib.SMTPException) as error:
        current_app.logger.error("Could not send the %r e-mail: %s", template, error)
        return False
    return True


def log_message(app: Flask, message: Message) -> None:
    """Write a message that was not sent to the log, as its recipient would read it."""
    app.logger.info(
        "E-mail not sent (no MAIL_SERVER) to %s, subject %r:\n%s",
        ", ".join(map(str, message.recipients)),
        message.subject,
        message.body,
    )
