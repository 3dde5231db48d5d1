"""`customer-truth timeline`: the identifier resolves through the published lookup (a shared
household phone is refused with its candidates), and the page draws exactly the customer's own
events, one lane per channel, journeys outlined, every text escaped."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from datetime import UTC, datetime
from pathlib import Path

import pyarrow as pa
import pytest

from customer_truth.cli import main
from customer_truth.journeys.picture import (
    CustomerTimeline,
    TimelineLookupError,
    identifier_values,
    load_customer_timeline,
    render_timeline_html,
)
from customer_truth.publication.publisher import publish_release
from customer_truth.publication.reader import Release
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
    # the year before: the axis crosses a new year
    (ANN, "e0", datetime(2025, 12, 30, 10, tzinfo=UTC), "digital", "events", "web", "page_viewed", "Viewed /gifts", None),  # noqa: E501
] + [
    # a burst at the very moment the order journey starts, in the journey's top lane: the
    # marks stack in the web lane, under the journey's label, not over it
    (ANN, f"w{i:02}", _t(1, 9), "digital", "events", "web", "page_viewed", f"Viewed /track/{i}", "j_order")  # noqa: E501
    for i in range(12)
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


# ------------------------------------------------------------------------------------------
# the picture's geometry, read back from the SVG as a browser would draw it
# ------------------------------------------------------------------------------------------

SVG = "{http://www.w3.org/2000/svg}"
Box = tuple[float, float, float, float]  # x0, y0, x1, y1


def _picture(page: str) -> ET.Element:
    start = page.index("<svg")  # the picture; the legend's swatches come after it
    return ET.fromstring(page[start : page.index("</svg>", start) + len("</svg>")])


def _lane_bands(svg: ET.Element) -> dict[str, tuple[float, float]]:
    bands = {}
    for lane in svg.iter(f"{SVG}g"):
        if lane.get("class") == "lane":
            rect = lane.find(f"{SVG}rect")
            assert rect is not None
            y = float(rect.get("y", "0"))
            bands[lane.get("data-lane", "")] = (y, y + float(rect.get("height", "0")))
    return bands


def _marks(svg: ET.Element) -> dict[str, Box]:
    marks = {}
    for mark in svg.iter(f"{SVG}g"):
        if mark.get("class") == "event":
            circle = mark.find(f"{SVG}circle")
            assert circle is not None
            x, y, r = (float(circle.get(a, "0")) for a in ("cx", "cy", "r"))
            marks[mark.get("data-event-id", "")] = (x - r, y - r, x + r, y + r)
    return marks


def _journey_labels(svg: ET.Element) -> list[Box]:
    # 12px bold text: a generous box, 0.65 em a character, from an em above the baseline to a
    # quarter below
    labels = []
    for text in svg.iter(f"{SVG}text"):
        if text.get("class") == "journey-label":
            x, y, size = float(text.get("x", "0")), float(text.get("y", "0")), 12.0
            labels.append((x, y - size, x + len(text.text or "") * size * 0.65, y + size / 4))
    return labels


def _overlap(a: Box, b: Box) -> bool:
    return a[0] < b[2] and b[0] < a[2] and a[1] < b[3] and b[1] < a[3]


def _no_overlaps(boxes: list[Box]) -> list[tuple[Box, Box]]:
    return [(a, b) for i, a in enumerate(boxes) for b in boxes[i + 1 :] if _overlap(a, b)]


def _ann_page(settings: Settings) -> str:
    return render_timeline_html(load_customer_timeline(settings, ANN))


def test_simultaneous_events_stack_inside_their_own_lane_without_touching(
    settings: Settings,
) -> None:
    svg = _picture(_ann_page(settings))
    bands, marks = _lane_bands(svg), _marks(svg)
    channel = {e[1]: e[5] for e in EVENTS if e[0] == ANN}
    assert set(marks) == set(channel)
    for event_id, (_, y0, _, y1) in marks.items():
        top, bottom = bands[channel[event_id]]
        assert top <= y0 and y1 <= bottom, f"{event_id} leaves its {channel[event_id]} lane"
    # regression: the 13 marks at one moment in the web lane used to fan out over 5 offsets
    assert _no_overlaps(list(marks.values())) == []


def test_journey_labels_never_cover_a_mark_or_each_other(settings: Settings) -> None:
    svg = _picture(_ann_page(settings))
    labels, marks = _journey_labels(svg), list(_marks(svg).values())
    assert len(labels) == 2
    assert [(label, m) for label in labels for m in marks if _overlap(label, m)] == []
    assert _no_overlaps(labels) == []


def test_the_legend_names_every_channel_drawn_with_its_source_systems(
    settings: Settings,
) -> None:
    page = _ann_page(settings)
    legend = re.findall(r'<li class="legend-channel" data-channel="([^"]+)">(.*?)</li>', page)
    systems = {e[5]: e[3] for e in EVENTS if e[0] == ANN}
    assert sorted(channel for channel, _ in legend) == sorted(systems)
    for channel, entry in legend:
        assert systems[channel] in entry
    assert "dashed still open" in page  # what the outlines mean


def test_the_axis_names_the_year_where_the_picture_starts_and_where_it_changes(
    settings: Settings,
) -> None:
    svg = _picture(_ann_page(settings))
    context = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tick-context"]
    assert context == ["2025", "2026"]  # Dec 30, 2025 -> Mar 9, 2026: monthly ticks


def test_the_picture_has_no_fixed_size_and_scales_to_the_window(settings: Settings) -> None:
    page = _ann_page(settings)
    svg = _picture(page)
    assert svg.get("width") is None and svg.get("height") is None
    assert len((svg.get("viewBox") or "").split()) == 4
    assert "svg.timeline { display: block; width: 100%; height: auto;" in page


def test_a_crowd_of_hundreds_at_one_moment_stays_in_its_lane_and_inside_the_picture() -> None:
    # an hourly axis across midnight on New Year's Eve, and a crowd too big to stack: past the
    # tallest stack marks move right, still without touching
    moment = datetime(2025, 12, 31, 23, 30, tzinfo=UTC)
    events = [
        {
            "customer_id": ANN,
            "event_id": f"b{i:03}",
            "occurred_at": moment,
            "source_system": "digital",
            "channel": "web",
            "event_type": "page_viewed",
            "summary": "",
            "journey_id": "j",
        }
        for i in range(200)
    ] + [
        {
            "customer_id": ANN,
            "event_id": "late",
            "occurred_at": datetime(2026, 1, 1, 2, tzinfo=UTC),
            "source_system": "contact_center",
            "channel": "voice",
            "event_type": "contact_inbound",
            "summary": "",
            "journey_id": None,
        }
    ]
    release = Release("pub-x", datetime.now(UTC), {})
    svg = _picture(render_timeline_html(CustomerTimeline(ANN, release, events)))
    bands, marks = _lane_bands(svg), _marks(svg)
    width = float((svg.get("viewBox") or "").split()[2])
    for event_id, (x0, y0, x1, y1) in marks.items():
        top, bottom = bands["voice" if event_id == "late" else "web"]
        assert top <= y0 and y1 <= bottom and 0 <= x0 and x1 <= width
    assert _no_overlaps(list(marks.values())) == []
    assert [
        label for label in _journey_labels(svg) for m in marks.values() if _overlap(label, m)
    ] == []
    context = [t.text for t in svg.iter(f"{SVG}text") if t.get("class") == "tick-context"]
    assert context == ["Dec 31 2025", "Jan 01 2026"]
