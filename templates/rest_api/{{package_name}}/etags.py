"""ETags and conditional requests: 304 when a client's copy is current, 412 when it is stale."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, NoReturn

from flask import Response, abort, request
from werkzeug.http import generate_etag, quote_etag

STALE = "It changed since you read it: GET it again, then retry with its new ETag."


def etag_of(representation: Mapping[str, Any]) -> str:
    """A strong ETag for a JSON representation, quoted for the ETag header."""
    canonical = json.dumps(representation, sort_keys=True, separators=(",", ":"), default=str)
    return quote_etag(generate_etag(canonical.encode()))


def not_modified(etag: str) -> Response | None:
    """A 304 response when If-None-Match names this ETag, else None."""
    if request.if_none_match.contains_weak(etag.strip('"')):
        return Response(status=304, headers={"ETag": etag})
    return None


def require_current(etag: str) -> None:
    """Refuse (412) a change when If-Match is sent and names another version."""
    if request.if_match and not request.if_match.contains(etag.strip('"')):
        abort(412, STALE)


def changed_meanwhile() -> NoReturn:
    """Refuse a change that another request made stale after this one read the version: 412
    when If-Match named that version, 409 when the request set no condition."""
    if request.if_match:
        abort(412, STALE)
    abort(409, "It changed while this request was changing it: GET it again, then retry.")
