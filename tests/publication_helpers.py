"""Stand-in candidate tables for publication tests, and a search of every byte under published/."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from customer_truth.publication.erasure import ErasedSet
from customer_truth.publication.publisher import Candidates
from customer_truth.publication.registry import PublishedTable

STAND_IN_TABLES = (
    PublishedTable(
        "customer_profile",
        "publish.customer_profile",
        ("customer_id",),
        identifier_columns=("email", "phone"),
    ),
    PublishedTable(
        "identifier_lookup",
        "publish.identifier_lookup",
        ("identifier_type", "identifier_value", "customer_id"),
        identifier_columns=("identifier_value",),
    ),
    PublishedTable("customer_timeline", "publish.customer_timeline", ("event_id",)),
    PublishedTable(
        "fct_issue_journeys", "marts.fct_issue_journeys", ("journey_id",), folder="marts"
    ),
)

PASSED = [{"suite": "stand_in", "asset": "publish/customer_profile", "success": True}]


def person(n: int) -> dict[str, str]:
    return {
        "customer_id": f"ct_{n:06d}",
        "email": f"person{n:06d}@example.org",
        "phone": f"+1555{n:07d}",
    }


def stand_in_candidates(people: range, erased: ErasedSet | None = None) -> Candidates:
    persons = [person(n) for n in people]
    ids = [p["customer_id"] for p in persons]
    profile = pa.table(
        {
            "customer_id": ids,
            "email": [p["email"] for p in persons],
            "phone": [p["phone"] for p in persons],
            "last_seen_at": pa.array([datetime.now(UTC)] * len(ids), pa.timestamp("us", "UTC")),
        }
    )
    lookup = pa.table(
        {
            "identifier_type": ["email"] * len(ids) + ["phone"] * len(ids),
            "identifier_value": [p["email"] for p in persons] + [p["phone"] for p in persons],
            "customer_id": ids + ids,
        }
    )
    timeline = pa.table(
        {
            "event_id": [f"ev_{i}" for i in ids],
            "customer_id": ids,
            "summary": [f"wrote from {p['email']}" for p in persons],
        }
    )
    journeys = pa.table({"journey_id": [f"j_{i}" for i in ids], "customer_id": ids})
    return candidates_of(
        {
            "customer_profile": profile,
            "identifier_lookup": lookup,
            "customer_timeline": timeline,
            "marts/fct_issue_journeys": journeys,
        },
        erased,
    )


def candidates_of(tables: dict[str, pa.Table], erased: ErasedSet | None = None) -> Candidates:
    """The candidates of a stand-in release: these tables, none missing, one landing batch."""
    return Candidates(
        tables=tables,
        sources={},
        missing=[],
        erased=erased or ErasedSet.empty(),
        landing_batches=["crm/20260301T000000Z"],
    )


def strings_in_published(root: Path) -> tuple[bytes, set[str]]:
    """Every raw byte under ``root`` and every string value of every parquet file there
    (data files of all versions and generations, Delta checkpoints), decoded."""
    raw = b""
    values: set[str] = set()
    for path in sorted(root.rglob("*")):
        if not path.is_file():
            continue
        content = path.read_bytes()
        raw += content
        if path.suffix == ".parquet":
            for column in pq.read_table(path).columns:
                values.update(str(v) for v in column.to_pylist() if v is not None)
    return raw, values
