"""The published tables, in one place: name -> warehouse relation, primary key, erasure columns.

The publisher, the quality gate, the erasure purge and the reader all take the list from here.
``relation`` is the candidate built by dbt in schema ``publish`` (suppression and redaction
already applied there); ``fallback`` names the mart it is built from, used only while the
``publish`` model does not exist yet in a warehouse (older checkouts, partial builds).

Erasure (``publish.erased_customers``): a row of any version of a published table is purged when
one of its ``customer_id_columns`` holds an erased customer id, or when the sha-256 (hex) of one
of its ``identifier_columns`` equals an erased ``identifier_sha256``.
"""

from __future__ import annotations

from dataclasses import dataclass

ERASED_CUSTOMERS = "publish.erased_customers"


@dataclass(frozen=True)
class PublishedTable:
    name: str
    relation: str
    primary_key: tuple[str, ...]
    customer_id_columns: tuple[str, ...] = ("customer_id",)
    identifier_columns: tuple[str, ...] = ()
    fallback: str | None = None
    # where it is written under published/: "" for the contract tables, "marts" for journey marts
    folder: str = ""
    # columns holding documents (JSON, a brief): kilobytes of text a row, stored with zstd in
    # analytics.duckdb (``analytics.py``); the publish model's contract says the same for the
    # warehouse (``_publish__models.yml``), and a test keeps the two equal
    document_columns: tuple[str, ...] = ()

    @property
    def path_parts(self) -> tuple[str, ...]:
        return (self.folder, self.name) if self.folder else (self.name,)

    @property
    def key(self) -> str:
        """The name a release uses for it: ``customer_profile``, ``marts/fct_issue_journeys``."""
        return "/".join(self.path_parts)


def document_columns(key: str) -> tuple[str, ...]:
    """The document columns of the published table named ``key`` (none for a table not listed)."""
    return next((t.document_columns for t in PUBLISHED_TABLES if t.key == key), ())


PUBLISHED_TABLES: tuple[PublishedTable, ...] = (
    PublishedTable(
        "customer_profile",
        "publish.customer_profile",
        ("customer_id",),
        identifier_columns=("email", "phone"),
        fallback="marts.dim_customer_profile",
    ),
    PublishedTable(
        "identity_crosswalk",
        "publish.identity_crosswalk",
        ("source_system", "source_entity", "source_record_id"),
        identifier_columns=("source_record_id",),
        fallback="marts.bdg_identity_crosswalk",
    ),
    PublishedTable(
        "identifier_lookup",
        "publish.identifier_lookup",
        ("identifier_type", "identifier_value", "customer_id"),
        identifier_columns=("identifier_value",),
        fallback="marts.bdg_identifier_lookup",
    ),
    PublishedTable(
        "customer_timeline",
        "publish.customer_timeline",
        ("event_id",),
        fallback="marts.fct_customer_timeline",
    ),
    PublishedTable(
        "proactive_signals",
        "publish.proactive_signals",
        ("signal_id",),
        fallback="marts.fct_proactive_signals",
    ),
    PublishedTable(
        "customer_context",
        "publish.customer_context",
        ("customer_id",),
        document_columns=("context", "context_text"),
    ),
    # journey marts for analysts (published/marts/), per contract
    PublishedTable(
        "fct_issue_journeys",
        "marts.fct_issue_journeys",
        ("journey_id",),
        folder="marts",
    ),
)

PUBLICATION_LOG = "publication_log"


def published_table(key: str) -> PublishedTable:
    for table in PUBLISHED_TABLES:
        if key in (table.key, table.name):
            return table
    raise KeyError(f"{key!r} is not a published table ({[t.key for t in PUBLISHED_TABLES]})")
