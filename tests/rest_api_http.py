"""Requests the REST API's attack checks send: any method, raw bodies, chosen source addresses.

The harness's `get` follows redirects and sends no body; these send exactly what is given, from
a loopback address of the caller's choice (127.0.0.2, ...: a different client to the server).
"""

from __future__ import annotations

import http.client
import json
import secrets
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

PROBLEM = "application/problem+json"


@dataclass(frozen=True)
class Reply:
    status: int
    headers: dict[str, str]  # names in lower case
    body: bytes

    @property
    def is_problem(self) -> bool:
        return self.headers.get("content-type") == PROBLEM

    def json(self) -> Any:
        return json.loads(self.body)

    def describe(self) -> str:
        return f"{self.status} {self.headers.get('content-type')} {self.body[:300]!r}"


def call(
    base_url: str,
    method: str,
    path: str,
    *,
    body: bytes | Iterable[bytes] | None = None,
    headers: dict[str, str] | None = None,
    source: str = "127.0.0.1",
    timeout: float = 30,
) -> Reply:
    """One request on a connection of its own (so that gunicorn's workers share them)."""
    parts = urlsplit(base_url)
    connection = http.client.HTTPConnection(
        parts.hostname or "127.0.0.1", parts.port, timeout=timeout, source_address=(source, 0)
    )
    try:
        chunked = body is not None and not isinstance(body, bytes)
        connection.request(method, path, body=body, headers=headers or {}, encode_chunked=chunked)
        response = connection.getresponse()
        received = {name.lower(): value for name, value in response.getheaders()}
        return Reply(response.status, received, response.read())
    finally:
        connection.close()


def send_json(base_url: str, method: str, path: str, document: Any = None, **options: Any) -> Reply:
    """`call` with `document` as the JSON body (and any headers given)."""
    headers = {"Content-Type": "application/json", **options.pop("headers", {})}
    body = None if document is None else json.dumps(document).encode()
    return call(base_url, method, path, body=body, headers=headers, **options)


def at_once(requests: Sequence[Callable[[], Reply]]) -> list[Reply]:
    """Send the requests together: each thread waits at a barrier, then sends."""
    barrier = threading.Barrier(len(requests))
    replies: list[Reply | BaseException | None] = [None] * len(requests)

    def run(index: int) -> None:
        barrier.wait(timeout=30)
        try:
            replies[index] = requests[index]()
        except BaseException as error:  # reported below, in the test's thread
            replies[index] = error

    threads = [threading.Thread(target=run, args=(index,)) for index in range(len(requests))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    for reply in replies:
        if not isinstance(reply, Reply):
            raise AssertionError(f"a concurrent request failed: {reply!r}")
    return [reply for reply in replies if isinstance(reply, Reply)]


def fresh_address() -> str:
    """A loopback address of its own: the server sees a client it has not seen before."""
    return f"127.{secrets.randbelow(250) + 1}.{secrets.randbelow(256)}.{secrets.randbelow(254) + 1}"
