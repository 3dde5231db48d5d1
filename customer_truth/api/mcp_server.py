"""``customer-truth mcp``: the customer truth as Model Context Protocol tools (official SDK).

Over stdio (an agent platform starts this process) the key given with ``--key`` (or
``CUSTOMER_TRUTH_API_KEY``) decides the consumer; it is checked again on every call, so a
revoked key stops working within the session. Over streamable HTTP (``--http``, bound to
127.0.0.1) each request carries its own ``Authorization: Bearer <key>``, verified by the SDK's
bearer middleware through ``KeyVerifier``, and the tools read under that key's consumer.

The tools are thin: they call ``reads.Reader`` (the same reads as the HTTP API: one pinned
release per call, ``customer_truth.retrieval``'s policy, masking and access log) and
``interaction_log.record_interaction``. Error messages name the problem, never an identifier:
the SDK logs a tool's error text.
"""

from __future__ import annotations

import sys
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any, TypeVar

from pydantic import Field

from customer_truth.api.keys import KeyRing
from customer_truth.api.reads import Reader, ServedRelease, parse_time
from customer_truth.interaction_log import InteractionError, record_interaction
from customer_truth.privacy.policies import PolicyError
from customer_truth.publication.reader import NoReleaseError, ReleaseExpiredError
from customer_truth.retrieval.customer_tables import MAX_LIMIT, CursorError, TimelineFilter
from customer_truth.retrieval.policy import AccessDenied

T = TypeVar("T")

INSTRUCTIONS = """\
The governed customer truth of a contact center: one resolved customer per person across CRM,
contact center, web, commerce, billing, ticketing and carrier tracking, and what AI agents
already did. Every answer is what your API key's consumer may see (policies/consumers.yml):
fields you are not granted are absent, masked values look like `hmac-sha256:...`, `j***@m***.net`
or `[withheld]`; never try to recover them. Every read is logged with your consumer.
Start with find_customer; an ambiguous identifier gives candidates: ask the caller which one
they are, never guess. Before acting, read the context's `guardrails`: each says whether an
action (refund_order, quote_balance, outbound_call, send_marketing, continue_with_ai) is
allowed and which rule decided it. After acting, call record_interaction so the next agent,
human or AI, sees what was tried."""

CustomerIdArg = Annotated[
    str,
    Field(
        pattern=r"^ct_[0-9a-f]{16}$",
        description="The customer's id (`ct_` + 16 hex), from find_customer.",
    ),
]
AsOfArg = Annotated[
    str | None,
    Field(
        default=None,
        max_length=40,
        description="Read the release current at this ISO time (UTC if naive); default: the "
        "current release. For questions like 'what did we know on March 1st'.",
    ),
]


def _tool_error(message: str) -> Exception:
    from mcp.server.mcpserver.exceptions import ToolError

    return ToolError(message)


def build_server(home: Path, stdio_key: str | None, served: ServedRelease | None = None) -> Any:
    from mcp.server.auth.middleware.auth_context import get_access_token
    from mcp.server.mcpserver import MCPServer

    if served is None:
        served = ServedRelease(home)
        served.start()
    reader = Reader(served)
    ring = KeyRing(home)

    def consumer() -> str:
        """The caller's consumer: the HTTP request's bearer key, else the stdio key."""
        token = get_access_token()
        if token is not None:
            return token.client_id
        entry = ring.authenticate(stdio_key)
        if entry is None:
            raise _tool_error("unauthorized: the API key is unknown or revoked")
        return entry.consumer

    def answer(read: Callable[[], T]) -> T:
        try:
            return read()
        except AccessDenied:
            raise _tool_error("your consumer's policy does not grant this read") from None
        except (NoReleaseError, ReleaseExpiredError) as error:
            raise _tool_error(str(error)) from None
        except (CursorError, InteractionError) as error:
            raise _tool_error(str(error)) from None
        except PolicyError:
            raise _tool_error("your key's consumer has no usable policy") from None
        except ValueError as error:  # parse_time: names the problem, not the value
            raise _tool_error(str(error)) from None

    app = MCPServer(
        name="customer-truth",
        instructions=INSTRUCTIONS,
        token_verifier=KeyVerifier(ring),
        auth=_auth_settings(),
    )

    @app.tool()
    def find_customer(
        identifier: Annotated[
            str,
            Field(
                min_length=1,
                max_length=256,
                description="What the caller gave: an email, a phone in any format, an order "
                "name (#1234), a tracking code, any system's id, or a customer_id.",
            ),
        ],
        as_of: AsOfArg = None,
    ) -> dict[str, Any]:
        """Find the customer an identifier belongs to.

        Returns `status`: `found` (with `customer_id`), `ambiguous` (several customers share
        it, e.g. a household landline: `candidates` lists each, masked; ask the caller which
        one they are, never pick one) or `not_found`. `publication_id` is the release read.
        """
        if any(ord(ch) < 32 or ord(ch) == 127 for ch in identifier):
            raise _tool_error("identifier holds control characters")
        who = consumer()
        return answer(lambda: reader.resolve(who, identifier, parse_time(as_of)))

    @app.tool()
    def get_customer_context(customer_id: CustomerIdArg, as_of: AsOfArg = None) -> dict[str, Any]:
        """The customer's context as your policy allows: `profile` (golden attributes, each
        with the system and record it came from), `context` (identity, consent, open work:
        tickets, unresolved contacts, orders in flight, open invoices; recent interactions,
        including what AI agents already did; active signals; `guardrails`: per action
        ALLOW/DENY with the rule and facts that decided it; per-source freshness) and
        `context_text`, the same as a short brief for a prompt. Guardrails are decisions, not
        advice: do not take an action they deny. `publication_id` is the release read.
        """
        who = consumer()
        response = answer(lambda: reader.context(who, customer_id, parse_time(as_of)))
        if response is None:
            raise _tool_error("no customer with this id in this release")
        customer = response.customer or {}
        return {
            "customer_id": customer_id,
            "publication_id": response.publication_id,
            "published_at": response.published_at,
            "profile": customer.get("profile"),
            "context": customer.get("context"),
            "context_text": customer.get("context_text"),
        }

    @app.tool()
    def get_customer_timeline(
        customer_id: CustomerIdArg,
        since: Annotated[
            str | None, Field(default=None, max_length=40, description="ISO time, inclusive")
        ] = None,
        until: Annotated[
            str | None, Field(default=None, max_length=40, description="ISO time, exclusive")
        ] = None,
        channel: Annotated[
            str | None,
            Field(
                default=None,
                pattern=r"^[a-z_]+$",
                max_length=40,
                description="One swimlane: voice, chat, email, task, web, app, shop, shipping, "
                "billing, ticket, ai_agent.",
            ),
        ] = None,
        limit: Annotated[int, Field(ge=1, le=MAX_LIMIT, description="Events per page")] = 20,
        cursor: Annotated[
            str | None,
            Field(default=None, max_length=400, description="`next_cursor` of the last page"),
        ] = None,
    ) -> dict[str, Any]:
        """The customer's events across every system, newest first: `occurred_at`,
        `source_system`, `channel`, `event_type`, a redacted `summary`, and the issue
        `journey_id` an event belongs to. Paged: pass `next_cursor` back for older events
        (every page comes from the release of the first one). Events from `ai_agent` are what
        earlier agents recorded.
        """
        who = consumer()
        page = TimelineFilter(parse_time(since), parse_time(until), channel, limit)
        rows = answer(lambda: reader.timeline(who, customer_id, page, None, cursor))
        if rows is None:
            raise _tool_error("no customer with this id in this release")
        return {
            "customer_id": customer_id,
            "publication_id": rows.publication_id,
            "events": rows.rows,
            "next_cursor": rows.next_cursor,
        }

    @app.tool()
    def list_proactive_signals(customer_id: CustomerIdArg) -> dict[str, Any]:
        """The customer's active proactive signals: `signal_type` (delivery_delayed,
        payment_failed, repeat_contact, ...), `severity`, `detected_at` (when the condition
        began), `evidence` (the orders, trackers, invoices or contacts it rests on) and
        `recommended_action`. A signal whose condition is resolved is not listed. Raise the
        most severe one with the customer before they have to.
        """
        who = consumer()
        rows = answer(lambda: reader.signals(who, customer_id, None))
        if rows is None:
            raise _tool_error("no customer with this id in this release")
        return {
            "customer_id": customer_id,
            "publication_id": rows.publication_id,
            "signals": rows.rows,
        }

    @app.tool()
    def record_interaction(
        customer_id: CustomerIdArg,
        action: Annotated[
            str,
            Field(
                min_length=1,
                max_length=200,
                description="The action taken or offered, e.g. `offered_refund`, "
                "`escalated_to_human`, `explained_delay`.",
            ),
        ],
        guardrails_consulted: Annotated[
            list[str],
            Field(
                default_factory=list,
                max_length=20,
                description="Ids of the guardrail rules you checked before acting (the "
                "`rule_id` of the context's guardrails, e.g. `refund_window`).",
            ),
        ],
        summary: Annotated[
            str,
            Field(
                max_length=4000,
                description="What happened, in a few sentences. Cards, emails, phones and "
                "addresses are redacted before it is written.",
            ),
        ] = "",
        publication_id: Annotated[
            str | None,
            Field(
                default=None,
                max_length=80,
                description="The release you read (default: the current one).",
            ),
        ] = None,
    ) -> dict[str, Any]:
        """Document what you did for this customer. The entry is appended to the interaction
        log (never changed afterwards) with your consumer; the next pipeline run adds it to the
        customer's timeline and context (source `ai_agent`), so the next agent sees it.
        """
        who = consumer()
        index = answer(lambda: served.pinned)
        if not reader.known_customer(index, customer_id):
            raise _tool_error("no customer with this id in this release")
        record = answer(
            lambda: record_interaction_line(
                home, customer_id, who, action, guardrails_consulted, summary,
                publication_id or index.release.publication_id,
            )
        )  # fmt: skip
        return {"recorded": record}

    return app


def record_interaction_line(
    home: Path,
    customer_id: str,
    consumer: str,
    action: str,
    guardrails: list[str],
    summary: str,
    publication_id: str,
) -> dict[str, Any]:
    return record_interaction(
        home,
        customer_id=customer_id,
        consumer=consumer,
        action=action,
        guardrails_consulted=guardrails,
        publication_id=publication_id,
        summary=summary,
    )


class KeyVerifier:
    """The SDK's TokenVerifier over this home's keys: a bearer key -> its consumer."""

    def __init__(self, ring: KeyRing) -> None:
        self.ring = ring

    async def verify_token(self, token: str) -> Any:
        from mcp.server.auth.provider import AccessToken

        entry = self.ring.authenticate(token)
        if entry is None:
            return None
        # the token field is required by the SDK's model; the hash stands in for the key
        return AccessToken(token=entry.key_sha256, client_id=entry.consumer, scopes=[])


_HTTP_URL = {"url": "http://127.0.0.1:8766/mcp"}


def _auth_settings() -> Any:
    from mcp.server.auth.settings import AuthSettings

    # resource-server only: keys are issued by `customer-truth keys create`, not by OAuth; the
    # URLs are what the SDK advertises in its protected-resource metadata
    from pydantic import AnyHttpUrl

    return AuthSettings(
        issuer_url=AnyHttpUrl(_HTTP_URL["url"]),
        resource_server_url=AnyHttpUrl(_HTTP_URL["url"]),
        validate_token_resource=False,
    )


def run_mcp(home: Path, key: str | None, http: bool, host: str, port: int) -> int:
    if not http:
        if KeyRing(home).authenticate(key) is None:
            print("mcp: unauthorized: the API key is unknown or revoked", file=sys.stderr)
            return 2
        build_server(home, key).run()  # stdio
        return 0
    import uvicorn

    _HTTP_URL["url"] = f"http://{host}:{port}/mcp"
    app = build_server(home, None).streamable_http_app(host=host)
    # access_log off, as for `customer-truth serve`: the project's access log records reads
    uvicorn.run(app, host=host, port=port, access_log=False, log_level="warning")
    return 0
