"""``tm serve``: the TM and the term base over HTTP.

A shell like ``tm.cli`` and ``tm.tui``: it imports only ``tm.service``,
``tm.models`` and ``tm.errors`` (import-linter checks it), parses requests, calls the
service and renders JSON. Two APIs share one application:

- ``/tmserver/…`` (:mod:`tm.server.tmserver`), amaGama's API as Weblate's tmserver
  machinery calls it;
- ``/api/v1/…`` (:mod:`tm.server.api`), the native JSON API with its OpenAPI page
  at ``/api/v1/docs``.

Each worker process holds its own index of the TM (:mod:`tm.server.state`), built or
loaded at start-up and kept fresh by a thread as other writers add units. Several
servers in front of one PostgreSQL TM answer alike and see each other's writes.

FastAPI is the framework: it validates requests into typed models with clear 422s
and writes the OpenAPI description from the same models.
"""

from __future__ import annotations

from tm.server.app import create_app
from tm.server.run import serve
from tm.server.settings import ServerSettings

__all__ = ["ServerSettings", "create_app", "serve"]
