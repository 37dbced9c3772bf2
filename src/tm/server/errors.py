"""Every error a client sees is one small JSON object, never a traceback.

``{"error": "what went wrong", "hint": "what to do"}`` with the HTTP status that says
whose fault it is: 4xx for the request (the message names the field and the limit),
503 when the database is unreachable, 500 for a bug (logged here with its
traceback; the client reads only "internal error").
"""

from __future__ import annotations

import logging
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException

from tm.errors import ConfigError, FormatError, NotFound, StoreError, TMError

log = logging.getLogger(__name__)

# The HTTP status of each family of tm errors (the most specific class first).
STATUS_OF: tuple[tuple[type[TMError], int], ...] = (
    (NotFound, 404),
    (FormatError, 422),
    (ConfigError, 422),
    (StoreError, 503),
)


class APIError(HTTPException):
    """A refusal with a message and an optional hint, raised from an endpoint."""

    def __init__(
        self,
        status: int,
        message: str,
        *,
        hint: str | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(status_code=status, detail=message, headers=headers)
        self.hint = hint


def error_body(message: str, hint: str | None = None, **extra: Any) -> dict[str, Any]:
    body: dict[str, Any] = {"error": message}
    if hint:
        body["hint"] = hint
    body.update(extra)
    return body


def error_response(
    status: int, message: str, *, hint: str | None = None, **extra: Any
) -> JSONResponse:
    return JSONResponse(error_body(message, hint, **extra), status_code=status)


def install(app: FastAPI) -> None:
    """Register the handlers that turn every failure into a JSON error."""

    async def http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        hint = getattr(exc, "hint", None)
        response = error_response(exc.status_code, str(exc.detail), hint=hint)
        for name, value in (exc.headers or {}).items():
            response.headers[name] = value
        return response

    async def validation_error(request: Request, exc: Exception) -> JSONResponse:
        # pydantic's own report repeats the input: a 100k-character query would come
        # straight back. Say where and what, never the value.
        assert isinstance(exc, RequestValidationError)
        problems = [
            {"field": ".".join(str(p) for p in e.get("loc", ())), "problem": e["msg"]}
            for e in exc.errors()[:20]
        ]
        first = problems[0] if problems else {"field": "", "problem": "invalid"}
        return error_response(
            422,
            f"invalid request: {first['field']}: {first['problem']}",
            detail=problems,
        )

    async def tm_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, TMError)
        status = next((s for cls, s in STATUS_OF if isinstance(exc, cls)), 500)
        if status == 500:
            log.error("unexpected tm error on %s", request.url.path, exc_info=exc)
            return error_response(500, "internal error")
        if status == 503:
            log.warning("database error on %s: %s", request.url.path, exc)
            return error_response(503, "the TM database is unavailable")
        return error_response(status, exc.msg, hint=exc.hint)

    async def internal_error(request: Request, exc: Exception) -> JSONResponse:
        log.error("internal error on %s", request.url.path, exc_info=exc)
        return error_response(500, "internal error")

    app.add_exception_handler(HTTPException, http_error)
    app.add_exception_handler(RequestValidationError, validation_error)
    app.add_exception_handler(TMError, tm_error)
    app.add_exception_handler(Exception, internal_error)
