"""The real PostgreSQL and Redis servers that generated projects are checked against."""

from __future__ import annotations

import os
import socket
import uuid
from dataclasses import dataclass
from urllib.parse import urlsplit, urlunsplit

POSTGRES_URL_ENV = "FLASKSTARTER_POSTGRES_URL"
REDIS_URL_ENV = "FLASKSTARTER_REDIS_URL"
DEFAULT_POSTGRES_URL = "postgresql://postgres@127.0.0.1:5432/test"
DEFAULT_REDIS_URL = "redis://127.0.0.1:6379/0"


@dataclass(frozen=True)
class Service:
    name: str
    url: str

    @property
    def address(self) -> tuple[str, int]:
        parts = urlsplit(self.url)
        default_port = 5432 if parts.scheme.startswith("postgres") else 6379
        return parts.hostname or "127.0.0.1", parts.port or default_port

    def answers(self, timeout: float = 1.0) -> bool:
        """Whether something accepts connections at the service's address."""
        try:
            with socket.create_connection(self.address, timeout=timeout):
                return True
        except OSError:
            return False


def postgres() -> Service:
    return Service("PostgreSQL", os.environ.get(POSTGRES_URL_ENV) or DEFAULT_POSTGRES_URL)


def redis() -> Service:
    return Service("Redis", os.environ.get(REDIS_URL_ENV) or DEFAULT_REDIS_URL)


def scratch_database_name() -> str:
    return f"flaskstarter_{uuid.uuid4().hex[:12]}"


def with_database(url: str, database: str, *, driver: str | None = None) -> str:
    """The same server URL naming another database (and, optionally, a SQLAlchemy driver)."""
    parts = urlsplit(url)
    scheme = f"postgresql+{driver}" if driver else parts.scheme
    return urlunsplit((scheme, parts.netloc, f"/{database}", parts.query, parts.fragment))


def with_redis_db(url: str, index: int) -> str:
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, f"/{index}", parts.query, parts.fragment))
