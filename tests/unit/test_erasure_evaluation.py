"""The erasure check: an erased person's identifiers (emails, phones, record ids) found in any
row of the current release's identity tables, matched as published values are normalised, and
not fooled by identifiers other persons share."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.dataset as ds
import pytest

from customer_truth.evaluation import erasure
from customer_truth.evaluation.erasure import evaluate_erasures, format_erasure_report
from customer_truth.publication.reader import Release


def _jsonl(path: Path, rows: list[dict]) -> None:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows))


def _person(pid: str, emails: list[str], phones: list[str], former: list[str]) -> dict:
    return {
        "person_id": pid,
        "emails": [{"address": e} for e in emails],
        "phones": [{"e164": p} for p in phones],
        "former": {"phones": former},
    }


@pytest.fixture
def truth(tmp_path: Path) -> Path:
    _jsonl(
        tmp_path / "persons.jsonl",
        [
            # P1 erased; the landline is shared with P2 (a household), so it proves nothing
            _person("P1", [" Ann.Lee@Example.org", "ann@work.example"], ["+14155550101",
                    "+14155550999"], ["+14155550100"]),
            _person("P2", ["bo@example.org"], ["+14155550102", "+14155550999"], []),
            # P3 erased and gone from every table
            _person("P3", ["cy@example.org"], ["+442079460000"], []),
        ],
    )  # fmt: skip
    _jsonl(
        tmp_path / "identity_records.jsonl",
        [
            {"system": "crm", "entity": "contacts", "record_id": "003AbCdEfGhIjKlMnO",
             "person_id": "P1"},
            {"system": "support", "entity": "users", "record_id": "360000000036",
             "person_id": "P1"},
            {"system": "commerce", "entity": "customers", "record_id": "7000000012",
             "person_id": "P3"},
            # P1's browser, which no identifier of theirs ties to them in the landed data
            {"system": "digital", "entity": "anonymous_id", "record_id": "anon-p1",
             "person_id": "P1"},
        ],
    )  # fmt: skip
    _jsonl(
        tmp_path / "erasures.jsonl",
        [
            # what each request can reach (the truth's erasure_reach): P1's browser is not
            {"request_id": "er_1", "person_id": "P1",
             "reachable_records": [["crm", "contacts", "003AbCdEfGhIjKlMnO"],
                                   ["support", "users", "360000000036"]],
             "reachable_values": [" Ann.Lee@Example.org", "ann@work.example", "+14155550101",
                                  "+14155550999", "+14155550100"]},
            {"request_id": "er_3", "person_id": "P3",
             "reachable_records": [["commerce", "customers", "7000000012"]],
             "reachable_values": ["cy@example.org", "+442079460000"]},
        ],
    )  # fmt: skip
    return tmp_path


def _release(monkeypatch: pytest.MonkeyPatch, tables: dict[str, pa.Table]) -> None:
    release = Release("pub_1", datetime(2026, 3, 8, tzinfo=UTC), {n: 0 for n in tables})
    monkeypatch.setattr(erasure, "current_release", lambda home: release)
    monkeypatch.setattr(erasure, "table_dataset", lambda home, name, rel: ds.dataset(tables[name]))


def test_an_identifier_left_in_any_table_is_found_and_shared_ones_are_not(
    truth: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _release(
        monkeypatch,
        {
            "identifier_lookup": pa.table(
                {
                    "identifier_type": ["phone", "phone", "commerce_customer_id"],
                    # the shared landline and P2's own number: not P1's alone
                    "identifier_value": ["+14155550999", "+14155550102", "7000000099"],
                    "customer_id": ["ct_2", "ct_2", "ct_9"],
                }
            ),
            "customer_profile": pa.table(
                {"customer_id": ["ct_2"], "email": ["bo@example.org"], "phone": [None]},
                schema=pa.schema(
                    [("customer_id", pa.string()), ("email", pa.string()), ("phone", pa.string())]
                ),
            ),
            # P1's former number inside a context text, and a record id inside its JSON
            "customer_context": pa.table(
                {
                    "customer_id": ["ct_7"],
                    "context": ['{"provenance": {"source_record_id": "360000000036"}}'],
                    "context_text": ["Call back on +14155550100."],
                }
            ),
            # the unreachable browser is still published: no pipeline could have found it
            "identity_crosswalk": pa.table(
                {
                    "source_record_id": ["003abcdefghijklmno", "anon-p1"],
                    "customer_id": ["ct_7", "ct_8"],
                }
            ),
        },
    )
    result = evaluate_erasures(Path("/nowhere"), truth)
    assert result["erased_persons"] == 2
    # P1: two emails, a phone, a former phone, two record ids; the shared landline left out
    # P3: an email, a phone, a record id
    assert result["identifiers"] == 9
    assert result["persons_still_readable"] == 1
    assert result["by_table"] == {"customer_context": 1, "identity_crosswalk": 1}
    assert result["by_identifier_kind"] == {
        "crm/contacts": 1,
        "phone": 1,
        "support/users": 1,
    }
    assert "1 persons" in format_erasure_report(result)


def test_a_release_without_the_erased_persons_shows_none(
    truth: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    _release(
        monkeypatch,
        {"identifier_lookup": pa.table({"identifier_value": ["bo@example.org"]})},
    )
    result = evaluate_erasures(Path("/nowhere"), truth)
    assert result["persons_still_readable"] == 0
    assert result["tables_checked"] == ["identifier_lookup"]


def test_no_release_means_nothing_to_check(truth: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(erasure, "current_release", lambda home: None)
    result = evaluate_erasures(Path("/nowhere"), truth)
    assert result["release"] is None
    assert "nothing to check" in format_erasure_report(result)
