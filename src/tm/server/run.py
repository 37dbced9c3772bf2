"""Run the application under uvicorn: one process, or a supervisor and N workers.

Every worker imports :func:`tm.server.app.app_from_env` and reads the settings the
parent put in its environment, so one worker and many behave the same. uvicorn
handles SIGTERM and SIGINT: it stops accepting connections, lets running requests
finish (up to ``graceful_seconds``), runs the application's shutdown, then raises the
signal again with the handler it found; ours makes a drained SIGTERM exit 0.
"""

from __future__ import annotations

import logging
import os
import signal
import sys
from types import FrameType
from typing import Any

from tm.server.settings import ServerSettings

APP_FACTORY = "tm.server.app:app_from_env"


def log_config(level: int, *, access_log: bool) -> dict[str, Any]:
    """Logging for each worker: one line per record on stderr, tm's and uvicorn's."""
    name = logging.getLevelName(level)
    return {
        "version": 1,
        "disable_existing_loggers": False,
        "formatters": {
            "line": {
                "format": "%(asctime)s %(process)d %(levelname)s %(name)s: %(message)s"
            }
        },
        "handlers": {
            "stderr": {
                "class": "logging.StreamHandler",
                "formatter": "line",
                "stream": "ext://sys.stderr",
            }
        },
        "root": {"handlers": ["stderr"], "level": name},
        "loggers": {
            "uvicorn": {"level": name},
            "uvicorn.access": {"level": "INFO" if access_log else "WARNING"},
        },
    }


def _exit_cleanly(signum: int, frame: FrameType | None) -> None:
    sys.exit(0)


def serve(
    settings: ServerSettings, *, log_level: int = logging.INFO, access_log: bool = False
) -> None:
    """Serve until SIGTERM or SIGINT.

    Raises:
        ConfigError: bad settings.
    """
    import uvicorn

    settings.validate()
    settings.hand_to_workers()
    if settings.workers > 1:
        # The workers share one listening socket, and libuv (uvloop) accepts every
        # pending connection at once: one worker could take all of a burst (32
        # clients connecting together all went to one worker in one run of three,
        # the other idle). One accept per turn lets the others take their share.
        os.environ.setdefault("UV_TCP_SINGLE_ACCEPT", "1")
    signal.signal(signal.SIGTERM, _exit_cleanly)
    uvicorn.run(
        APP_FACTORY,
        factory=True,
        host=settings.host,
        port=settings.port,
        workers=settings.workers,
        log_config=log_config(log_level, access_log=access_log),
        access_log=access_log,
        proxy_headers=False,
        server_header=False,
        timeout_graceful_shutdown=int(settings.graceful_seconds),
        # a worker building a large index is busy but alive
        timeout_worker_healthcheck=60,
    )
