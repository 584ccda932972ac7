"""What every form of the site shares: tidy input, refuse text a database would choke on."""

from __future__ import annotations

import re

from wtforms import Field, Form
from wtforms.validators import ValidationError

# Control characters (NUL, escape sequences...) other than tab and line breaks.
CONTROL_CHARACTERS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")


def strip(value: object) -> object:
    return value.strip() if isinstance(value, str) else value


def plain_text(form: Form, field: Field) -> None:
    """Refuse control characters: PostgreSQL cannot store NUL, and nobody types them."""
    if isinstance(field.data, str) and CONTROL_CHARACTERS.search(field.data):
        raise ValidationError("Please remove the control characters from this field.")
