"""The HTTP API as a client uses it: a real uvicorn on a loopback port, called with httpx, over a
tiny published home. Keys decide the consumer; policies decide what it sees; bad input is a
clear 4xx; nothing identifying reaches a log; a new release is served without a restart."""

from __future__ import annotations

import json
import logging
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from customer_truth import cli
from customer_truth.api.http import create_app
from customer_truth.api.keys import keys_dir, list_keys
from customer_truth.api.reads import ServedRelease
from customer_truth.interaction_log import interaction_log_dir
from customer_truth.retrieval import lookup
from customer_truth.retrieval.access_log import access_log_dir, read_access_log
from customer_truth.retrieval.index import clear_cache, open_analytics_index
from customer_truth.settings import Settings
from tests.api_helpers import (
    EVENTS_PER_PERSON,
    Keys,
    ThreadedServer,
    make_keys,
    publish_api_release,
)
from tests.retrieval_helpers import LANDLINE, retrieval_person

RESTRICTED = ("marketing_ai", "analyst")
PERSON = retrieval_person(1)
CUSTOMER = PERSON["customer_id"]


@dataclass(frozen=True)
class Api:
    url: str
    home: Path
    settings: Settings
    keys: Keys
    served: ServedRelease

    def get(self, path: str, key: str | None, **params: str | int) -> httpx.Response:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.get(self.url + path, params=params or None, headers=headers, timeout=10)

    def key_of(self, consumer: str) -> str:
        return {
            "support_agent_ai": self.keys.support,
            "marketing_ai": self.keys.marketing,
            "analyst": self.keys.analyst,
        }[consumer]


@contextmanager
def _serving(root: Path) -> Iterator[Api]:
    """A home with release pub-1, its keys, and the HTTP API serving it on loopback."""
    clear_cache()
    settings = Settings(landing=root / "landing", home=root / "home")
    publish_api_release(settings, "pub-1", range(1, 4))
    keys = make_keys(settings.home)
    served = ServedRelease(settings.home, poll_seconds=0.2)
    served.start()
    with ThreadedServer(create_app(settings.home, served)) as server:
        yield Api(server.url, settings.home, settings, keys, served)
    served.stop()


@pytest.fixture(scope="module")
def api(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Api]:
    """Shared by the module's tests, which read it and never publish into it."""
    with _serving(tmp_path_factory.mktemp("api")) as serving:
        yield serving


@pytest.fixture
def own_api(tmp_path: Path) -> Iterator[Api]:
    """A server and home of the test's own, for a test that publishes a release."""
    with _serving(tmp_path) as serving:
        yield serving


def _secrets(n: int) -> list[str]:
    person = retrieval_person(n)
    return [v for k, v in person.items() if k != "customer_id"] + [LANDLINE]


def _clear_in(response: httpx.Response, values: list[str]) -> list[str]:
    text = response.text.lower()
    return [v for v in values if v.lower() in text]


def _read_paths() -> list[str]:
    base = f"/v1/customers/{CUSTOMER}"
    return [
        f"/v1/resolve?identifier={PERSON['crm_contact_id']}",
        f"{base}/context",
        f"{base}/timeline",
        f"{base}/signals",
        "/v1/releases",
    ]


def test_no_key_a_wrong_key_or_a_revoked_key_gets_401_and_nothing_else(api: Api) -> None:
    for path in _read_paths():
        for key in (None, "ctk_not-a-key", api.keys.revoked, api.keys.support + "x"):
            response = api.get(path, key)
            assert response.status_code == 401, (path, key)
            assert response.json() == {"detail": "unauthorized"}
    posted = httpx.post(
        f"{api.url}/v1/customers/{CUSTOMER}/interactions", json={"action": "x"}, timeout=10
    )
    assert posted.status_code == 401
    # without a key, bad input is not even looked at
    assert api.get("/v1/resolve", None, identifier="x" * 300).status_code == 401
    assert api.get("/v1/customers/not-an-id/context", "ctk_wrong").status_code == 401
    # the control: the same reads with a valid key succeed
    assert all(api.get(p, api.keys.support).status_code == 200 for p in _read_paths())


def test_resolve_gives_the_customer_id_the_candidates_of_a_shared_identifier_or_404(
    api: Api,
) -> None:
    found = api.get("/v1/resolve", api.keys.support, identifier=PERSON["email"].upper())
    assert found.status_code == 200
    assert found.json()["status"] == "found" and found.json()["customer_id"] == CUSTOMER
    assert found.json()["publication_id"] == "pub-1"
    assert "context" not in found.json()  # resolve answers who, the context is its own read
    shared = api.get("/v1/resolve", api.keys.support, identifier="(212) 736-9999")
    assert shared.json()["status"] == "ambiguous"
    assert sorted(c["customer_id"] for c in shared.json()["candidates"]) == [
        retrieval_person(1)["customer_id"],
        retrieval_person(2)["customer_id"],
    ]
    missing = api.get("/v1/resolve", api.keys.support, identifier="nobody@example.org")
    assert missing.status_code == 404


def test_every_response_to_a_restricted_consumer_holds_no_clear_identifier(api: Api) -> None:
    base = f"/v1/customers/{CUSTOMER}"
    for consumer in RESTRICTED:
        key = api.key_of(consumer)
        responses = [
            api.get("/v1/resolve", key, identifier=PERSON["phone"]),
            api.get("/v1/resolve", key, identifier=LANDLINE),  # candidates
            api.get(f"{base}/context", key),
            api.get(f"{base}/timeline", key),
            api.get(f"{base}/signals", key),
        ]
        for response in responses:
            assert response.status_code in (200, 403), (consumer, response.url)
            assert not _clear_in(response, _secrets(1) + _secrets(2)), (consumer, response.url)
        assert sum(r.status_code == 200 for r in responses) >= 4
    # the control: the same scan finds them in what the support agent may read
    support = api.get(f"{base}/timeline", api.keys.support)
    assert PERSON["email"] in support.text and PERSON["phone"] in support.text


def test_consumer_a_cannot_read_what_only_consumer_b_may(api: Api) -> None:
    base = f"/v1/customers/{CUSTOMER}"
    # marketing_ai's policy grants no timeline; the support agent's does
    denied = api.get(f"{base}/timeline", api.keys.marketing)
    assert denied.status_code == 403
    assert "events" not in denied.text and PERSON["email"] not in denied.text
    assert api.get(f"{base}/timeline", api.keys.support).status_code == 200
    # the address line is the support agent's only; the evidence is dropped for the analyst
    support = api.get(f"{base}/context", api.keys.support).json()
    marketing = api.get(f"{base}/context", api.keys.marketing).json()
    assert support["profile"]["address_line1"] == PERSON["address_line1"]
    assert "address_line1" not in marketing["profile"]
    assert "recent_interactions" not in marketing["context"]
    assert "Recent interactions:" in support["context_text"]
    assert "Recent interactions:" not in marketing["context_text"]
    signals = api.get(f"{base}/signals", api.keys.analyst).json()["signals"]
    assert signals and all("evidence" not in s for s in signals)
    assert "evidence" in api.get(f"{base}/signals", api.keys.support).json()["signals"][0]


def test_the_timeline_is_paged_by_cursor_and_filtered_by_channel_and_time(api: Api) -> None:
    path = f"/v1/customers/{CUSTOMER}/timeline"
    seen: list[str] = []
    cursor = None
    for _ in range(EVENTS_PER_PERSON):
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = api.get(path, api.keys.support, **params).json()
        seen += [e["event_id"] for e in page["events"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [f"ev_01_{i:02d}" for i in reversed(range(EVENTS_PER_PERSON))]
    voice = api.get(path, api.keys.support, channel="voice").json()["events"]
    assert [e["channel"] for e in voice] == ["voice"] * 3
    window = api.get(
        path, api.keys.support, since="2026-03-02T00:00:00Z", until="2026-03-04T00:00:00"
    ).json()["events"]
    assert [e["event_id"] for e in window] == ["ev_01_02", "ev_01_01"]


def test_releases_list_ids_times_and_row_counts(api: Api) -> None:
    releases = api.get("/v1/releases", api.keys.analyst).json()["releases"]
    first = next(r for r in releases if r["publication_id"] == "pub-1")
    assert first["row_counts"]["customer_timeline"] == 3 * EVENTS_PER_PERSON
    assert first["published_at"]


def test_the_openapi_docs_are_served(api: Api) -> None:
    assert httpx.get(api.url + "/docs", timeout=10).status_code == 200
    paths = httpx.get(api.url + "/openapi.json", timeout=10).json()["paths"]
    assert {
        "/v1/resolve",
        "/v1/customers/{customer_id}/context",
        "/v1/customers/{customer_id}/timeline",
        "/v1/customers/{customer_id}/signals",
        "/v1/customers/{customer_id}/interactions",
        "/v1/releases",
    } <= set(paths)


HOSTILE = [
    "x" * 300,  # oversize
    "ann\x00@example.org",  # control characters
    "ann@example.org\r\nX-Injected: 1",
    "' OR 1=1 --",  # SQL injection
    "1; drop table lookup; --",
    "../../../etc/passwd",
    "${jndi:ldap://example.org/a}",
    "\u202eevil",
]


def test_bad_input_gets_a_clear_4xx_never_a_500_and_never_echoes_the_input(api: Api) -> None:
    key = api.keys.support
    for value in HOSTILE:
        response = api.get("/v1/resolve", key, identifier=value)
        assert 400 <= response.status_code < 500, (value, response.status_code)
        assert value not in response.text and "detail" in response.json()
    base = "/v1/customers"
    cases: list[tuple[str, dict[str, str | int], int]] = [
        (f"{base}/ct_ffffffffffffffff/context", {}, 404),  # unknown customer
        (f"{base}/ct_ffffffffffffffff/timeline", {}, 404),
        (f"{base}/ct_ffffffffffffffff/signals", {}, 404),
        (f"{base}/{PERSON['email']}/context", {}, 422),  # not a customer id
        (f"{base}/ct_0000' or 1=1/context", {}, 422),
        (f"{base}/{CUSTOMER}/context", {"as_of": "yesterday"}, 422),
        (f"{base}/{CUSTOMER}/context", {"as_of": "1999-01-01T00:00:00Z"}, 404),  # before any
        (f"{base}/{CUSTOMER}/timeline", {"cursor": "not-a-cursor"}, 422),
        (f"{base}/{CUSTOMER}/timeline", {"limit": 0}, 422),
        (f"{base}/{CUSTOMER}/timeline", {"limit": 100000}, 422),
        (f"{base}/{CUSTOMER}/timeline", {"channel": "voice' or '1"}, 422),
    ]
    for path, params, status in cases:
        response = api.get(path, key, **params)
        assert response.status_code == status, (path, params, response.text)
        assert PERSON["email"] not in response.text
        assert "yesterday" not in response.text and "voice'" not in response.text


def test_an_interaction_is_appended_to_the_log_with_its_summary_redacted(api: Api) -> None:
    url = f"{api.url}/v1/customers/{CUSTOMER}/interactions"
    headers = {"Authorization": f"Bearer {api.keys.support}"}
    body = {
        "action": "offered_refund",
        "guardrails_consulted": ["refund_window"],
        "summary": f"Refund offered; customer asked for mail to {PERSON['email']} "
        "and paid with 4111 1111 1111 1111.",
    }
    posted = httpx.post(url, json=body, headers=headers, timeout=10)
    assert posted.status_code == 201, posted.text
    recorded = posted.json()["recorded"]
    assert recorded["consumer"] == "support_agent_ai" and recorded["publication_id"] == "pub-1"
    lines = [
        json.loads(line)
        for path in interaction_log_dir(api.home).glob("*.jsonl")
        for line in path.read_text().splitlines()
    ]
    mine = next(line for line in lines if line["interaction_id"] == recorded["interaction_id"])
    assert (
        mine["summary"]
        == "Refund offered; customer asked for mail to [EMAIL] and paid with [CARD]."
    )
    assert mine["guardrails_consulted"] == ["refund_window"]
    unknown_rule = {**body, "guardrails_consulted": ["refund_anything"]}
    assert httpx.post(url, json=unknown_rule, headers=headers, timeout=10).status_code == 422
    unknown = url.replace(CUSTOMER, "ct_ffffffffffffffff")
    assert httpx.post(unknown, json=body, headers=headers, timeout=10).status_code == 404
    oversize = {**body, "summary": "x" * 5000}
    assert httpx.post(url, json=oversize, headers=headers, timeout=10).status_code == 422


def test_keys_and_identifiers_never_appear_in_logs(
    api: Api, caplog: pytest.LogCaptureFixture, capfd: pytest.CaptureFixture[str]
) -> None:
    caplog.set_level(logging.DEBUG)
    key = api.keys.analyst
    api.get("/v1/resolve", key, identifier=PERSON["email"])
    api.get("/v1/resolve", key, identifier="x" * 300)
    api.get(f"/v1/customers/{CUSTOMER}/timeline", key)
    api.get("/v1/resolve", api.keys.revoked, identifier=PERSON["phone"])
    entries = read_access_log(api.home)
    assert any(
        e.get("consumer") == "analyst" and e.get("customer_ids") == [CUSTOMER] for e in entries
    )
    assert any(e.get("table") == "customer_timeline" for e in entries)
    out, err = capfd.readouterr()
    logged = "\n".join([caplog.text, out, err])
    logged += "".join(p.read_text() for p in access_log_dir(api.home).glob("*.jsonl"))
    logged += "".join(p.read_text() for p in keys_dir(api.home).glob("*"))
    for secret in [*_secrets(1), api.keys.analyst, api.keys.support, api.keys.revoked]:
        assert secret.lower() not in logged.lower(), secret[:6]
    # the keys file holds hashes only, readable by its owner alone
    assert (keys_dir(api.home) / "keys.json").stat().st_mode & 0o077 == 0
    assert len(list_keys(api.home)) == 4


def test_keys_are_created_listed_and_revoked_from_the_command_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(tmp_path / "home"))
    assert cli.main(["keys", "create", "analyst"]) == 0
    key = capsys.readouterr().out.strip().splitlines()[-1]
    assert key.startswith("ctk_") and len(key) > 40
    assert cli.main(["keys", "create", "nobody_ai"]) == 1  # no such consumer
    capsys.readouterr()
    assert cli.main(["keys", "list"]) == 0
    listed = capsys.readouterr().out
    [entry] = list_keys(tmp_path / "home")
    assert entry.key_id in listed and "analyst" in listed and key not in listed
    assert key not in (keys_dir(tmp_path / "home") / "keys.json").read_text()
    assert cli.main(["keys", "revoke", entry.key_id]) == 0
    assert not list_keys(tmp_path / "home")[0].active
    assert cli.main(["keys", "revoke", "nope"]) == 1


def test_a_warmed_index_answers_exactly_as_a_cold_one(api: Api) -> None:
    """The server's one-probe record (``ReleaseIndex.warm_up``) is a copy of the same rows: any
    difference would be a second rule."""
    warm = api.served.pinned
    assert warm.hot
    cold = open_analytics_index(api.home, warm.release)
    assert cold is not None and not cold.hot
    for consumer in ("support_agent_ai", *RESTRICTED):
        for n in (1, 2, 3):
            customer = retrieval_person(n)["customer_id"]
            answers = [
                lookup(
                    customer, consumer=consumer, home=api.home, index=index, customer_id_only=True
                ).to_dict()
                for index in (warm, cold)
            ]
            assert answers[0] == answers[1], (consumer, n)
            assert answers[0]["status"] == "found"


def test_a_new_release_is_served_without_restart_and_as_of_reads_the_older_one(
    own_api: Api,
) -> None:
    """It publishes a second release: into a home of its own, so the module's stays on pub-1
    whatever the order the tests run in."""
    api = own_api
    path = f"/v1/customers/{CUSTOMER}/context"
    first_page = api.get(f"/v1/customers/{CUSTOMER}/timeline", api.keys.support, limit=2).json()
    before = api.get(path, api.keys.support).json()
    assert before["publication_id"] == "pub-1"
    # reads all through the publication and the switch: each one whole, from one release
    answers: list[tuple[int, str, str]] = []
    stop = threading.Event()

    def read_on() -> None:
        while not stop.is_set():
            body = api.get(path, api.keys.support)
            data = body.json() if body.status_code == 200 else {}
            release = data.get("publication_id", "")
            answers.append(
                (
                    body.status_code,
                    release,
                    (data.get("profile") or {}).get("publication_id", "")
                    + "|"
                    + ("new" if "new.address" in body.text else "old"),
                )
            )

    reader = threading.Thread(target=read_on)
    reader.start()
    publish_api_release(api.settings, "pub-2", range(1, 4), emails={1: "new.address@example.org"})
    deadline = time.monotonic() + 30
    while api.get(path, api.keys.support).json()["publication_id"] != "pub-2":
        assert time.monotonic() < deadline, "the server never switched to the new release"
        time.sleep(0.1)
    time.sleep(0.3)
    stop.set()
    reader.join()
    assert {status for status, _, _ in answers} == {200}
    expected = {"pub-1": "pub-1|old", "pub-2": "pub-2|new"}
    assert all(expected[release] == rest for _, release, rest in answers), set(answers)
    assert {release for _, release, _ in answers} == {"pub-1", "pub-2"}
    after = api.get(path, api.keys.support).json()
    assert after["profile"]["email"] == "new.address@example.org"
    assert api.served.switches >= 1
    # as_of a time between the two releases reads the first, whole
    published = {
        r["publication_id"]: r["published_at"]
        for r in api.get("/v1/releases", api.keys.support).json()["releases"]
    }
    old = api.get(path, api.keys.support, as_of=published["pub-1"]).json()
    assert old["publication_id"] == "pub-1" and old["profile"]["email"] == PERSON["email"]
    # a cursor handed out by the first release pages on in it
    rest = api.get(
        f"/v1/customers/{CUSTOMER}/timeline",
        api.keys.support,
        limit=2,
        cursor=first_page["next_cursor"],
    ).json()
    assert rest["publication_id"] == "pub-1"
    assert [e["event_id"] for e in rest["events"]] == ["ev_01_02", "ev_01_01"]
