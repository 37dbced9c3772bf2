"""The native JSON API under ``/api/v1``: look-up in batches, concordance, terms,
statistics, and writes.

Results have the shapes ``tm … --json`` prints (``tm.service`` renders both). Writes
need ``Authorization: Bearer <TM_SERVER_TOKEN>`` (compared in constant time) and are
refused by a ``--read-only`` server; a write is one transaction, so a refused or
malformed request leaves the TM as it was.
"""

from __future__ import annotations

import asyncio
import hmac
import re
from functools import partial
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Depends, Header, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel, Field, ValidationError
from starlette.concurrency import run_in_threadpool

from tm.models import Occurrence, SegType, TranslationUnit
from tm.server.errors import APIError
from tm.server.responses import FastJSONResponse
from tm.server.state import WorkerState
from tm.service import (
    IMPORT_BYTES_FORMATS,
    concordance_dict,
    import_report_dict,
    match_dict,
    term_hit_dict,
)

router = APIRouter(prefix="/api/v1")

# Queries of a batch looked up between two turns of the event loop (about 40 ms of
# CPU at a million units): a long batch does not hold up /healthz or a short request.
BATCH_STEP = 32

# Content types a unit upload may have, and the format each is read as.
UPLOAD_TYPES = {
    "application/x-tmx+xml": "tmx",
    "application/tmx+xml": "tmx",
    "text/tab-separated-values": "tsv",
    "application/xliff+xml": "xliff",
    "application/x-xliff+xml": "xliff",
}


def _state(request: Request) -> WorkerState:
    state: WorkerState = request.app.state.tm
    return state


def _check_text(state: WorkerState, text: str, what: str) -> None:
    limit = state.settings.max_query_chars
    if len(text) > limit:
        raise APIError(
            422, f"{what} is {len(text):,} characters; the limit is {limit:,}"
        )
    # JSON's "\ud800" escape gives a lone surrogate, which no answer can hold (and
    # no TM should store): it failed as an internal error once written out.
    lone = _SURROGATE.search(text)
    if lone is not None:
        raise APIError(
            422,
            f"{what} holds a lone UTF-16 surrogate (U+{ord(lone.group()):04X})"
            f" at character {lone.start():,}",
            hint="send the character itself, or both halves of its surrogate pair",
        )


_SURROGATE = re.compile("[\ud800-\udfff]")


def _check_pair(state: WorkerState, source: str | None, target: str | None) -> None:
    """404 unless the TM holds units from ``source``'s language into ``target``'s."""
    if source is None and target is None:
        return
    pairs = state.languages.pairs
    if not state.languages.holds(source, target):
        held = ", ".join(f"{s} → {t}" for s, t in pairs) or "none"
        raise APIError(
            404,
            f"this TM has no {source or '*'} → {target or '*'} units",
            hint=f"its language pairs: {held}",
        )


# -- look-up -----------------------------------------------------------------------


class LookupQuery(BaseModel):
    """One segment to look up, with its neighbours in the document."""

    text: str = Field(description="The segment to translate.")
    prev: str | None = Field(
        None,
        description="The previous segment: an exact match that occurred after it is a context (101) match.",
    )
    next: str | None = Field(
        None,
        description="The next segment: with `prev`, a context match must have occurred between both.",
    )


class LookupRequest(BaseModel):
    queries: list[LookupQuery] = Field(min_length=1)
    min_score: float = Field(70, ge=0, le=100, description="The lowest score offered.")
    limit: int = Field(5, ge=1, le=50, description="Matches per query, at most.")
    side: Literal["source", "target"] = Field(
        "source", description="`source`: Chinese queries; `target`: English ones."
    )
    source_lang: str | None = Field(
        None,
        description="The queries' language (`zh-CN`, `zh`); 404 when the TM has none.",
    )
    target_lang: str | None = Field(
        None,
        description="The language wanted (`en-US`, `en`); 404 when the TM has none.",
    )
    details: bool = Field(
        True,
        description=(
            "`false`: each match without its repaired English, diff and penalty "
            "wording (those fields empty; the same matches, scores and order), for "
            "clients that show source, target and score: about half the CPU."
        ),
    )


LOOKUP_EXAMPLE = {
    "results": [
        {
            "text": "按照国家统一部署",
            "matches": [
                {
                    "score": 100.0,
                    "kind": "exact",
                    "source": "按照国家统一部署",
                    "target": "In accordance with the unified national arrangements",
                    "id": 17,
                    "penalties": [],
                    "diff": [],
                    "similarity": 100.0,
                    "origin": "factor-reform-2025.zh-en.txt",
                    "position": 3,
                }
            ],
        }
    ]
}


@router.post(
    "/lookup",
    tags=["look-up"],
    summary="Fuzzy matches for a batch of segments",
    description=(
        "One result per query, in order; each `matches` list is what "
        "`tm lookup --json` prints for that segment."
    ),
    responses={200: {"content": {"application/json": {"example": LOOKUP_EXAMPLE}}}},
)
async def lookup(request: Request, body: LookupRequest) -> FastJSONResponse:
    state = _state(request)
    if len(body.queries) > state.settings.max_batch:
        raise APIError(
            422,
            f"{len(body.queries):,} queries in one request; the limit is"
            f" {state.settings.max_batch:,}",
        )
    _check_pair(state, body.source_lang, body.target_lang)
    floor = state.settings.min_score_floor
    if body.min_score < floor:
        raise APIError(
            422,
            f"min_score {body.min_score:g} is under this server's floor of {floor:g}",
            hint="below it a look-up scores much of the TM; tm serve --min-score-floor sets it",
        )
    for i, q in enumerate(body.queries):
        for what, text in (("text", q.text), ("prev", q.prev), ("next", q.next)):
            if text is not None:
                _check_text(state, text, f"query {i} {what}")
    asked = [q for q in body.queries if q.text.strip()]
    found = []
    for at in range(0, len(asked), BATCH_STEP):
        step = asked[at : at + BATCH_STEP]
        look_up = partial(
            state.service.lookup_many,
            [q.text for q in step],
            prevs=[q.prev for q in step],
            followings=[q.next for q in step],
            min_score=body.min_score,
            limit=body.limit,
            side=body.side,
            details=body.details,
        )
        # On the event loop (see WorkerState.look_up): a worker busy with a batch
        # then leaves new connections to idle workers; a step at a time, so that
        # other requests are answered in between. The English-side index is built
        # on its first use: that waits in a thread.
        found += await state.look_up(look_up, in_thread=body.side != "source")
        await asyncio.sleep(0)
    shown = iter(found)
    results = [
        {
            "text": q.text,
            "matches": [match_dict(m) for m in next(shown)] if q.text.strip() else [],
        }
        for q in body.queries
    ]
    return FastJSONResponse({"results": results})


@router.get(
    "/concordance",
    tags=["look-up"],
    summary="Units containing a text",
    description="What `tm concordance --json` prints: most recurrent rendering first.",
)
def concordance(
    request: Request,
    q: Annotated[str, Query(min_length=1, description="The text to find.")],
    side: Literal["source", "target", "both"] = "source",
    limit: Annotated[int, Query(ge=1, le=200)] = 20,
) -> JSONResponse:
    state = _state(request)
    _check_text(state, q, "q")
    hits = state.service.concordance(q, side=side, limit=limit)
    return JSONResponse({"hits": [concordance_dict(h) for h in hits]})


class TermsRequest(BaseModel):
    text: str = Field(description="The segment to find glossary terms in.")
    lang: Literal["zh", "en"] | None = Field(
        None,
        description="`zh`: the Chinese terms; `en`: English renderings (forbidden ones too); default by the text.",
    )
    statuses: list[Literal["approved", "proposed", "deprecated"]] | None = None


@router.post(
    "/terms/find",
    tags=["terms"],
    summary="Glossary terms in a segment",
    description="What `tm terms find --json` prints: longest match first, with offsets.",
)
def find_terms(request: Request, body: TermsRequest) -> JSONResponse:
    state = _state(request)
    _check_text(state, body.text, "text")
    hits = state.service.terms.find(body.text, lang=body.lang, statuses=body.statuses)
    return JSONResponse({"terms": [term_hit_dict(h) for h in hits]})


@router.get(
    "/stats",
    tags=["TM"],
    summary="What the TM holds",
    description=(
        "`tm stats --json` (recomputed when data changed, at most every 10 s: they"
        " count every unit), plus this worker's state."
    ),
)
def stats(request: Request) -> JSONResponse:
    state = _state(request)
    data: dict[str, Any] = dict(state.stats())
    data["server"] = {
        "read_only": state.settings.read_only,
        "writes": state.settings.token is not None and not state.settings.read_only,
        "index_refreshed_seconds_ago": round(state.stale_seconds(), 1),
        "stats_seconds_old": round(state.stats_age(), 1),
    }
    return JSONResponse(data)


# -- writes ------------------------------------------------------------------------


def require_writer(
    request: Request,
    authorization: Annotated[str | None, Header()] = None,
) -> WorkerState:
    """The worker state, when this request may write; else 403 or 401."""
    state = _state(request)
    settings = state.settings
    if settings.read_only:
        raise APIError(
            403, "this server is read-only", hint="tm serve without --read-only"
        )
    if settings.token is None:
        raise APIError(
            403,
            "writes are off: the server was started without a token",
            hint="set TM_SERVER_TOKEN in the server's environment",
        )
    scheme, _, given = (authorization or "").partition(" ")
    if scheme.lower() != "bearer" or not hmac.compare_digest(
        given.strip().encode(), settings.token.encode()
    ):
        raise APIError(
            401,
            "writing needs a valid bearer token",
            hint="send Authorization: Bearer <TM_SERVER_TOKEN>",
            headers={"WWW-Authenticate": 'Bearer realm="tm"'},
        )
    return state


Writer = Annotated[WorkerState, Depends(require_writer)]


class UnitIn(BaseModel):
    """A translation unit to add."""

    source: str = Field(min_length=1)
    target: str = Field(min_length=1)
    source_lang: str = "zh-CN"
    target_lang: str = "en-US"
    segtype: Literal["sentence", "paragraph", "phrase", "block"] = "sentence"
    document: str | None = Field(
        None, description="Where it occurs; with `position`, `prev` and `next`."
    )
    position: int = Field(0, ge=0)
    prev: str | None = None
    next: str | None = None
    note: str | None = None


class UnitsIn(BaseModel):
    units: list[UnitIn] = Field(min_length=1)
    user: str | None = Field(
        None, description="Who added them (default: the server's user)."
    )


UNITS_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {"schema": UnitsIn.model_json_schema()},
            "application/x-tmx+xml": {"schema": {"type": "string"}},
            "text/tab-separated-values": {"schema": {"type": "string"}},
            "application/xliff+xml": {"schema": {"type": "string"}},
        },
    }
}


@router.post(
    "/units",
    tags=["writes"],
    summary="Add units: JSON, or a TMX, TSV or XLIFF file",
    description=(
        "One transaction: a malformed body adds nothing. A file is imported as "
        "`tm import` imports it (paragraphs aligned into sentences); `document` "
        "names it. Needs the bearer token."
    ),
    openapi_extra=UNITS_BODY,
)
async def add_units(
    request: Request,
    state: Writer,
    document: Annotated[str, Query(max_length=200)] = "api-upload",
    fmt: Annotated[str | None, Query(alias="format")] = None,
    user: Annotated[str | None, Query(max_length=200)] = None,
) -> JSONResponse:
    body = await request.body()
    kind = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if fmt is None and kind in ("application/json", ""):
        units, who = _json_units(state, body)
        report = await run_in_threadpool(
            state.service.import_units, units, name=document, user=who or user
        )
    else:
        chosen = fmt or UPLOAD_TYPES.get(kind)
        if chosen not in IMPORT_BYTES_FORMATS:
            raise APIError(
                415,
                f"cannot import a {kind or 'typeless'} body",
                hint="send JSON, or a file as " + ", ".join(sorted(UPLOAD_TYPES)),
            )
        report = await run_in_threadpool(
            state.service.import_bytes, body, fmt=chosen, document=document, user=user
        )
    state.wrote()
    return JSONResponse(import_report_dict(report))


def _json_units(
    state: WorkerState, body: bytes
) -> tuple[list[TranslationUnit], str | None]:
    try:
        parsed = UnitsIn.model_validate_json(body)
    except ValidationError as exc:
        raise RequestValidationError(exc.errors(include_input=False)) from None
    for i, u in enumerate(parsed.units):
        for what, text in (("source", u.source), ("target", u.target)):
            _check_text(state, text, f"unit {i} {what}")
    return [_unit(u) for u in parsed.units], parsed.user


def _unit(u: UnitIn) -> TranslationUnit:
    occurrence = None
    if u.document:
        occurrence = Occurrence(
            document=u.document,
            position=u.position,
            prev_source=u.prev,
            next_source=u.next,
        )
    return TranslationUnit(
        source=u.source,
        target=u.target,
        source_lang=u.source_lang,
        target_lang=u.target_lang,
        segtype=SegType(u.segtype),
        notes=(u.note,) if u.note else (),
        occurrence=occurrence,
    )


class ConfirmIn(BaseModel):
    """A segment a translator confirmed, where it occurs."""

    source: str = Field(min_length=1)
    target: str = Field(min_length=1)
    prev: str | None = Field(None, description="The previous segment of the document.")
    next: str | None = Field(None, description="The next segment of the document.")
    document: str = Field("confirmed", min_length=1, max_length=200)
    position: int = Field(0, ge=0)
    source_lang: str = "zh-CN"
    target_lang: str = "en-US"
    user: str | None = None


@router.post(
    "/confirm",
    tags=["writes"],
    summary="Confirm a segment's translation",
    description=(
        "Stores the pair with its document, position and neighbours, so the same "
        "segment between the same neighbours is a context (101) match; every worker "
        "sees it within about a second. Needs the bearer token."
    ),
)
def confirm(state: Writer, body: ConfirmIn) -> JSONResponse:
    for what, text in (
        ("source", body.source),
        ("target", body.target),
        ("prev", body.prev),
        ("next", body.next),
    ):
        if text is not None:
            _check_text(state, text, what)
    unit = state.service.confirm(
        body.source,
        body.target,
        prev=body.prev,
        following=body.next,
        document=body.document,
        position=body.position,
        source_lang=body.source_lang,
        target_lang=body.target_lang,
        user=body.user,
    )
    state.wrote()
    return JSONResponse(
        {
            "id": unit.id,
            "source": unit.source,
            "target": unit.target,
            "document": body.document,
            "position": body.position,
        }
    )
