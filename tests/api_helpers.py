"""A tiny published home for the API and MCP server tests: the retrieval release
(``retrieval_helpers``: three persons, every kind of identifier, a shared landline) plus each
person's timeline (events whose summaries carry the person's email and phone in clear, so only
the policy's last pass can mask them) and proactive signals; keys for three consumers and a
revoked one."""

from __future__ import annotations

import json
import socket
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa

from customer_truth.api.keys import create_key, revoke_key
from customer_truth.publication.publisher import publish_release
from customer_truth.publication.registry import published_table
from customer_truth.settings import Settings
from tests.publication_helpers import PASSED, candidates_of
from tests.retrieval_helpers import (
    RETRIEVAL_TABLES,
    retrieval_candidates,
    retrieval_person,
)

API_TABLES = (
    *RETRIEVAL_TABLES,
    published_table("customer_timeline"),
    published_table("proactive_signals"),
)
EVENTS_PER_PERSON = 5
CHANNELS = ("voice", "email", "voice", "shop", "voice")
_START = datetime(2026, 3, 1, 9, tzinfo=UTC)


def _timeline(people: range) -> pa.Table:
    rows = []
    for n in people:
        p = retrieval_person(n)
        for i in range(EVENTS_PER_PERSON):
            rows.append(
                {
                    "customer_id": p["customer_id"],
                    "event_id": f"ev_{n:02d}_{i:02d}",
                    "occurred_at": _START + timedelta(days=i, hours=n),
                    "source_system": "contact_center",
                    "source_entity": "contact_records",
                    "source_record_id": p["crm_contact_id"],
                    "channel": CHANNELS[i],
                    "event_type": "contact_inbound",
                    "summary": f"Caller {p['email']} asked about {p['order_name']}, "
                    f"call back on {p['phone']}",
                    "journey_id": None,
                }
            )
    return pa.Table.from_pylist(rows)


def _signals(people: range) -> pa.Table:
    rows = []
    for n in people:
        p = retrieval_person(n)
        rows.append(
            {
                "signal_id": f"sig_{n:02d}",
                "customer_id": p["customer_id"],
                "signal_type": "delivery_delayed",
                "detected_at": _START + timedelta(days=3),
                "severity": "high",
                "evidence": json.dumps(
                    {"order_name": p["order_name"], "tracking_code": p["tracking_code"]}
                ),
                "recommended_action": "apologise and offer a new delivery date",
            }
        )
    return pa.Table.from_pylist(rows)


def publish_api_release(
    settings: Settings, publication_id: str, people: range, emails: dict[int, str] | None = None
) -> None:
    tables = dict(retrieval_candidates(people, emails).tables)
    tables["customer_timeline"] = _timeline(people)
    tables["proactive_signals"] = _signals(people)
    publish_release(
        settings,
        publication_id,
        datetime.now(UTC),
        PASSED,
        tables=API_TABLES,
        candidates=candidates_of(tables),
    )


@dataclass(frozen=True)
class Keys:
    support: str
    marketing: str
    analyst: str
    revoked: str


def make_keys(home: Path) -> Keys:
    made = {c: create_key(home, c)[1] for c in ("support_agent_ai", "marketing_ai", "analyst")}
    entry, revoked = create_key(home, "support_agent_ai")
    revoke_key(home, entry.key_id)
    return Keys(made["support_agent_ai"], made["marketing_ai"], made["analyst"], revoked)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class ThreadedServer:
    """A real uvicorn serving ``app`` on a loopback port, in a thread of this process."""

    def __init__(self, app: Callable[..., Any]) -> None:
        import uvicorn

        self.port = free_port()
        config = uvicorn.Config(
            app, host="127.0.0.1", port=self.port, access_log=False, log_level="warning"
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def __enter__(self) -> ThreadedServer:
        self.thread.start()
        deadline = time.monotonic() + 20
        while not self.server.started:
            if time.monotonic() > deadline or not self.thread.is_alive():
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=10)
