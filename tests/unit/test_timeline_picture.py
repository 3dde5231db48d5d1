"""`customer-truth timeline`: the identifier resolves through the published lookup (a shared
household phone is refused with its candidates), and the page draws exactly the customer's own
events, one lane per channel, journeys outlined, every text escaped."""

from __future__ import annotations

import re
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from customer_truth.cli import main
from customer_truth.journeys.picture import (
    TimelineLookupError,
    identifier_values,
    load_customer_timeline,
    render_timeline_html,
)
from customer_truth.publication.publisher import publish_release
from customer_truth.publication.registry import published_table
from customer_truth.settings import Settings
from tests.publication_helpers import PASSED, candidates_of

TABLES = tuple(
    published_table(key)
    for key in ("customer_profile", "identifier_lookup", "customer_timeline", "fct_issue_journeys")
)
ANN, BEN = "ct_000001", "ct_000002"
HOUSEHOLD_PHONE = "+14155550100"
NASTY = 'Customer wrote: <script>alert("x")</script> & "thanks"'


def _t(day: int, hour: int) -> datetime:
    return datetime(2026, 3, day, hour, tzinfo=UTC)


# (customer, event_id, time, system, entity, channel, type, summary, journey)
EVENTS = [
    (ANN, "e1", _t(1, 9), "commerce", "orders", "shop", "order_placed", "Order #1001 placed: 2 items", "j_order"),  # noqa: E501
    (ANN, "e2", _t(3, 10), "logistics", "tracking_events", "shipping", "shipment_exception", "Parcel 1Z99 held at depot", "j_order"),  # noqa: E501
    (ANN, "e3", _t(4, 8), "digital", "events", "web", "help_article_viewed", "Read: Where is my order?", "j_order"),  # noqa: E501
    (ANN, "e4", _t(4, 9), "contact_center", "contact_records", "voice", "contact_inbound", "Inbound call about order #1001", "j_order"),  # noqa: E501
    (ANN, "e5", _t(4, 9), "contact_center", "contact_records", "voice", "contact_transferred", "Transferred to Priority", "j_order"),  # noqa: E501
    (ANN, "e6", _t(6, 14), "billing", "invoices", "billing", "invoice_created", "Invoice in_7 for $12.00", "j_invoice"),  # noqa: E501
    (ANN, "e7", _t(7, 11), "support", "tickets", "ticket", "ticket_created", NASTY, "j_invoice"),
    (ANN, "e8", _t(9, 16), "digital", "events", "web", "page_viewed", "Viewed /account", None),
    (BEN, "e9", _t(2, 12), "contact_center", "contact_records", "chat", "contact_inbound", "OTHER CUSTOMER EVENT", "j_ben"),  # noqa: E501
]  # fmt: skip


def _release(settings: Settings) -> None:
    ts = pa.timestamp("us", "UTC")
    timeline = pa.table(
        {
            "customer_id": [e[0] for e in EVENTS],
            "event_id": [e[1] for e in EVENTS],
            "occurred_at": pa.array([e[2] for e in EVENTS], ts),
            "source_system": [e[3] for e in EVENTS],
            "source_entity": [e[4] for e in EVENTS],
            "source_record_id": [f"rec_{e[1]}" for e in EVENTS],
            "channel": [e[5] for e in EVENTS],
            "event_type": [e[6] for e in EVENTS],
            "summary": [e[7] for e in EVENTS],
            "journey_id": [e[8] for e in EVENTS],
        }
    )
    lookup = pa.table(
        {
            "identifier_type": ["email", "phone", "phone", "order_name", "crm_contact_id"],
            "identifier_value": [
                "ann@example.org",
                HOUSEHOLD_PHONE,
                HOUSEHOLD_PHONE,
                "#1001",
                "003A1",
            ],  # fmt: skip
            "customer_id": [ANN, ANN, BEN, ANN, ANN],
        }
    )
    profile = pa.table(
        {
            "customer_id": [ANN, BEN],
            "given_name": ["Ann", "Ben"],
            "family_name": ["Lee", "Lee"],
            "email": ["ann@example.org", None],
            "phone": [HOUSEHOLD_PHONE, HOUSEHOLD_PHONE],
        }
    )
    journeys = pa.table(
        {
            "journey_id": ["j_order", "j_invoice", "j_ben"],
            "customer_id": [ANN, ANN, BEN],
            "anchor_type": ["order", "invoice", "topic"],
            "topic": ["where_is_my_order", "billing_issue", "returns"],
            "started_at": pa.array([_t(1, 9), _t(6, 14), _t(2, 12)], ts),
            "is_open": [False, True, False],
            "resolution": ["delivered", None, "resolved_in_contact"],
            "contact_count": [1, 0, 1],
        }
    )
    candidates = candidates_of(
        {
            "customer_profile": profile,
            "identifier_lookup": lookup,
            "customer_timeline": timeline,
            "marts/fct_issue_journeys": journeys,
        }
    )
    publish_release(
        settings, "pub-1", datetime.now(UTC), PASSED, tables=TABLES, candidates=candidates
    )


@pytest.fixture
def settings(tmp_path: Path) -> Settings:
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    _release(settings)
    return settings


def test_identifiers_are_normalised_as_the_lookup_stores_them() -> None:
    assert "ann@example.org" in identifier_values("  Ann@Example.ORG ")
    assert "+14155550100" in identifier_values("(415) 555-0100")
    assert "#1001" in identifier_values("Order #01001")
    assert "1Z999AA10123456784" in identifier_values("1z999aa1 0123456784")


@pytest.mark.parametrize("identifier", [" ANN@example.org", "Order 1001", "003A1", ANN])
def test_any_identifier_of_the_customer_finds_the_customer(
    settings: Settings, identifier: str
) -> None:
    assert load_customer_timeline(settings, identifier).customer_id == ANN


def test_a_shared_household_phone_is_refused_with_its_candidates(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(TimelineLookupError) as raised:
        load_customer_timeline(settings, "415.555.0100")
    assert {c.customer_id for c in raised.value.candidates} == {ANN, BEN}
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(settings.home))
    out = settings.home / "x.html"
    assert main(["timeline", "415 555 0100", "--out", str(out)]) != 0
    printed = capsys.readouterr().out
    assert ANN in printed and BEN in printed and not out.exists()
    assert main(["timeline", "nobody@example.org", "--out", str(out)]) != 0


def test_the_page_draws_exactly_the_customers_events_lanes_and_journeys(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("CUSTOMER_TRUTH_HOME", str(settings.home))
    out = tmp_path / "ann.html"
    assert main(["timeline", "ann@example.org", "--out", str(out)]) == 0
    page = out.read_text(encoding="utf-8")
    assert page == render_timeline_html(load_customer_timeline(settings, ANN))

    mine = [e for e in EVENTS if e[0] == ANN]
    lanes = re.findall(r'<g class="lane" data-lane="([^"]+)"', page)
    assert sorted(lanes) == sorted({e[5] for e in mine})  # one lane per channel, once each
    marks = re.findall(r'<g class="event" data-event-id="([^"]+)"', page)
    assert sorted(marks) == sorted(e[1] for e in mine)
    for event in mine:
        if event[7] != NASTY:
            assert event[7] in page
    outlines = re.findall(r'<g class="journey" data-journey="([^"]+)"', page)
    assert sorted(outlines) == ["j_invoice", "j_order"]
    assert "where_is_my_order" in page and "stroke-dasharray" in page  # the open one dashed
    # nobody else's events
    assert "OTHER CUSTOMER EVENT" not in page and "j_ben" not in page and "e9" not in marks
    # escaped everywhere, and self-contained: no script, nothing fetched
    assert "<script" not in page
    assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; &quot;thanks&quot;" in page
    assert not re.search(r"(src|href)=", page) and "http://" not in page.replace(
        'xmlns="http://www.w3.org/2000/svg"', ""
    )
    # the typed identifier is not written into the page
    assert "ann@example.org" not in page
