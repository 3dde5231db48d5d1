"""One customer's rows of a published table (``customer_timeline``, ``proactive_signals``) in one
release, as a consumer's policy lets it see them, every read logged.

The same three passes as ``lookup`` (``policy.py``): a table the policy does not grant is
``AccessDenied``; each row keeps only the columns the policy names, masked; then every
identifier of the customer is masked wherever it still appears (a summary, an evidence JSON).

Rows come from the release's index (``index.py``): the current release's
``analytics.duckdb`` (every published table is there), or, for an older release, the Delta
table at that release's version with the customer pushed down to the scan. Filters, order and
paging are SQL with bound values; only the page (at most ``MAX_LIMIT`` rows) reaches Python.
"""

from __future__ import annotations

import base64
import binascii
import json
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import duckdb

from customer_truth.privacy.pseudonyms import pseudonym_key
from customer_truth.publication.reader import read_table
from customer_truth.retrieval.access_log import append_access
from customer_truth.retrieval.index import PROFILE_TABLE, Home, ReleaseIndex, home_dir
from customer_truth.retrieval.policy import ATTRIBUTES, ConsumerPolicy, substitute
from customer_truth.settings import pseudonym_key_file

TIMELINE_TABLE = "customer_timeline"
SIGNALS_TABLE = "proactive_signals"
MAX_LIMIT = 200


class CursorError(ValueError):
    """A timeline cursor that this server did not hand out (or that was altered)."""


@dataclass(frozen=True)
class TimelineFilter:
    since: datetime | None = None
    until: datetime | None = None
    channel: str | None = None
    limit: int = 50
    # the last row of the previous page: (occurred_at, event_id)
    after: tuple[datetime, str] | None = None


@dataclass(frozen=True)
class CustomerRows:
    consumer: str
    customer_id: str
    publication_id: str
    published_at: str
    rows: list[dict[str, Any]]
    next_cursor: str | None = None


def encode_cursor(publication_id: str, occurred_at: datetime, event_id: str) -> str:
    """Opaque to the caller; names the release, so every page comes from the first page's."""
    raw = json.dumps([publication_id, occurred_at.isoformat(), event_id]).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[str, datetime, str]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4))
        publication_id, occurred_at, event_id = json.loads(raw)
        return str(publication_id), datetime.fromisoformat(occurred_at), str(event_id)
    except (binascii.Error, ValueError, TypeError, UnicodeDecodeError) as error:
        raise CursorError("cursor is not one this server handed out") from error


def _source_rows(
    index: ReleaseIndex,
    home: Home,
    table: str,
    customer_id: str,
    conditions: list[str],
    parameters: list[object],
    order: str,
    limit: int | None,
) -> list[dict[str, Any]]:
    """``select *`` of the customer's rows under ``conditions`` (code, values bound)."""
    where = " and ".join(["customer_id = ?", *conditions])
    tail = f" order by {order}" + (f" limit {int(limit)}" if limit is not None else "")
    if index.source != "delta" and table in index.columns:
        # names come from code: the registry's table names and this module's conditions
        return index.query(
            f"select * from {index.schema}.{table} where {where}{tail}",  # noqa: S608
            [customer_id, *parameters],
        )
    data = read_table(home, table, release=index.release, where=[("customer_id", "=", customer_id)])
    con = duckdb.connect()
    try:
        con.register("customer_rows", data)
        cursor = con.execute(
            f"select * from customer_rows where {where}{tail}",  # noqa: S608
            [customer_id, *parameters],
        )
        names = [d[0] for d in cursor.description or []]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]
    finally:
        con.close()


def _masked(
    index: ReleaseIndex,
    home: Home,
    policy: ConsumerPolicy,
    table: str,
    customer_id: str,
    rows: list[dict[str, Any]],
) -> list[dict[str, Any]]:
    rule = policy.table(table)
    key = pseudonym_key(pseudonym_key_file(home_dir(home)))
    kept = [rule.apply_row(row, key) for row in rows]  # the page only: at most MAX_LIMIT rows
    identifiers = [
        (row["identifier_type"], row["identifier_value"])
        for row in index.identifiers_of([customer_id])
    ]
    profile_columns = [c for c in index.columns[PROFILE_TABLE] if c in ATTRIBUTES]
    profiles = index.profiles([customer_id], profile_columns)
    return substitute(kept, policy.substitutions(identifiers, profiles, key))


def _log(
    home: Home,
    policy: ConsumerPolicy,
    index: ReleaseIndex,
    table: str,
    customer_id: str,
    found: bool,
    rows: int,
    as_of: datetime | None,
) -> None:
    append_access(
        home_dir(home),
        {
            "consumer": policy.name,
            "status": "found" if found else "not_found",
            "table": table,
            "customer_ids": [customer_id] if found else [],
            "rows": rows,
            "publication_id": index.release.publication_id,
            "published_at": index.release.published_at.isoformat(),
            "as_of": as_of.isoformat() if as_of is not None else None,
            "index": index.source,
        },
    )


def customer_exists(index: ReleaseIndex, customer_id: str) -> bool:
    return bool(index.profiles([customer_id], ["customer_id"]))


def read_timeline(
    index: ReleaseIndex,
    home: Home,
    consumer: str,
    customer_id: str,
    page: TimelineFilter,
    as_of: datetime | None = None,
) -> CustomerRows | None:
    """A page of the customer's timeline, newest first; None when the release has no such
    customer. ``AccessDenied`` when the policy does not grant the timeline."""
    policy = ConsumerPolicy.load(consumer)
    policy.table(TIMELINE_TABLE)  # denied before anything is read
    if not customer_exists(index, customer_id):
        _log(home, policy, index, TIMELINE_TABLE, customer_id, False, 0, as_of)
        return None
    conditions: list[str] = []
    parameters: list[object] = []
    if page.since is not None:
        conditions.append("occurred_at >= ?")
        parameters.append(page.since)
    if page.until is not None:
        conditions.append("occurred_at < ?")
        parameters.append(page.until)
    if page.channel is not None:
        conditions.append("channel = ?")
        parameters.append(page.channel)
    if page.after is not None:
        conditions.append("(occurred_at < ? or (occurred_at = ? and event_id < ?))")
        parameters += [page.after[0], page.after[0], page.after[1]]
    limit = max(1, min(page.limit, MAX_LIMIT))
    # one row more than the page: whether there is a next page, without a count
    rows = _source_rows(
        index,
        home,
        TIMELINE_TABLE,
        customer_id,
        conditions,
        parameters,
        "occurred_at desc, event_id desc",
        limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    next_cursor = (
        encode_cursor(index.release.publication_id, rows[-1]["occurred_at"], rows[-1]["event_id"])
        if more
        else None
    )
    masked = _masked(index, home, policy, TIMELINE_TABLE, customer_id, rows)
    _log(home, policy, index, TIMELINE_TABLE, customer_id, True, len(masked), as_of)
    return CustomerRows(
        policy.name,
        customer_id,
        index.release.publication_id,
        index.release.published_at.isoformat(),
        masked,
        next_cursor,
    )


def read_signals(
    index: ReleaseIndex, home: Home, consumer: str, customer_id: str, as_of: datetime | None = None
) -> CustomerRows | None:
    """The customer's proactive signals in this release (a resolved condition is no longer in
    it), newest first; None when the release has no such customer."""
    policy = ConsumerPolicy.load(consumer)
    policy.table(SIGNALS_TABLE)
    if not customer_exists(index, customer_id):
        _log(home, policy, index, SIGNALS_TABLE, customer_id, False, 0, as_of)
        return None
    rows = _source_rows(
        index, home, SIGNALS_TABLE, customer_id, [], [], "detected_at desc, signal_id", MAX_LIMIT
    )
    masked = _masked(index, home, policy, SIGNALS_TABLE, customer_id, rows)
    _log(home, policy, index, SIGNALS_TABLE, customer_id, True, len(masked), as_of)
    return CustomerRows(
        policy.name,
        customer_id,
        index.release.publication_id,
        index.release.published_at.isoformat(),
        masked,
    )
