"""The amaGama/tmserver API, as Weblate's "tmserver" machinery calls it.

Weblate asks ``GET /tmserver/languages/`` once and pairs every source language with
every target language it lists; then, per string, ``GET /tmserver/<src>/<tgt>/unit/
<text>`` with the text percent-encoded (a ``/`` too), at most 500 characters, ``\\r``
made a space. Language codes are Weblate's, lower-cased with ``_`` (``zh_hans``,
``zh``, ``en_us``, ``en``): for a project in ``zh_Hans`` it tries ``zh_hans`` and then
``zh``. It reads a JSON list of ``{"source", "target", "quality", "rank"}`` and keeps
``int(quality)`` at or above its threshold.

The TM is matched as a whole: a pair is served when its languages' primary subtags
are those of a pair the TM holds (``zh_tw`` → ``en`` on a TM of ``zh-CN`` and
``zh-TW`` units), and the languages list names both the primary subtags and the
TM's own codes. ``quality`` is tm's score (100 exact, 99 formatting only, else the
edit similarity, capped at 90 when numbers differ); ``rank`` is the plain edit
similarity.

A pair the TM does not hold is answered with an empty list, not amaGama's 404:
Weblate checks a tmserver URL before saving it by looking up "test" from ``en``
into ``de``, and refuses the URL if that fails. It sends no other pair than those
the languages list offers. (The native API answers an unknown pair with 404.)
"""

from __future__ import annotations

import math
from functools import partial
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse
from starlette.convertors import Convertor, register_url_convertor

from tm.server.errors import APIError
from tm.server.languages import LanguagePairs, primary, weblate_code
from tm.server.state import WorkerState


class AnyText(Convertor[str]):
    """A path's rest, line breaks included (``{x:path}`` stops at a newline)."""

    regex = r"[\s\S]*"

    def convert(self, value: str) -> str:
        return value

    def to_string(self, value: str) -> str:
        return value


register_url_convertor("text", AnyText())

router = APIRouter(prefix="/tmserver", tags=["amaGama / tmserver (Weblate)"])


def listed_languages(languages: LanguagePairs) -> dict[str, list[str]]:
    """The ``languages/`` answer: each side's primary subtags and the TM's own codes."""
    sources = {c for s, _ in languages.pairs for c in (primary(s), weblate_code(s))}
    targets = {c for _, t in languages.pairs for c in (primary(t), weblate_code(t))}
    return {"sourceLanguages": sorted(sources), "targetLanguages": sorted(targets)}


def _state(request: Request) -> WorkerState:
    state: WorkerState = request.app.state.tm
    return state


@router.get(
    "/languages/",
    summary="Language codes this TM serves",
    description="`sourceLanguages` and `targetLanguages`, as Weblate pairs them.",
)
def languages(request: Request) -> JSONResponse:
    return JSONResponse(listed_languages(_state(request).languages))


# The look-up route reads its own parameters: FastAPI's parameter machinery cost a
# fifth of the server's CPU a request on this, the route Weblate calls per string.
# These describe them for the OpenAPI page.
UNIT_PARAMETERS: list[dict[str, Any]] = [
    {
        "name": "source",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Source language (`zh`, `zh_cn`, `zh_hans`).",
    },
    {
        "name": "target",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "Target language (`en`, `en_us`).",
    },
    {
        "name": "text",
        "in": "path",
        "required": True,
        "schema": {"type": "string"},
        "description": "The string, percent-encoded (a `/` too).",
    },
    {
        "name": "min_similarity",
        "in": "query",
        "required": False,
        "schema": {"type": "number", "minimum": 0, "maximum": 100, "default": 70},
        "description": "The lowest score offered (raised to the server's floor).",
    },
    {
        "name": "max_candidates",
        "in": "query",
        "required": False,
        "schema": {"type": "integer", "minimum": 1, "default": 5},
        "description": "Matches at most (capped by the server).",
    },
]


def _number(request: Request, name: str, default: float, lo: float, hi: float) -> float:
    raw = request.query_params.get(name)
    if raw is None:
        return float(default)
    try:
        value = float(raw)
    except ValueError:
        value = math.nan
    if not lo <= value <= hi:  # NaN fails too
        raise APIError(
            422, f"invalid request: {name}: must be a number from {lo:g} to {hi:g}"
        )
    return value


@router.get(
    "/{source}/{target}/unit/{text:text}",
    summary="Fuzzy matches for one string",
    description=(
        "The text is the rest of the path, percent-encoded. Returns up to "
        "`max_candidates` matches scoring at least `min_similarity`, best first."
    ),
    openapi_extra={"parameters": UNIT_PARAMETERS},
)
async def unit(request: Request) -> JSONResponse:
    state = _state(request)
    params = request.path_params
    source, target, text = params["source"], params["target"], params["text"]
    if not text:  # amaGama's other spelling: .../unit/?source=<text>
        text = request.query_params.get("source", "")
    min_similarity = _number(request, "min_similarity", 70, 0, 100)
    max_candidates = _number(request, "max_candidates", 5, 1, math.inf)
    if not max_candidates.is_integer():
        raise APIError(422, "invalid request: max_candidates: must be a whole number")
    if not state.languages.holds(source, target):
        return JSONResponse([])
    limit = state.settings.max_query_chars
    if len(text) > limit:
        raise APIError(
            422,
            f"the text is {len(text):,} characters; the limit is {limit:,}",
        )
    if not text.strip():
        return JSONResponse([])
    matches = await state.look_up(
        partial(
            state.service.lookup,
            text,
            # amaGama raises a low cutoff to its floor too (30 there)
            min_score=max(min_similarity, state.settings.min_score_floor),
            limit=min(int(max_candidates), state.settings.max_candidates),
            details=False,  # amaGama answers with the stored English and a score
        )
    )
    found: list[dict[str, Any]] = [
        {
            "source": m.source,
            "target": m.target,
            "quality": m.score,
            "rank": m.similarity,
        }
        for m in matches
    ]
    return JSONResponse(found)
