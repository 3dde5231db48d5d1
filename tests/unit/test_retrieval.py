"""Retrieval for AI consumers on a tiny published release: any identifier resolves, policies mask
everything a restricted consumer receives, shared identifiers give candidates, as-of reads an
older release, every read is logged, and an unknown consumer is a clear error."""

from __future__ import annotations

import hashlib
import hmac
import json
import os
import secrets
import subprocess
import sys
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from customer_truth import cli
from customer_truth.privacy.policies import PolicyError, consumer_policy, guardrail_rules
from customer_truth.privacy.pseudonyms import PseudonymKey
from customer_truth.publication.publisher import publish_release
from customer_truth.retrieval import lookup
from customer_truth.retrieval.access_log import (
    access_log_dir,
    append_access,
    forget_customers,
    read_access_log,
)
from customer_truth.retrieval.index import clear_cache
from customer_truth.retrieval.masking import mask_value
from customer_truth.settings import REPO_ROOT, Settings, pseudonym_key_file
from tests.publication_helpers import PASSED
from tests.retrieval_helpers import (
    LANDLINE,
    RETRIEVAL_TABLES,
    retrieval_candidates,
    retrieval_person,
)

RESTRICTED = ("marketing_ai", "analyst")


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    clear_cache()
    return Settings(landing=tmp_path / "landing", home=tmp_path / "home")


def _publish(
    settings: Settings,
    pid: str,
    people: range,
    emails: dict[int, str] | None = None,
    extra_lookups: list[dict[str, Any]] | None = None,
):
    return publish_release(
        settings,
        pid,
        datetime.now(UTC),
        PASSED,
        tables=RETRIEVAL_TABLES,
        candidates=retrieval_candidates(people, emails, extra_lookups=extra_lookups),
    )


def _clear_values_in(serialized: str, values: list[str]) -> list[str]:
    lowered = serialized.lower()
    return [value for value in values if value.lower() in lowered]


def test_a_restricted_consumer_never_receives_an_unmasked_identifier(settings: Settings) -> None:
    _publish(settings, "pub-1", range(1, 4))
    person = retrieval_person(1)
    secrets = [v for k, v in person.items() if k != "customer_id"] + [LANDLINE]
    typed = {k: v for k, v in person.items() if k not in ("birth_date", "address_line1")}
    for consumer in RESTRICTED:
        for kind, value in typed.items():
            response = lookup(value, consumer=consumer, home=settings)
            assert response.status == "found", (consumer, kind, response.message)
            assert response.customer is not None
            assert response.customer["customer_id"] == person["customer_id"]
            serialized = response.to_json() + "\n" + response.text
            leaked = _clear_values_in(serialized, secrets)
            assert not leaked, (consumer, kind, leaked)
    # the control: the search above does find them when a policy lets them through
    support = lookup(person["email"], consumer="support_agent_ai", home=settings)
    serialized = support.to_json() + support.text
    assert person["email"] in serialized and person["phone"] in serialized
    assert person["birth_date"] not in serialized  # partial even for the support agent


def test_a_restricted_consumer_gets_masked_values_and_no_free_text(settings: Settings) -> None:
    _publish(settings, "pub-1", range(1, 4))
    person = retrieval_person(3)
    marketing = lookup(person["phone"], consumer="marketing_ai", home=settings)
    assert marketing.customer is not None
    profile, context = marketing.customer["profile"], marketing.customer["context"]
    assert profile["email"].startswith("hmac-sha256:")
    assert profile["phone"].startswith("hmac-sha256:")
    assert profile["birth_date"] == "1984"
    assert "address_line1" not in profile
    assert "recent_interactions" not in context and "open_tickets" not in context["open_work"]
    assert context["open_work"]["orders_in_flight"][0]["order_name"].startswith("hmac-sha256:")
    assert "Recent interactions:" not in marketing.text and "Open work:" not in marketing.text
    assert "Guardrails:" in marketing.text
    analyst = lookup(person["phone"], consumer="analyst", home=settings)
    assert analyst.customer is not None
    assert "given_name" not in analyst.customer["profile"]
    summary = analyst.customer["context"]["recent_interactions"][0]["summary"]
    assert "hmac-sha256:" in summary and person["email"] not in summary


def _digest(masked: str) -> str:
    """The hex digest of a hash mask, whatever its scheme prefix."""
    return masked.rsplit(":", 1)[-1]


def test_a_hashed_phone_cannot_be_recovered_by_enumerating_its_exchange(
    settings: Settings,
) -> None:
    """Regression (hostile input, finding 3): the hash mask was unkeyed sha-256, and hashing
    every number of the phone's exchange found it in marketing_ai's output."""
    _publish(settings, "pub-1", range(1, 4))
    person = retrieval_person(3)
    marketing = lookup(person["email"], consumer="marketing_ai", home=settings)
    assert marketing.customer is not None
    masked = _digest(marketing.customer["profile"]["phone"])
    exchange = [f"+1212736{n:04d}" for n in range(10_000)]  # +1 212 736-XXXX, the whole exchange
    assert person["phone"] in exchange

    # the attack of the finding: unkeyed sha-256 of every candidate
    unkeyed = {hashlib.sha256(c.encode()).hexdigest(): c for c in exchange}
    assert unkeyed.get(masked) is None, f"recovered {unkeyed.get(masked)} from an unkeyed hash"
    # the same attack on the keyed scheme without the secret: a guessed key matches nothing
    for guessed in (b"", b"\0" * 32, secrets.token_bytes(32)):
        keyed = {hmac.new(guessed, c.encode(), hashlib.sha256).hexdigest() for c in exchange}
        assert masked not in keyed
    # the control: with the deployment's secret the enumeration finds it (only the key protects)
    secret = bytes.fromhex(pseudonym_key_file(settings.home).read_text().strip())
    with_secret = {hmac.new(secret, c.encode(), hashlib.sha256).hexdigest(): c for c in exchange}
    assert with_secret.get(masked) == person["phone"]


def test_pseudonyms_are_stable_within_a_deployment_and_differ_across_deployments(
    tmp_path: Path,
) -> None:
    homes = [Settings(landing=tmp_path / "landing", home=tmp_path / f"home{n}") for n in (1, 2)]
    person = retrieval_person(2)
    masked: list[list[str]] = []
    for home in homes:
        clear_cache()
        _publish(home, "pub-1", range(1, 4))
        reads = []
        for typed, consumer in [
            (person["email"], "marketing_ai"),
            (person["phone"], "marketing_ai"),
            (person["phone"], "analyst"),
        ]:
            response = lookup(typed, consumer=consumer, home=home)
            assert response.customer is not None
            reads.append(response.customer["profile"]["email"])
        # one deployment: the same email, the same pseudonym, whatever the input or consumer
        assert len(set(reads)) == 1 and reads[0].startswith("hmac-sha256:")
        masked.append(reads)
    assert masked[0][0] != masked[1][0]  # another deployment's secret, another pseudonym
    assert (homes[0].home / "secrets" / "pseudonym.key").is_file()


def test_rotating_the_pseudonym_key_changes_the_pseudonyms_at_the_next_read(
    settings: Settings,
) -> None:
    _publish(settings, "pub-1", range(1, 4))
    email = retrieval_person(1)["email"]

    def pseudonym() -> str:
        response = lookup(email, consumer="marketing_ai", home=settings)
        assert response.customer is not None
        return str(response.customer["profile"]["email"])

    before = pseudonym()
    assert pseudonym() == before
    pseudonym_key_file(settings.home).unlink()  # rotation: the next read creates a new key
    rotated = pseudonym()
    assert rotated != before and pseudonym() == rotated


@pytest.mark.parametrize(
    ("value", "kind", "shown"),
    [
        ("ann@annlee.com", "email", "a***@a***.com"),  # a personal domain is not shown whole
        ("robin.quill3@mailbox.example.net", "email", "r***@m***.net"),
        ("+12127360003", "phone", "+*********03"),
        ("1984-03-03", "date", "1984"),
        ("94110", "postal_code", "94***"),
        ("Quillfeather", "name", "Q."),
    ],
)
def test_partial_masks_keep_enough_to_recognise_and_not_to_identify(
    value: str, kind: str, shown: str
) -> None:
    assert mask_value(value, "partial", kind, PseudonymKey(b"k" * 32)) == shown


def test_a_shared_landline_returns_the_candidates_not_a_guess(settings: Settings) -> None:
    _publish(settings, "pub-1", range(1, 4))
    response = lookup("(212) 736-9999", consumer="marketing_ai", home=settings)
    assert response.status == "ambiguous"
    assert response.customer is None
    ids = [c["customer_id"] for c in response.candidates]
    assert ids == [retrieval_person(1)["customer_id"], retrieval_person(2)["customer_id"]]
    assert all(c["matched_as"] == ["phone"] for c in response.candidates)
    assert {c["family_name"] for c in response.candidates} == {"Q."}  # masked per policy
    assert "Quillfeather" not in response.to_json() + response.text
    assert LANDLINE not in response.to_json()


@pytest.mark.parametrize(
    "typed",
    ["(212) 736-0003", "212.736.0003", "+1 212 736 0003", "1-212-736-0003", "00 1 212 736 0003"],
)
def test_a_phone_in_national_or_formatted_form_resolves(settings: Settings, typed: str) -> None:
    _publish(settings, "pub-1", range(1, 4))
    response = lookup(typed, consumer="support_agent_ai", home=settings)
    assert response.status == "found"
    assert response.identifier_types == ["phone"]
    assert response.customer is not None
    assert response.customer["customer_id"] == retrieval_person(3)["customer_id"]


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("  ROBIN.QUILL3@Mailbox.Example.NET ", "email"),
        ("4103", "order_name"),
        ("order #4103", "order_name"),
        ("1z999aa1 0000000003", "tracking_code"),
        ("cus_Qz0000000003", "billing_customer_id"),
        ("ct_0000000000000003", "customer_id"),
    ],
)
def test_other_identifiers_resolve_as_typed(settings: Settings, typed: str, kind: str) -> None:
    _publish(settings, "pub-1", range(1, 4))
    response = lookup(typed, consumer="support_agent_ai", home=settings)
    assert response.status == "found", response.message
    assert response.identifier_types == [kind]
    assert response.customer is not None
    assert response.customer["customer_id"] == retrieval_person(3)["customer_id"]


def test_a_recycled_tracking_code_resolves_to_its_current_customer(settings: Settings) -> None:
    recycled = [
        {
            "identifier_type": "tracking_code",
            "identifier_value": "1ZRECYCLED0001",
            "customer_id": retrieval_person(n)["customer_id"],
            "is_current": n == 2,
        }
        for n in (1, 2)
    ]
    _publish(settings, "pub-1", range(1, 4), extra_lookups=recycled)
    response = lookup("1zrecycled 0001", consumer="support_agent_ai", home=settings)
    assert response.status == "found" and response.identifier_types == ["tracking_code"]
    assert response.customer is not None
    assert response.customer["customer_id"] == retrieval_person(2)["customer_id"]


def test_a_foreign_phone_typed_nationally_resolves_with_its_region(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    london = {
        "identifier_type": "phone",
        "identifier_value": "+442079460958",
        "customer_id": retrieval_person(3)["customer_id"],
        "is_current": True,
    }
    _publish(settings, "pub-1", range(1, 4), extra_lookups=[london])
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(settings.home))
    command = ["context", "020 7946 0958", "--consumer", "support_agent_ai"]
    assert cli.main(command) == 3  # read in the default region (US) it is no number
    capsys.readouterr()
    assert cli.main([*command, "--region", "GB"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["customer"]["customer_id"] == retrieval_person(3)["customer_id"]


def test_an_unknown_identifier_is_a_clear_not_found(settings: Settings) -> None:
    _publish(settings, "pub-1", range(1, 4))
    response = lookup("nobody@example.net", consumer="support_agent_ai", home=settings)
    assert response.status == "not_found" and response.customer is None
    assert "not found" in response.text


def test_a_reader_never_opens_the_warehouse(settings: Settings) -> None:
    _publish(settings, "pub-1", range(1, 4))
    published_at = datetime.now(UTC)
    # a warehouse file that is no database: a reader that opened it would fail
    settings.warehouse.parent.mkdir(parents=True, exist_ok=True)
    settings.warehouse.write_bytes(b"not a duckdb database")
    clear_cache()
    person = retrieval_person(1)
    for as_of in (None, published_at):
        response = lookup(person["email"], consumer="support_agent_ai", as_of=as_of, home=settings)
        assert response.status == "found", response.message
    assert settings.warehouse.read_bytes() == b"not a duckdb database"


def test_as_of_reads_an_older_release_and_a_new_release_is_seen_at_once(
    settings: Settings,
) -> None:
    _publish(settings, "pub-1", range(1, 4))
    first = lookup(retrieval_person(3)["email"], consumer="support_agent_ai", home=settings)
    assert first.publication_id == "pub-1"
    between = datetime.now(UTC)
    time.sleep(0.01)
    _publish(settings, "pub-2", range(1, 4), emails={3: "robin.new@mailbox.example.net"})
    old_email = retrieval_person(3)["email"]
    now = lookup(old_email, consumer="support_agent_ai", home=settings)
    assert now.status == "not_found" and now.publication_id == "pub-2"
    then = lookup(old_email, consumer="support_agent_ai", as_of=between, home=settings)
    assert then.status == "found" and then.publication_id == "pub-1"
    assert then.customer is not None
    assert then.customer["profile"]["email"] == old_email
    text_as_of = lookup(
        old_email, consumer="support_agent_ai", as_of=between.isoformat(), home=settings
    )
    assert text_as_of.publication_id == "pub-1"
    sources = [row["index"] for row in read_access_log(settings.home)]
    assert sources == ["analytics.duckdb", "analytics.duckdb", "delta", "delta"]


def test_every_read_appends_one_access_log_row_without_the_identifier(
    settings: Settings,
) -> None:
    _publish(settings, "pub-1", range(1, 4))
    person = retrieval_person(3)
    lookup(person["email"], consumer="support_agent_ai", home=settings)
    lookup(LANDLINE, consumer="marketing_ai", home=settings)
    lookup("nobody@example.net", consumer="analyst", home=settings)
    rows = read_access_log(settings.home)
    assert [(r["consumer"], r["status"]) for r in rows] == [
        ("support_agent_ai", "found"),
        ("marketing_ai", "ambiguous"),
        ("analyst", "not_found"),
    ]
    assert rows[0]["customer_ids"] == [person["customer_id"]]
    assert rows[0]["identifier_types"] == ["email"]
    assert len(rows[1]["customer_ids"]) == 2 and rows[1]["identifier_types"] == ["phone"]
    assert all(r["publication_id"] == "pub-1" and r["read_at"] for r in rows)
    raw = "".join(p.read_text() for p in access_log_dir(settings.home).glob("*.jsonl"))
    assert person["email"] not in raw and LANDLINE not in raw and "nobody@" not in raw


def test_concurrent_reads_each_append_one_whole_line(settings: Settings) -> None:
    _publish(settings, "pub-1", range(1, 4))
    email = retrieval_person(2)["email"]
    errors: list[BaseException] = []

    def read_many() -> None:
        try:
            for _ in range(15):
                lookup(email, consumer="analyst", home=settings)
        except BaseException as error:  # noqa: BLE001 - reported below
            errors.append(error)

    threads = [threading.Thread(target=read_many) for _ in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors[:1]
    lines = "".join(p.read_text() for p in access_log_dir(settings.home).glob("*.jsonl"))
    parsed = [json.loads(line) for line in lines.splitlines()]
    assert len(parsed) == 90 and all(r["status"] == "found" for r in parsed)


_APPENDER = """
import sys
from pathlib import Path
from customer_truth.retrieval.access_log import append_access
for n in range(int(sys.argv[2])):
    append_access(Path(sys.argv[1]), {"writer": sys.argv[3], "n": n, "pad": "x" * 3000})
"""


def test_processes_appending_at_once_never_interleave_lines(tmp_path: Path) -> None:
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _APPENDER, str(tmp_path), "200", str(w)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        for w in range(4)
    ]
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0, 0]
    rows = read_access_log(tmp_path)
    assert len(rows) == 800
    assert sorted((r["writer"], r["n"]) for r in rows) == sorted(
        (str(w), n) for w in range(4) for n in range(200)
    )


def test_erasure_keeps_access_log_lines_but_unlinks_the_erased_customer(tmp_path: Path) -> None:
    append_access(tmp_path, {"consumer": "a", "customer_ids": ["ct_erased", "ct_other"]})
    append_access(tmp_path, {"consumer": "b", "customer_ids": ["ct_other"]})
    assert forget_customers(tmp_path, {"ct_erased"}) == 1
    rows = read_access_log(tmp_path)
    assert [(r["consumer"], r["customer_ids"]) for r in rows] == [
        ("a", ["erased", "ct_other"]),
        ("b", ["ct_other"]),
    ]
    assert "ct_erased" not in "".join(p.read_text() for p in tmp_path.rglob("*.jsonl"))


def test_an_erasure_rewriting_the_log_while_processes_append_loses_no_line(tmp_path: Path) -> None:
    append_access(tmp_path, {"writer": "seed", "n": 0, "customer_ids": ["ct_erased"]})
    writers = [
        subprocess.Popen(
            [sys.executable, "-c", _APPENDER, str(tmp_path), "300", str(w)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
        )
        for w in range(3)
    ]
    while any(w.poll() is None for w in writers):
        forget_customers(tmp_path, {"ct_erased"})
    assert [w.wait(timeout=120) for w in writers] == [0, 0, 0]
    rows = read_access_log(tmp_path)
    assert len(rows) == 901
    assert rows[0]["customer_ids"] == ["erased"]


def test_an_unknown_consumer_is_a_clear_error_and_reads_nothing(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    _publish(settings, "pub-1", range(1, 4))
    email = retrieval_person(1)["email"]
    with pytest.raises(PolicyError, match=r"no consumer policy 'nobody'; known: analyst"):
        lookup(email, consumer="nobody", home=settings)
    assert read_access_log(settings.home) == []
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(settings.home))
    assert cli.main(["context", email, "--consumer", "nobody"]) == 1
    assert "no consumer policy 'nobody'" in capsys.readouterr().err
    assert cli.main(["context", email, "--consumer", "support_agent_ai"]) == 0
    printed = json.loads(capsys.readouterr().out)
    assert printed["status"] == "found" and printed["customer"]["profile"]["email"] == email
    assert cli.main(["context", "nobody@example.net", "--consumer", "analyst", "--text"]) == 3
    assert "not found" in capsys.readouterr().out


def _policy_file(tmp_path: Path, body: str) -> Path:
    folder = tmp_path / "policies"
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "consumers.yml").write_text(body, encoding="utf-8")
    return folder


_MINIMAL = """
consumers:
  bot:
    identifiers: {{email: clear}}
    tables:
      identifier_lookup: {{columns: {{identifier_type: clear, customer_id: clear}}}}
      customer_profile: {{columns: {{customer_id: clear, {profile_column}: clear}}}}
      {extra}:
        columns: {{customer_id: clear, context: clear}}
        fields: {{{field}: clear}}
"""


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ("customer_contexts", "guardrails", "is not a published table"),
        ("customer_context", "guardrail", r"consumers.yml:10: .*unknown context field 'guardrail'"),
    ],
)
def test_the_policy_loader_rejects_unknown_tables_and_context_fields(
    settings: Settings,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    extra: str,
    field: str,
    message: str,
) -> None:
    body = _MINIMAL.format(profile_column="email", extra=extra, field=field)
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(_policy_file(tmp_path, body)))
    with pytest.raises(PolicyError, match=message):
        lookup("x@example.net", consumer="bot", home=settings)


def test_a_policy_naming_a_column_the_release_lacks_is_refused(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _publish(settings, "pub-1", range(1, 4))
    body = _MINIMAL.format(profile_column="emial", extra="customer_context", field="guardrails")
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(_policy_file(tmp_path, body)))
    with pytest.raises(PolicyError, match=r"bot.customer_profile names columns .*'emial'"):
        lookup(retrieval_person(1)["email"], consumer="bot", home=settings)
    fixed = _MINIMAL.format(profile_column="email", extra="customer_context", field="guardrails")
    # a fixed policy in another folder (policies are read once per file and process)
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(_policy_file(tmp_path / "fixed", fixed)))
    response = lookup(retrieval_person(1)["email"], consumer="bot", home=settings)
    assert response.customer is not None
    assert set(response.customer["context"]) == {"guardrails"}
    assert set(response.customer["profile"]) == {"customer_id", "email"}


_STRICT = """\
consumers:
  bot:
    description: a consumer of the strict-loader tests
    identifiers:
      email: hash
      phone: hash
    tables:
      identifier_lookup:
        columns:
          identifier_type: clear
          customer_id: clear
      customer_profile:
        columns:
          customer_id: clear
          email: hash
      customer_context:
        columns:
          customer_id: clear
          context: clear
        fields:
          guardrails: clear
          profile.email: hash
"""


def _line_of(body: str, text: str) -> int:
    """The 1-based line of the one line of ``body`` that is ``text``."""
    lines = [n for n, line in enumerate(body.splitlines(), 1) if line == text]
    assert len(lines) == 1, (text, lines)
    return lines[0]


def test_the_strict_loader_accepts_the_valid_policy_and_the_repository_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(_policy_file(tmp_path, _STRICT)))
    assert consumer_policy("bot")["identifiers"] == {"email": "hash", "phone": "hash"}
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(REPO_ROOT / "policies"))
    assert {"support_agent_ai", "marketing_ai", "analyst"} <= set(
        consumer_policy("analyst") and _repo_consumers()
    )
    assert "refund_window" in guardrail_rules()


def _repo_consumers() -> list[str]:
    from customer_truth.privacy.policies import _consumers, policies_dir

    return list(_consumers(policies_dir() / "consumers.yml"))


@pytest.mark.parametrize(
    ("wrong", "right", "message"),
    [
        # the top-level section of the file
        (
            "consumers:",
            "consumer:",
            r"unknown key 'consumer' in the file.*did you mean 'consumers'",
        ),
        # a section of a consumer: the finding's example
        (
            "    identifiers:",
            "    identifers:",
            r"unknown key 'identifers' in consumers.bot.*did you mean 'identifiers'",
        ),
    ],
)
def test_a_misspelt_policy_section_is_an_error_naming_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrong: str, right: str, message: str
) -> None:
    """Regression (hostile input, finding 9): `identifers:` loaded without error, and the
    consumer silently had no identifier rules."""
    body = _STRICT.replace(wrong, right, 1)
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(_policy_file(tmp_path, body)))
    line = _line_of(body, right)
    with pytest.raises(PolicyError, match=rf"consumers.yml:{line}: {message}"):
        consumer_policy("bot")


@pytest.mark.parametrize(
    ("wrong", "right", "message"),
    [
        # a key of a table rule
        ("        fields:", "        feilds:", r"unknown key 'feilds' in .*customer_context"),
        # a column mask
        ("          email: hash", "          email: hashed", r"unknown mask 'hashed'"),
        # an identifier type, deep in a consumer's identifiers
        ("      phone: hash", "      phnoe: hash", r"unknown identifier type 'phnoe'"),
        # a context field of a table rule
        ("          profile.email: hash", "          profil.email: hash", r"'profil.email'"),
    ],
)
def test_a_misspelt_key_deep_in_a_consumer_rule_is_an_error_naming_its_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrong: str, right: str, message: str
) -> None:
    body = _STRICT.replace(wrong, right, 1)
    assert body != _STRICT
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(_policy_file(tmp_path, body)))
    line = _line_of(body, right)
    with pytest.raises(PolicyError, match=rf"consumers.yml:{line}: .*{message}"):
        consumer_policy("bot")


@pytest.mark.parametrize(
    ("first", "duplicate", "after"),
    [
        # the second `email` would have won: marketing's hashed email in clear
        ("          email: hash", "          email: clear", "          email: hash"),
        ("    tables:", "    tables: {}", "          profile.email: hash"),
    ],
)
def test_a_duplicate_policy_key_is_an_error_naming_both_lines(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first: str, duplicate: str, after: str
) -> None:
    """Regression (hostile input, finding 9): PyYAML kept the last of two equal keys."""
    body = _STRICT.replace(after + "\n", after + "\n" + duplicate + "\n", 1)
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(_policy_file(tmp_path, body)))
    key = first.strip().split(":")[0]
    line, first_line = _line_of(body, duplicate), _line_of(body, first)
    with pytest.raises(
        PolicyError,
        match=rf"consumers.yml:{line}: duplicate key '{key}' \(first on line {first_line}\)",
    ):
        consumer_policy("bot")


_GUARDRAILS = """\
version: 1
rules:
  refund_window:
    action: refund_order
    description: refunds within a window
    parameters:
      window_days: 30
"""


@pytest.mark.parametrize(
    ("wrong", "right", "message"),
    [
        (
            "    parameters:",
            "    paramaters:",
            r"unknown key 'paramaters'.*did you mean 'parameters'",
        ),
        ("rules:", "rule:", r"unknown key 'rule' in the file.*did you mean 'rules'"),
        ("      window_days: 30", "      window_days: 30\n      window_days: 3", "duplicate key"),
    ],
)
def test_guardrail_policy_mistakes_are_errors_naming_the_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, wrong: str, right: str, message: str
) -> None:
    body = _GUARDRAILS.replace(wrong, right, 1)
    folder = tmp_path / "policies"
    folder.mkdir()
    (folder / "guardrails.yml").write_text(body, encoding="utf-8")
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(folder))
    line = _line_of(body, right.splitlines()[-1])
    with pytest.raises(PolicyError, match=rf"guardrails.yml:{line}: {message}"):
        guardrail_rules()


def test_a_stray_file_in_the_policies_folder_is_an_error(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = _policy_file(tmp_path, _STRICT)
    (folder / "consumer.yml").write_text(_STRICT, encoding="utf-8")  # meant to replace the other
    monkeypatch.setenv("CUSTOMER_TRUTH_POLICIES", str(folder))
    with pytest.raises(PolicyError, match=r"consumer.yml: not a policy file"):
        consumer_policy("bot")


def _substitute_by_regex(text: str, replacements: dict[str, str]) -> str:
    """The pass-3 rule as one regex (what ``substitute`` did before it searched with find)."""
    import re

    ordered = sorted(replacements, key=len, reverse=True)
    pattern = re.compile(
        r"(?<![A-Za-z0-9])(?:" + "|".join(re.escape(v) for v in ordered) + r")(?![A-Za-z0-9])",
        re.IGNORECASE,
    )
    lowered = {v.lower(): r for v, r in replacements.items()}
    return pattern.sub(lambda m: lowered[m.group(0).lower()], text)


@given(
    values=st.lists(
        st.text(alphabet="abAB01@.+#-", min_size=2, max_size=6), min_size=1, max_size=4
    ),
    pieces=st.lists(st.text(alphabet="abAB01@.+#- xİ", max_size=4), max_size=12),
)
def test_the_fast_identifier_substitution_replaces_exactly_what_the_regex_did(
    values: list[str], pieces: list[str]
) -> None:
    from customer_truth.retrieval.policy import substitute

    replacements = {v: f"<{i}>" for i, v in enumerate(dict.fromkeys(values))}
    # texts made of the values themselves, in any case, between arbitrary pieces
    text = "".join(
        piece + (values[i % len(values)].upper() if i % 3 == 0 else values[i % len(values)])
        for i, piece in enumerate(pieces)
    )
    folded = {v.lower() for v in replacements}
    if len(folded) < len(replacements):
        return  # two values equal but for case: the rule keeps one replacement for both
    assert substitute({"k": [text]}, replacements) == {
        "k": [_substitute_by_regex(text, replacements)]
    }
