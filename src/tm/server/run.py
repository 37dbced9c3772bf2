"""Run the application under uvicorn: one process, or a supervisor and N workers.

Every worker imports :func:`tm.server.app.app_from_env` and reads the settings the
parent put in its environment, so one worker and many behave the same. uvicorn
handles SIGTERM and SIGINT: it stops accepting connections, lets running requests
finish (up to ``graceful_seconds``), runs the application's shutdown, then raises the
signal again with the handler it found; ours makes a drained SIGTERM exit 0.
"""

from __future__ import annotations

import logging
import signal
import socket
import sys
from types import FrameType
from typing import Any, cast

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
    signal.signal(signal.SIGTERM, _exit_cleanly)
    config = uvicorn.Config(
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
    if settings.workers == 1:
        server = uvicorn.Server(config)
        server.run()
        if not server.started:
            sys.exit(3)  # uvicorn's own code for a start-up that failed
    elif hasattr(socket, "SO_REUSEPORT"):
        _serve_workers(config)
    else:  # one socket shared by the workers, as uvicorn.run does
        from uvicorn.supervisors import Multiprocess

        Multiprocess(config, sockets=[config.bind_socket()]).run()


def _serve_workers(config: Any) -> None:
    """uvicorn's supervisor of N workers, each listening on a socket of its own.

    uvicorn's workers share one listening socket, so whichever is awake takes a new
    connection: a worker busy answering took all of them (keep-alive connections
    stay with it) while the other idled, in one benchmark run of three and in every
    run of batches. With SO_REUSEPORT the kernel spreads connections over the
    workers' sockets by their addresses.
    """
    from uvicorn.supervisors import Multiprocess

    holder = _ReusePortSocket.bound(config.host, config.port)
    host, port = holder.getsockname()[:2]
    logging.getLogger("uvicorn.error").info(
        "Uvicorn running on http://%s:%d (Press CTRL+C to quit)",
        f"[{host}]" if ":" in host else host,
        port,
    )
    try:
        Multiprocess(config, sockets=[holder]).run()
    finally:
        holder.close()


class _ReusePortSocket(socket.socket):
    """The supervisor's socket: bound, never listening, holding the port (a port 0
    becomes the one each worker binds). Handed to a worker, it becomes a listening
    socket of the worker's own on the same address (see :func:`_reuse_port_socket`)."""

    @classmethod
    def bound(cls, host: str, port: int) -> _ReusePortSocket:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        return cast(_ReusePortSocket, _reuse_port_socket(family, host, port, cls))

    def __reduce__(self) -> tuple[Any, ...]:
        host, port = self.getsockname()[:2]
        return (_reuse_port_socket, (self.family, host, port))


def _reuse_port_socket(
    family: int, host: str, port: int, kind: type[socket.socket] = socket.socket
) -> socket.socket:
    """A socket bound to ``host:port`` beside others with SO_REUSEPORT (uvicorn
    makes a worker's listen)."""
    sock = kind(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    return sock
