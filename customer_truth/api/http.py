"""``customer-truth serve``: the HTTP API (FastAPI on uvicorn), one consumer per key.

Every request carries ``Authorization: Bearer <key>``; the key decides the consumer and so the
policy (``keys.py``). No key, a wrong key or a revoked key gets 401 and nothing else. Reads go
through ``reads.Reader`` (one pinned release per request; ``customer_truth.retrieval`` masks and
logs). Bad input is a 4xx that names the problem and never echoes the value: FastAPI's default
422 body repeats the rejected input, which for this API is an identifier, so it is replaced.
uvicorn's own access log is off (its request line holds the query string, that is the
identifier); the project's access log records every read without it.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path
from typing import Annotated, Any

import orjson
from fastapi import Depends, FastAPI, HTTPException, Query, Request
from fastapi import Path as PathParam
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from fastapi.security import HTTPAuthorizationCredentials, HTTPBearer
from pydantic import BaseModel, Field

from customer_truth.api.keys import KeyEntry, KeyRing
from customer_truth.api.reads import Reader, ServedRelease, parse_time
from customer_truth.interaction_log import InteractionError, record_interaction
from customer_truth.privacy.policies import PolicyError
from customer_truth.publication.reader import NoReleaseError, ReleaseExpiredError
from customer_truth.retrieval.customer_tables import MAX_LIMIT, CursorError, TimelineFilter
from customer_truth.retrieval.policy import AccessDenied

MAX_IDENTIFIER = 256
# a customer id is `ct_` + 16 hex (identity/stable_ids.py); anything else is no customer's
CUSTOMER_ID_PATTERN = r"^ct_[0-9a-f]{16}$"
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")

CustomerId = Annotated[
    str, PathParam(pattern=CUSTOMER_ID_PATTERN, description="A customer_id: `ct_` + 16 hex.")
]
AsOf = Annotated[
    str | None,
    Query(
        max_length=40,
        description="Read the release current at this ISO time (UTC if naive), as "
        "`customer-truth context --as-of`. Default: the release being served.",
    ),
]


class Interaction(BaseModel):
    """What an agent did for a customer, appended to the interaction log."""

    action: str = Field(
        min_length=1,
        max_length=200,
        description="The action taken or offered, e.g. `offered_refund`, `escalated_to_human`.",
    )
    guardrails_consulted: list[Annotated[str, Field(max_length=80)]] = Field(
        default_factory=list,
        max_length=20,
        description="Rule ids of policies/guardrails.yml the agent checked (e.g. "
        "`refund_window`); an unknown id is refused.",
    )
    publication_id: str | None = Field(
        default=None,
        max_length=80,
        description="The release the agent read; default: the release being served.",
    )
    summary: str = Field(
        default="",
        max_length=4000,
        description="What happened, in a few sentences; redacted (cards, emails, phones, "
        "addresses) before it is written.",
    )


_bearer = HTTPBearer(auto_error=False)


async def consumer_of(
    request: Request,
    credentials: Annotated[HTTPAuthorizationCredentials | None, Depends(_bearer)],
) -> str:
    """The consumer of the request's key. Every route depends on it, and FastAPI runs
    dependencies before it validates parameters: a caller without a valid key learns nothing,
    not even whether its input was well-formed. On the event loop (a hash and a dict probe):
    a sync dependency would cost every request a hop to a worker thread."""
    ring: KeyRing = request.app.state.keys
    entry: KeyEntry | None = ring.authenticate(
        credentials.credentials if credentials is not None else None
    )
    if entry is None:
        raise HTTPException(401, "unauthorized", headers={"WWW-Authenticate": "Bearer"})
    return entry.consumer


# module level: the routes' annotations are read from this module's namespace
Consumer = Annotated[str, Depends(consumer_of)]


def _json(payload: dict[str, Any], status: int = 200) -> Response:
    """The answer as JSON, serialised once, by orjson: FastAPI's encoder walks a returned dict
    value by value first, and it and ``json`` cost more than the read itself for a context of a
    few kilobytes."""
    body = orjson.dumps(payload, default=str, option=orjson.OPT_NON_STR_KEYS)
    return Response(body, status_code=status, media_type="application/json")


def _checked_text(value: str, name: str) -> str:
    if _CONTROL.search(value):
        raise HTTPException(422, f"{name} holds control characters")
    return value


def create_app(home: Path, served: ServedRelease | None = None) -> FastAPI:
    """The app over ``home``; ``served`` is started here unless given (tests share one)."""
    if served is None:
        served = ServedRelease(home)
        served.start()
    reader = Reader(served)
    app = FastAPI(
        title="Customer Truth",
        version="1",
        description="The governed customer truth for AI agents: every read under the policy of "
        "the consumer your API key belongs to (policies/consumers.yml), from one release.",
    )
    app.state.served = served
    app.state.keys = KeyRing(home)

    @app.exception_handler(RequestValidationError)
    async def _invalid(request: Request, error: RequestValidationError) -> JSONResponse:
        # field and reason only: the rejected value is the caller's identifier
        problems = [
            {"loc": [str(p) for p in e.get("loc", ())], "msg": e.get("msg", "invalid")}
            for e in error.errors()
        ]
        return JSONResponse({"detail": problems}, status_code=422)

    def answer(read: Callable[[], Any]) -> Any:
        """The read's result, or the 4xx that says why not (never the identifier)."""
        try:
            return read()
        except AccessDenied:
            raise HTTPException(403, "your consumer's policy does not grant this read") from None
        except ReleaseExpiredError as error:
            raise HTTPException(410, str(error)) from None
        except NoReleaseError as error:
            raise HTTPException(404, str(error)) from None
        except (CursorError, InteractionError) as error:
            raise HTTPException(422, str(error)) from None
        except PolicyError:
            raise HTTPException(403, "your key's consumer has no usable policy") from None

    def when(as_of: str | None) -> datetime | None:
        try:
            return parse_time(_checked_text(as_of, "as_of") if as_of else None)
        except ValueError as error:
            raise HTTPException(422, f"as_of: {error}") from None

    @app.get("/v1/resolve", summary="Any identifier -> the customer id, or the candidates")
    def resolve(
        consumer: Consumer,
        identifier: Annotated[
            str,
            Query(
                min_length=1,
                max_length=MAX_IDENTIFIER,
                description="An email, a phone in any format, an order name, a tracking code, "
                "any system's id or a customer_id.",
            ),
        ],
        as_of: AsOf = None,
    ) -> Response:
        _checked_text(identifier, "identifier")
        at = when(as_of)
        found = answer(lambda: reader.resolve(consumer, identifier, at))
        if found["status"] == "not_found":
            raise HTTPException(404, "no customer has this identifier in this release")
        return _json(found)

    @app.get("/v1/customers/{customer_id}/context", summary="The customer's context and brief")
    def context(consumer: Consumer, customer_id: CustomerId, as_of: AsOf = None) -> Response:
        at = when(as_of)
        response = answer(lambda: reader.context(consumer, customer_id, at))
        if response is None:
            raise HTTPException(404, "no customer with this id in this release")
        customer = response.customer or {}
        return _json(
            {
                "customer_id": customer_id,
                "consumer": response.consumer,
                "publication_id": response.publication_id,
                "published_at": response.published_at,
                "profile": customer.get("profile"),
                "context": customer.get("context"),
                "context_text": customer.get("context_text"),
            }
        )

    @app.get("/v1/customers/{customer_id}/timeline", summary="The customer's timeline, paged")
    def timeline(
        consumer: Consumer,
        customer_id: CustomerId,
        since: Annotated[
            str | None, Query(max_length=40, description="ISO time, inclusive")
        ] = None,
        until: Annotated[
            str | None, Query(max_length=40, description="ISO time, exclusive")
        ] = None,
        channel: Annotated[
            str | None, Query(max_length=40, pattern=r"^[a-z_]+$", description="e.g. voice, web")
        ] = None,
        limit: Annotated[int, Query(ge=1, le=MAX_LIMIT)] = 50,
        cursor: Annotated[
            str | None,
            Query(max_length=400, description="next_cursor of the previous page (same release)"),
        ] = None,
        as_of: AsOf = None,
    ) -> Response:
        page = TimelineFilter(when(since), when(until), channel, limit)
        at = when(as_of)
        rows = answer(lambda: reader.timeline(consumer, customer_id, page, at, cursor))
        if rows is None:
            raise HTTPException(404, "no customer with this id in this release")
        return _json(
            {
                "customer_id": customer_id,
                "publication_id": rows.publication_id,
                "published_at": rows.published_at,
                "events": rows.rows,
                "next_cursor": rows.next_cursor,
            }
        )

    @app.get("/v1/customers/{customer_id}/signals", summary="The customer's active signals")
    def signals(consumer: Consumer, customer_id: CustomerId, as_of: AsOf = None) -> Response:
        at = when(as_of)
        rows = answer(lambda: reader.signals(consumer, customer_id, at))
        if rows is None:
            raise HTTPException(404, "no customer with this id in this release")
        return _json(
            {
                "customer_id": customer_id,
                "publication_id": rows.publication_id,
                "published_at": rows.published_at,
                "signals": rows.rows,
            }
        )

    @app.get("/v1/releases", summary="The releases: id, time, status, row counts")
    def releases(consumer: Consumer) -> Response:
        return _json({"releases": answer(lambda: reader.releases(consumer))})

    @app.post(
        "/v1/customers/{customer_id}/interactions",
        status_code=201,
        summary="Record what the agent did (append-only; the next run adds it to the timeline)",
    )
    def interactions(
        consumer: Consumer, customer_id: CustomerId, interaction: Interaction
    ) -> Response:
        _checked_text(interaction.action, "action")
        index = answer(lambda: served.pinned)
        if not reader.known_customer(index, customer_id):
            raise HTTPException(404, "no customer with this id in this release")
        record = answer(
            lambda: record_interaction(
                home,
                customer_id=customer_id,
                consumer=consumer,
                action=interaction.action,
                guardrails_consulted=interaction.guardrails_consulted,
                publication_id=interaction.publication_id or index.release.publication_id,
                summary=interaction.summary,
            )
        )
        return _json({"recorded": record}, status=201)

    return app


def app_from_environment() -> FastAPI:
    """The app over ``$CUSTOMER_TRUTH_HOME``: what each uvicorn worker process builds."""
    from customer_truth.settings import load_settings

    return create_app(load_settings().home)


def serve(home: Path, host: str, port: int, workers: int = 1) -> None:
    import uvicorn

    # access_log off: its lines carry the query string (an identifier); the project's access
    # log records every read instead
    options: dict[str, Any] = {"access_log": False, "log_level": "warning"}
    if workers == 1:
        uvicorn.run(create_app(home), host=host, port=port, **options)
        return
    # several processes (the GIL lets one use one core): each pins and switches releases on
    # its own, so each request still reads one release; each holds its own warmed index
    uvicorn.run(
        "customer_truth.api.http:app_from_environment",
        factory=True,
        workers=workers,
        host=host,
        port=port,
        **options,
    )
