"""The landing contract (../shared/SOURCES.md) as data: which entities each system delivers,
the id every row must carry, and the JSON type of each documented field.

Ingestion quarantines a row whose required id is missing or whose documented field has the wrong
type class (``"amount": "12.00"`` where Stripe documents an integer). It keeps unknown fields,
unknown enum values and odd-but-typed values: those are the staging layer's business.
"""

from __future__ import annotations

from dataclasses import dataclass

# DuckDB json_type() names, grouped as the contract's type classes. NULL is always allowed.
STRING = ("VARCHAR",)
INTEGER = ("UBIGINT", "BIGINT")
NUMBER = ("UBIGINT", "BIGINT", "DOUBLE")
BOOLEAN = ("BOOLEAN",)
OBJECT = ("OBJECT",)
ARRAY = ("ARRAY",)
ID = ("VARCHAR", "UBIGINT", "BIGINT")
STRING_OR_ARRAY = ("VARCHAR", "ARRAY")

# Salesforce CSV cells are all text: their types are formats.
SF_BOOLEAN = r"true|false"
SF_DATE = r"\d{4}-\d{2}-\d{2}"
SF_DATETIME = r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?(Z|[+-]\d{2}:?\d{2})"


@dataclass(frozen=True)
class JsonField:
    """A documented JSON field: ``path`` is a DuckDB JSON path (``[*]`` walks array items)."""

    path: str
    types: tuple[str, ...]

    @property
    def walks_array(self) -> bool:
        return "[*]" in self.path


@dataclass(frozen=True)
class CsvField:
    """A documented CSV column whose non-empty cells must fully match ``pattern``."""

    column: str
    pattern: str


@dataclass(frozen=True)
class EntityContract:
    system: str
    entity: str
    extension: str  # "csv" or "jsonl"
    id_field: str  # top-level field every row must carry, non-empty
    json_fields: tuple[JsonField, ...] = ()
    csv_fields: tuple[CsvField, ...] = ()

    @property
    def file_name(self) -> str:
        return f"{self.entity}.{self.extension}"

    @property
    def table(self) -> str:
        """The raw table (and Dagster asset key suffix): ``raw.<system>__<entity>``."""
        return f"{self.system}__{self.entity}"


def _f(*pairs: tuple[str, tuple[str, ...]]) -> tuple[JsonField, ...]:
    return tuple(JsonField("$." + path, kinds) for path, kinds in pairs)


CONTRACTS: tuple[EntityContract, ...] = (
    EntityContract(
        "crm",
        "contacts",
        "csv",
        "Id",
        csv_fields=(
            *(CsvField(c, SF_BOOLEAN) for c in ("HasOptedOutOfEmail", "DoNotCall", "IsDeleted")),
            CsvField("Birthdate", SF_DATE),
            CsvField("CreatedDate", SF_DATETIME),
            CsvField("LastModifiedDate", SF_DATETIME),
        ),
    ),
    EntityContract(
        "crm",
        "accounts",
        "csv",
        "Id",
        csv_fields=(
            CsvField("IsDeleted", SF_BOOLEAN),
            CsvField("CreatedDate", SF_DATETIME),
            CsvField("LastModifiedDate", SF_DATETIME),
        ),
    ),
    EntityContract(
        "contact_center",
        "contact_records",
        "jsonl",
        "ContactId",
        _f(
            ("InitialContactId", STRING),
            ("PreviousContactId", STRING),
            ("Channel", STRING),
            ("InitiationMethod", STRING),
            ("InitiationTimestamp", STRING),
            ("ConnectedToSystemTimestamp", STRING),
            ("DisconnectTimestamp", STRING),
            ("LastUpdateTimestamp", STRING),
            ("CustomerEndpoint", OBJECT),
            ("CustomerEndpoint.Type", STRING),
            ("CustomerEndpoint.Address", STRING),
            ("SystemEndpoint", OBJECT),
            ("SystemEndpoint.Type", STRING),
            ("SystemEndpoint.Address", STRING),
            ("Queue", OBJECT),
            ("Queue.Name", STRING),
            ("Queue.EnqueueTimestamp", STRING),
            ("Queue.DequeueTimestamp", STRING),
            ("Queue.Duration", NUMBER),
            ("Agent", OBJECT),
            ("Agent.Username", STRING),
            ("Agent.ConnectedToAgentTimestamp", STRING),
            ("Agent.AgentInteractionDuration", NUMBER),
            ("Agent.CustomerHoldDuration", NUMBER),
            ("Agent.AfterContactWorkDuration", NUMBER),
            ("DisconnectReason", STRING),
            ("Attributes", OBJECT),
        ),
    ),
    EntityContract(
        "contact_center",
        "transcripts",
        "jsonl",
        "ContactId",
        _f(
            ("Channel", STRING),
            ("LanguageCode", STRING),
            ("Categories", OBJECT),
            ("Categories.MatchedCategories", ARRAY),
            ("ConversationCharacteristics", OBJECT),
            ("Transcript", ARRAY),
            ("Transcript[*].ParticipantId", STRING),
            ("Transcript[*].BeginOffsetMillis", INTEGER),
            ("Transcript[*].EndOffsetMillis", INTEGER),
            ("Transcript[*].Content", STRING),
        ),
    ),
    EntityContract(
        "digital",
        "events",
        "jsonl",
        "messageId",
        _f(
            ("type", STRING),
            ("anonymousId", ID),
            ("userId", ID),
            ("previousId", ID),
            ("event", STRING),
            ("name", STRING),
            ("properties", OBJECT),
            ("traits", OBJECT),
            ("context", OBJECT),
            ("timestamp", STRING),
            ("sentAt", STRING),
            ("receivedAt", STRING),
        ),
    ),
    EntityContract(
        "commerce",
        "customers",
        "jsonl",
        "id",
        _f(
            ("id", INTEGER),
            ("email", STRING),
            ("phone", STRING),
            ("first_name", STRING),
            ("last_name", STRING),
            ("state", STRING),
            ("verified_email", BOOLEAN),
            ("email_marketing_consent", OBJECT),
            ("email_marketing_consent.state", STRING),
            ("email_marketing_consent.consent_updated_at", STRING),
            ("default_address", OBJECT),
            ("default_address.address1", STRING),
            ("default_address.address2", STRING),
            ("default_address.city", STRING),
            ("default_address.province_code", STRING),
            ("default_address.zip", STRING),
            ("default_address.country_code", STRING),
            ("default_address.phone", STRING),
            ("tags", STRING_OR_ARRAY),
            ("created_at", STRING),
            ("updated_at", STRING),
        ),
    ),
    EntityContract(
        "commerce",
        "orders",
        "jsonl",
        "id",
        _f(
            ("id", INTEGER),
            ("name", STRING),
            ("order_number", INTEGER),
            ("email", STRING),
            ("phone", STRING),
            ("customer", OBJECT),
            ("customer.id", INTEGER),
            ("customer.email", STRING),
            ("created_at", STRING),
            ("updated_at", STRING),
            ("processed_at", STRING),
            ("cancelled_at", STRING),
            ("cancel_reason", STRING),
            ("financial_status", STRING),
            ("fulfillment_status", STRING),
            ("currency", STRING),
            ("total_price", STRING),
            ("billing_address", OBJECT),
            ("shipping_address", OBJECT),
            ("line_items", ARRAY),
            ("line_items[*].sku", STRING),
            ("line_items[*].quantity", INTEGER),
            ("line_items[*].price", STRING),
            ("fulfillments", ARRAY),
            ("fulfillments[*].tracking_number", STRING),
            ("fulfillments[*].created_at", STRING),
            ("refunds", ARRAY),
            ("browser_ip", STRING),
            ("note_attributes", ARRAY),
            ("note_attributes[*].name", STRING),
        ),
    ),
    EntityContract(
        "billing",
        "customers",
        "jsonl",
        "id",
        _f(
            ("id", STRING),
            ("email", STRING),
            ("phone", STRING),
            ("name", STRING),
            ("address", OBJECT),
            ("address.line1", STRING),
            ("address.line2", STRING),
            ("address.city", STRING),
            ("address.state", STRING),
            ("address.postal_code", STRING),
            ("address.country", STRING),
            ("metadata", OBJECT),
            ("delinquent", BOOLEAN),
            ("created", INTEGER),
            ("deleted", BOOLEAN),
        ),
    ),
    EntityContract(
        "billing",
        "invoices",
        "jsonl",
        "id",
        _f(
            ("id", STRING),
            ("customer", STRING),
            ("customer_email", STRING),
            ("status", STRING),
            ("amount_due", INTEGER),
            ("amount_paid", INTEGER),
            ("amount_remaining", INTEGER),
            ("currency", STRING),
            ("attempt_count", INTEGER),
            ("next_payment_attempt", INTEGER),
            ("billing_reason", STRING),
            ("created", INTEGER),
            ("due_date", INTEGER),
            ("status_transitions", OBJECT),
            ("status_transitions.finalized_at", INTEGER),
            ("status_transitions.paid_at", INTEGER),
            ("status_transitions.voided_at", INTEGER),
        ),
    ),
    EntityContract(
        "billing",
        "charges",
        "jsonl",
        "id",
        _f(
            ("id", STRING),
            ("customer", STRING),
            ("invoice", STRING),
            ("payment_intent", STRING),
            ("amount", INTEGER),
            ("currency", STRING),
            ("status", STRING),
            ("failure_code", STRING),
            ("failure_message", STRING),
            ("outcome", OBJECT),
            ("outcome.type", STRING),
            ("billing_details", OBJECT),
            ("created", INTEGER),
        ),
    ),
    EntityContract(
        "support",
        "users",
        "jsonl",
        "id",
        _f(
            ("id", ID),
            ("name", STRING),
            ("email", STRING),
            ("phone", STRING),
            ("external_id", STRING),
            ("role", STRING),
            ("shared_phone_number", BOOLEAN),
            ("created_at", STRING),
            ("updated_at", STRING),
        ),
    ),
    EntityContract(
        "support",
        "tickets",
        "jsonl",
        "id",
        _f(
            ("id", ID),
            ("external_id", STRING),
            ("via", OBJECT),
            ("via.channel", STRING),
            ("subject", STRING),
            ("description", STRING),
            ("type", STRING),
            ("priority", STRING),
            ("status", STRING),
            ("requester_id", ID),
            ("assignee_id", ID),
            ("tags", ARRAY),
            ("custom_fields", ARRAY),
            ("custom_fields[*].id", ID),
            ("satisfaction_rating", OBJECT),
            ("satisfaction_rating.score", STRING),
            ("created_at", STRING),
            ("updated_at", STRING),
        ),
    ),
    EntityContract(
        "logistics",
        "tracking_events",
        "jsonl",
        "id",
        _f(
            ("id", STRING),
            ("description", STRING),
            ("created_at", STRING),
            ("result", OBJECT),
            ("result.id", STRING),
            ("result.tracking_code", STRING),
            ("result.carrier", STRING),
            ("result.status", STRING),
            ("result.status_detail", STRING),
            ("result.est_delivery_date", STRING),
            ("result.updated_at", STRING),
            ("result.tracking_details", ARRAY),
            ("result.tracking_details[*].datetime", STRING),
            ("result.tracking_details[*].status", STRING),
            ("result.tracking_details[*].tracking_location", OBJECT),
        ),
    ),
    EntityContract(
        "privacy",
        "erasure_requests",
        "jsonl",
        "request_id",
        _f(
            ("request_id", STRING),
            ("identifier_type", STRING),
            ("identifier_value", STRING),
            ("requested_at", STRING),
        ),
    ),
)

SYSTEMS: tuple[str, ...] = tuple(dict.fromkeys(c.system for c in CONTRACTS))


def contracts_of(system: str) -> tuple[EntityContract, ...]:
    return tuple(c for c in CONTRACTS if c.system == system)


def contract_for(system: str, file_name: str) -> EntityContract | None:
    """The contract of ``<system>/<batch>/<file_name>``, or None for a file the contract lacks."""
    for c in contracts_of(system):
        if c.file_name == file_name:
            return c
    return None
