"""What ``tm serve`` was asked to do, in one frozen value.

uvicorn starts each worker process by importing the application factory, so the
settings travel to the workers as JSON in one private environment variable
(``TM_SERVE_SETTINGS``, resolved with the others in ``tm.locations``) that the parent
sets before starting them. The write token is not in it: every process reads
``TM_SERVER_TOKEN`` through the service, so the token never appears in a command
line.
"""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, fields, replace
from typing import Any

from tm.errors import ConfigError
from tm.service import hand_serve_settings, serve_settings, server_token

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 8765


@dataclass(frozen=True, slots=True)
class ServerSettings:
    """How one ``tm serve`` runs.

    Attributes:
        db: the TM (a SQLite path or a ``postgresql://`` URL); None: ``$TM_DB``.
        glossary: the term base for term recognition; None: the default one.
        host: the address to bind (loopback unless told otherwise).
        port: the TCP port.
        workers: worker processes; each holds its own index of the TM.
        read_only: refuse every write, whatever the token.
        token: the bearer token writes need; None: writes are refused.
        max_body_bytes: the largest request body accepted (413 above it).
        max_query_chars: the longest text one query may have (422 above it).
        max_batch: the most queries one look-up request may carry (422 above it).
        max_candidates: the most matches one query may ask for.
        min_score_floor: the lowest cutoff a query may ask for. Under about 55 the
            index's bound no longer prunes, and a look-up scores a large part of the
            TM (a second of CPU at a million units instead of milliseconds).
        refresh_seconds: how often each worker checks the TM for other writers' units.
        threads: the threads a worker runs requests on (so also the most database
            connections it opens for them); look-ups share one core by the GIL.
        graceful_seconds: how long a stopping worker lets running requests finish.
    """

    db: str | None = None
    glossary: str | None = None
    host: str = DEFAULT_HOST
    port: int = DEFAULT_PORT
    workers: int = 1
    read_only: bool = False
    token: str | None = None
    max_body_bytes: int = 16 * 2**20
    max_query_chars: int = 4000
    max_batch: int = 1000
    max_candidates: int = 50
    min_score_floor: float = 60.0
    refresh_seconds: float = 1.0
    threads: int = 8
    graceful_seconds: float = 30.0

    def validate(self) -> ServerSettings:
        """The settings themselves, or a ConfigError naming the bad one."""
        if not 1 <= self.workers <= 64:
            raise ConfigError(f"--workers must be 1 to 64, not {self.workers}")
        if self.max_body_bytes < 1024:
            raise ConfigError("the body limit must be at least 1 KiB")
        if not 0 <= self.min_score_floor <= 100:
            raise ConfigError("the min-score floor must be 0 to 100")
        if not 1 <= self.threads <= 256:
            raise ConfigError(f"threads must be 1 to 256, not {self.threads}")
        if self.max_query_chars < 1 or self.max_batch < 1:
            raise ConfigError("query limits must be positive")
        if self.token is not None and len(self.token) < 16:
            raise ConfigError(
                "TM_SERVER_TOKEN is too short (under 16 characters)",
                hint="use a long random one: python -c 'import secrets; print(secrets.token_urlsafe(32))'",
            )
        return self

    def hand_to_workers(self) -> None:
        """Leave the settings, without the token, for the worker processes."""
        data = asdict(self)
        data.pop("token")
        hand_serve_settings(json.dumps(data))

    @classmethod
    def from_env(cls) -> ServerSettings:
        """The settings a worker was started with (the token from ``TM_SERVER_TOKEN``)."""
        raw = serve_settings()
        data: dict[str, Any] = json.loads(raw) if raw else {}
        known = {f.name for f in fields(cls)}
        settings = cls(**{k: v for k, v in data.items() if k in known})
        return replace(settings, token=server_token()).validate()
