"""The ASGI application: its start-up, its routes, its limits and its errors.

:func:`create_app` builds the application for given settings (tests call it);
:func:`app_from_env` is the factory uvicorn imports in each worker process. At
start-up a worker opens the TM and builds or loads its index before it answers
anything, then starts the thread that keeps the index fresh; at shutdown (SIGTERM:
uvicorn stops accepting, lets running requests finish, then runs this) it stops the
thread and closes the TM.
"""

from __future__ import annotations

import logging
import os
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from importlib.metadata import PackageNotFoundError, version

from anyio import to_thread
from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from starlette.concurrency import run_in_threadpool

from tm.server import api, errors, tmserver
from tm.server.limits import BodyLimit
from tm.server.settings import ServerSettings
from tm.server.state import WorkerState

log = logging.getLogger(__name__)

DESCRIPTION = """\
A Chinese→English translation memory and term base over HTTP.

* `/tmserver/…` answers as amaGama does, for Weblate's **tmserver** machinery.
* `/api/v1/…` is the native API: batch look-up with context, concordance, term
  recognition, statistics, and writes (adding units, confirming segments), which
  need `Authorization: Bearer <TM_SERVER_TOKEN>`.

Errors are JSON: `{"error": "…", "hint": "…"}`.
"""


def _version() -> str:
    try:
        return version("tm")
    except PackageNotFoundError:
        return "unknown"


def create_app(settings: ServerSettings) -> FastAPI:
    """The application for ``settings``; the TM is opened when it starts (lifespan).

    Raises:
        ConfigError: bad settings.
    """
    settings.validate()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        # Requests run on these threads, each with its own database connection when
        # it needs one: more would not look up faster (one GIL), only hold more.
        to_thread.current_default_thread_limiter().total_tokens = settings.threads
        state = await run_in_threadpool(WorkerState, settings)
        app.state.tm = state
        state.start()
        try:
            yield
        finally:
            await run_in_threadpool(state.close)

    app = FastAPI(
        title="tm",
        version=_version(),
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url="/api/v1/docs",
        redoc_url=None,
        openapi_url="/api/v1/openapi.json",
    )
    app.add_middleware(BodyLimit, max_bytes=settings.max_body_bytes)
    errors.install(app)
    app.include_router(tmserver.router)
    app.include_router(api.router)

    @app.get("/healthz", tags=["server"], summary="Whether this worker can answer")
    def healthz(request: Request) -> JSONResponse:
        state: WorkerState = request.app.state.tm
        stale = state.stale_seconds()
        # The refresher reaches the database every refresh_seconds: if it has not
        # for a while, the database is gone and a load balancer should look elsewhere.
        ok = state.refresh_error is None or stale < 5 * settings.refresh_seconds + 5
        body = {
            "status": "ok" if ok else "unavailable",
            "index_refreshed_seconds_ago": round(stale, 1),
            "worker": os.getpid(),  # which worker process answered
        }
        if not ok:
            body["error"] = "the TM database is unavailable"
        return JSONResponse(body, status_code=200 if ok else 503)

    @app.get("/", include_in_schema=False)
    def index() -> JSONResponse:
        return JSONResponse(
            {
                "name": "tm",
                "version": app.version,
                "docs": "/api/v1/docs",
                "openapi": "/api/v1/openapi.json",
                "tmserver": "/tmserver/languages/",
            }
        )

    return app


def app_from_env() -> FastAPI:
    """The factory uvicorn calls in each worker (settings from ``TM_SERVE_SETTINGS``)."""
    return create_app(ServerSettings.from_env())
