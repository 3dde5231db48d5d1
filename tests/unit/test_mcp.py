"""The MCP server as an agent platform uses it: ``customer-truth mcp --key KEY`` started as a
process and driven through the official SDK's ``ClientSession`` over stdio, on a tiny published
home. Every tool is called; the key decides the consumer; nothing identifying is logged."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import pytest
from mcp import ClientSession, StdioServerParameters
from mcp.client.stdio import stdio_client

from customer_truth.api.keys import create_key, revoke_key
from customer_truth.interaction_log import interaction_log_dir
from customer_truth.retrieval.access_log import read_access_log
from customer_truth.settings import REPO_ROOT, Settings
from tests.api_helpers import EVENTS_PER_PERSON, Keys, make_keys, publish_api_release
from tests.retrieval_helpers import LANDLINE, retrieval_person

T = TypeVar("T")
PERSON = retrieval_person(1)
CUSTOMER = PERSON["customer_id"]
TOOLS = {
    "find_customer",
    "get_customer_context",
    "get_customer_timeline",
    "list_proactive_signals",
    "record_interaction",
}


@dataclass(frozen=True)
class Home:
    path: Path
    keys: Keys


@pytest.fixture(scope="module")
def home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Home]:
    root = tmp_path_factory.mktemp("mcp")
    settings = Settings(landing=root / "landing", home=root / "home")
    publish_api_release(settings, "pub-1", range(1, 4))
    yield Home(settings.home, make_keys(settings.home))


def _params(home: Path, key: str) -> StdioServerParameters:
    env = {**os.environ, "CUSTOMER_TRUTH_HOME": str(home)}
    return StdioServerParameters(
        command=sys.executable,
        args=["-m", "customer_truth.cli", "mcp", "--key", key],
        env=env,
        cwd=str(REPO_ROOT),
    )


def _with_session(
    home: Path, key: str, work: Callable[[ClientSession], Awaitable[T]], errlog: Any = None
) -> T:
    async def run() -> T:
        log = errlog if errlog is not None else sys.stderr
        async with stdio_client(_params(home, key), errlog=log) as (read, write):
            async with ClientSession(read, write) as session:
                await session.initialize()
                return await work(session)

    return asyncio.run(run())


def _structured(result: Any) -> dict[str, Any]:
    assert not result.is_error, result.content
    return result.structured_content


def test_the_tools_have_typed_schemas_and_descriptions_of_fields_and_guardrails(
    support_session: dict[str, Any],
) -> None:
    by_name = {t.name: t for t in support_session["tools"].tools}
    assert set(by_name) == TOOLS
    identifier = by_name["find_customer"].input_schema["properties"]["identifier"]
    assert identifier["type"] == "string" and identifier["maxLength"] == 256
    assert "phone" in identifier["description"]
    assert "never pick one" in by_name["find_customer"].description
    context = by_name["get_customer_context"]
    assert context.input_schema["required"] == ["customer_id"]
    assert "pattern" in context.input_schema["properties"]["customer_id"]
    assert "guardrails" in context.description and "do not take an action" in context.description
    timeline = by_name["get_customer_timeline"].input_schema["properties"]
    assert {"since", "until", "channel", "limit", "cursor"} <= set(timeline)
    assert timeline["limit"]["maximum"] == 200
    record = by_name["record_interaction"].input_schema
    assert set(record["required"]) == {"customer_id", "action"}
    assert "redacted" in record["properties"]["summary"]["description"]


@pytest.fixture(scope="module")
def support_session(home: Home) -> dict[str, Any]:
    """One stdio session of the support agent's key: the tool list and a call of every tool
    (a session costs a process start, so the two tests below share it)."""

    async def work(session: ClientSession) -> dict[str, Any]:
        call = session.call_tool
        return {
            "tools": await session.list_tools(),
            "found": _structured(await call("find_customer", {"identifier": PERSON["email"]})),
            "shared": _structured(await call("find_customer", {"identifier": LANDLINE})),
            "context": _structured(await call("get_customer_context", {"customer_id": CUSTOMER})),
            "page": _structured(
                await call("get_customer_timeline", {"customer_id": CUSTOMER, "limit": 2})
            ),
            "voice": _structured(
                await call("get_customer_timeline", {"customer_id": CUSTOMER, "channel": "voice"})
            ),
            "signals": _structured(await call("list_proactive_signals", {"customer_id": CUSTOMER})),
            "recorded": _structured(
                await call(
                    "record_interaction",
                    {
                        "customer_id": CUSTOMER,
                        "action": "explained_delay",
                        "guardrails_consulted": ["do_not_call"],
                        "summary": f"Explained the delay; they want mail at {PERSON['email']}.",
                    },
                )
            ),
            "unknown": await call("get_customer_context", {"customer_id": "ct_ffffffffffffffff"}),
            "bad": await call("find_customer", {"identifier": "x" * 300}),
        }

    return _with_session(home.path, home.keys.support, work)


def test_every_tool_answers_under_the_keys_consumer(
    home: Home, support_session: dict[str, Any]
) -> None:
    got = support_session
    assert got["found"]["status"] == "found" and got["found"]["customer_id"] == CUSTOMER
    assert got["shared"]["status"] == "ambiguous" and len(got["shared"]["candidates"]) == 2
    assert got["context"]["profile"]["email"] == PERSON["email"]  # support sees it in clear
    assert got["context"]["publication_id"] == "pub-1"
    assert "Guardrails:" in got["context"]["context_text"]
    assert len(got["page"]["events"]) == 2 and got["page"]["next_cursor"]
    assert {e["channel"] for e in got["voice"]["events"]} == {"voice"}
    assert len(got["voice"]["events"]) < EVENTS_PER_PERSON
    assert got["signals"]["signals"][0]["signal_type"] == "delivery_delayed"
    recorded = got["recorded"]["recorded"]
    assert recorded["consumer"] == "support_agent_ai" and "[EMAIL]" in recorded["summary"]
    logged = "".join(p.read_text() for p in interaction_log_dir(home.path).glob("*.jsonl"))
    assert recorded["interaction_id"] in logged and PERSON["email"] not in logged
    assert got["unknown"].is_error and got["bad"].is_error
    assert "x" * 300 not in json.dumps([c.model_dump() for c in got["bad"].content])
    reads = read_access_log(home.path)
    assert any(e["consumer"] == "support_agent_ai" and e.get("table") == "customer_timeline"
               for e in reads)  # fmt: skip


def test_a_restricted_consumer_gets_no_clear_identifier_and_no_ungranted_table(
    home: Home,
) -> None:
    async def work(session: ClientSession) -> list[Any]:
        return [
            await session.call_tool("find_customer", {"identifier": PERSON["phone"]}),
            await session.call_tool("find_customer", {"identifier": LANDLINE}),
            await session.call_tool("get_customer_context", {"customer_id": CUSTOMER}),
            await session.call_tool("get_customer_timeline", {"customer_id": CUSTOMER}),
            await session.call_tool("list_proactive_signals", {"customer_id": CUSTOMER}),
        ]

    secrets = [v for k, v in PERSON.items() if k != "customer_id"] + [LANDLINE]
    for key, consumer in ((home.keys.marketing, "marketing_ai"), (home.keys.analyst, "analyst")):
        results = _with_session(home.path, key, work)
        for result in results:
            text = json.dumps(result.model_dump(), default=str).lower()
            assert not [s for s in secrets if s.lower() in text], consumer
        timeline = results[3]
        if consumer == "marketing_ai":  # its policy grants no timeline
            assert timeline.is_error and "does not grant" in timeline.content[0].text
        else:
            assert not timeline.is_error and timeline.structured_content["events"]


def test_a_wrong_or_revoked_key_is_refused_and_logs_hold_no_key_or_identifier(
    home: Home,
) -> None:
    with tempfile.TemporaryFile("w+") as errlog:
        # a key revoked during a session stops working at the next call
        entry, key = create_key(home.path, "support_agent_ai")

        async def work(session: ClientSession) -> tuple[Any, Any]:
            first = await session.call_tool("find_customer", {"identifier": PERSON["email"]})
            revoke_key(home.path, entry.key_id)
            second = await session.call_tool("find_customer", {"identifier": PERSON["email"]})
            return first, second

        first, second = _with_session(home.path, key, work, errlog=errlog)
        errlog.seek(0)
        logged = errlog.read()
    assert not first.is_error
    assert second.is_error and "unauthorized" in second.content[0].text
    for secret in (key, PERSON["email"], home.keys.support):
        assert secret not in logged
    # a wrong key: the server refuses to start a session at all
    import subprocess

    refused = subprocess.run(
        [sys.executable, "-m", "customer_truth.cli", "mcp", "--key", "ctk_wrong"],
        env={**os.environ, "CUSTOMER_TRUTH_HOME": str(home.path)},
        cwd=REPO_ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        stdin=subprocess.DEVNULL,
    )
    assert refused.returncode == 2 and "unauthorized" in refused.stderr
    assert "ctk_wrong" not in refused.stderr + refused.stdout


def test_over_streamable_http_each_request_brings_its_key_and_reads_under_its_consumer(
    home: Home,
) -> None:
    """``customer-truth mcp --http``: the SDK's bearer middleware verifies every request's key
    (``KeyVerifier``); the tools read under that key's consumer."""
    import httpx
    from mcp.client.streamable_http import streamable_http_client
    from mcp.shared._httpx_utils import create_mcp_http_client

    from customer_truth.api.mcp_server import build_server
    from tests.api_helpers import ThreadedServer

    app = build_server(home.path, None).streamable_http_app(host="127.0.0.1")

    async def context_as(url: str, key: str) -> Any:
        client = create_mcp_http_client(headers={"Authorization": f"Bearer {key}"})
        async with client, streamable_http_client(url, http_client=client) as streams:
            async with ClientSession(streams[0], streams[1]) as session:
                await session.initialize()
                return await session.call_tool("get_customer_context", {"customer_id": CUSTOMER})

    with ThreadedServer(app) as server:
        url = f"{server.url}/mcp"
        support = asyncio.run(context_as(url, home.keys.support))
        analyst = asyncio.run(context_as(url, home.keys.analyst))
        for key in (None, "ctk_wrong", home.keys.revoked):
            headers = {"Authorization": f"Bearer {key}"} if key else {}
            refused = httpx.post(url, json={}, headers=headers, timeout=10)
            assert refused.status_code == 401, key
    assert support.structured_content["profile"]["email"] == PERSON["email"]
    analyst_text = json.dumps(analyst.structured_content).lower()
    assert "email" in analyst.structured_content["profile"]
    assert PERSON["email"] not in analyst_text and PERSON["phone"] not in analyst_text
