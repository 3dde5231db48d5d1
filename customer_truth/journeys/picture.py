"""``customer-truth timeline IDENTIFIER --out FILE.html``: one customer's journey, drawn.

The identifier resolves like any lookup: an email or phone as people type them, an order name
(``#1234``, ``Order 1234``), a tracking code, any system's record id, or a customer_id, through
the published ``identifier_lookup`` of the current release. An identifier several customers
share (a household landline) is not guessed: the candidates are returned and the command exits
non-zero.

The page is self-contained (inline SVG and CSS, no script, no network): swimlanes per channel
over time, each event a mark whose hover text (the SVG ``<title>``) gives its time, type and
summary, each issue journey outlined around its events; under the picture the same events and
journeys as tables. Everything is read from one release through ``publication.reader``;
summaries are already redacted there. All text goes through ``html.escape``. The page names the
customer_id only, never the identifier typed to find it (the file may be shared).
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.compute as pc

from customer_truth.publication.reader import NoReleaseError, Release, current_release, read_table
from customer_truth.retrieval.identifiers import candidate_keys
from customer_truth.settings import Settings

# swimlanes top to bottom: the customer's own touchpoints first, then what the business did
CHANNEL_ORDER = (
    "web", "app", "voice", "chat", "email", "task", "ticket", "shop", "shipping", "billing",
)  # fmt: skip
CHANNEL_COLOURS = {
    "web": "#4e79a7", "app": "#76b7b2", "voice": "#e15759", "chat": "#f28e2b",
    "email": "#edc948", "task": "#b07aa1", "ticket": "#ff9da7", "shop": "#59a14f",
    "shipping": "#9c755f", "billing": "#bab0ac",
}  # fmt: skip
JOURNEY_COLOURS = ("#1f77b4", "#d62728", "#2ca02c", "#9467bd", "#ff7f0e", "#17becf", "#8c564b")

TIMELINE_COLUMNS = [
    "customer_id", "event_id", "occurred_at", "source_system", "source_entity",
    "source_record_id", "channel", "event_type", "summary", "journey_id",
]  # fmt: skip

# layout (px)
_LABEL_W, _PLOT_W, _RIGHT_PAD = 96, 1040, 24
_AXIS_H, _LANE_H, _JOURNEY_LABEL_H = 34, 58, 18
_STACK_OFFSETS = (0, -10, 10, -20, 20)  # marks closer than _STACK_GAP in a lane fan out
_STACK_GAP = 9


class TimelineLookupError(LookupError):
    """The identifier names no customer, several customers, or nothing is published."""

    def __init__(self, message: str, candidates: list[Candidate] | None = None) -> None:
        super().__init__(message)
        self.candidates = candidates or []


@dataclass(frozen=True)
class Candidate:
    customer_id: str
    matched: tuple[str, ...]  # identifier types that matched, e.g. ("phone",)
    name: str | None = None


@dataclass
class CustomerTimeline:
    customer_id: str
    release: Release
    events: list[dict[str, Any]]
    journeys: dict[str, dict[str, Any]] = field(default_factory=dict)


def identifier_values(identifier: str) -> set[str]:
    """Every normalised form the typed identifier could take in identifier_lookup (the
    retrieval API's reading of it), and the text as typed."""
    text = identifier.strip()
    return {text} | {key.identifier_value for key in candidate_keys(text)}


def resolve_customer(settings: Settings, identifier: str, release: Release) -> str:
    """The one customer_id the identifier resolves to, or TimelineLookupError."""
    lookup = read_table(
        settings,
        "identifier_lookup",
        release=release,
        columns=["identifier_type", "identifier_value", "customer_id"],
    )
    # a customer_id itself first: free text read as a phone (letters dial as digits) must not
    # shadow it
    text = identifier.strip()
    if pc.any(pc.equal(lookup["customer_id"], text)).as_py():
        return text
    values = pa.array(sorted(identifier_values(identifier)), pa.string())
    matched = lookup.filter(pc.is_in(lookup["identifier_value"], value_set=values))
    by_customer: dict[str, set[str]] = {}
    for row in matched.to_pylist():
        by_customer.setdefault(row["customer_id"], set()).add(row["identifier_type"])
    if not by_customer:
        # a customer with events but no identifier left in the lookup
        timeline = read_table(
            settings, "customer_timeline", release=release, columns=["customer_id"]
        )
        if pc.any(pc.equal(timeline["customer_id"], text)).as_py():
            return text
        raise TimelineLookupError("no published customer has this identifier")
    if len(by_customer) == 1:
        return next(iter(by_customer))
    names = _names(settings, release, sorted(by_customer))
    candidates = [
        Candidate(cid, tuple(sorted(types)), names.get(cid))
        for cid, types in sorted(by_customer.items())
    ]
    raise TimelineLookupError(
        f"the identifier is shared by {len(candidates)} customers; run again with a customer_id",
        candidates,
    )


def _names(settings: Settings, release: Release, customer_ids: list[str]) -> dict[str, str]:
    if "customer_profile" not in release.table_versions:
        return {}
    profile = read_table(
        settings, "customer_profile", release=release, where=[("customer_id", "in", customer_ids)]
    )
    if "given_name" not in profile.column_names:
        return {}
    rows = profile.to_pylist()
    return {
        r["customer_id"]: " ".join(p for p in (r.get("given_name"), r.get("family_name")) if p)
        for r in rows
    }


def load_customer_timeline(
    settings: Settings, identifier: str, release: Release | None = None
) -> CustomerTimeline:
    """The customer's events (oldest first) and journeys from one release."""
    release = release or current_release(settings)
    if release is None:
        raise NoReleaseError("nothing is published yet: run the main job first")
    customer_id = resolve_customer(settings, identifier, release)
    mine = [("customer_id", "=", customer_id)]
    timeline = read_table(settings, "customer_timeline", release=release, where=mine)
    columns = [c for c in TIMELINE_COLUMNS if c in timeline.column_names]
    events = sorted(
        timeline.select(columns).to_pylist(), key=lambda e: (e["occurred_at"], e["event_id"])
    )
    journeys: dict[str, dict[str, Any]] = {}
    if "marts/fct_issue_journeys" in release.table_versions:
        rows = read_table(settings, "marts/fct_issue_journeys", release=release, where=mine)
        journeys = {r["journey_id"]: r for r in rows.to_pylist()}
    return CustomerTimeline(customer_id, release, events, journeys)


# ------------------------------------------------------------------------------------------
# drawing
# ------------------------------------------------------------------------------------------


def _e(value: object) -> str:
    return html.escape("" if value is None else str(value), quote=True)


def _utc(when: datetime) -> datetime:
    return when.replace(tzinfo=UTC) if when.tzinfo is None else when.astimezone(UTC)


def _fmt(when: datetime | None) -> str:
    return "" if when is None else _utc(when).strftime("%Y-%m-%d %H:%M UTC")


def _lanes(events: list[dict[str, Any]]) -> list[str]:
    present = {e["channel"] or "unknown" for e in events}
    known = [c for c in CHANNEL_ORDER if c in present]
    return known + sorted(present - set(CHANNEL_ORDER))


_TICK_STEPS = (
    timedelta(hours=1), timedelta(hours=3), timedelta(hours=6), timedelta(hours=12),
    timedelta(days=1), timedelta(days=2), timedelta(days=7), timedelta(days=14),
    timedelta(days=30), timedelta(days=91), timedelta(days=365),
)  # fmt: skip


def _ticks(start: datetime, end: datetime) -> list[datetime]:
    span = end - start
    step = next((s for s in _TICK_STEPS if span / s <= 10), _TICK_STEPS[-1])
    if step >= timedelta(days=1):
        tick = start.replace(hour=0, minute=0, second=0, microsecond=0)
    else:
        tick = start.replace(minute=0, second=0, microsecond=0)
    ticks = []
    while tick <= end:
        if tick >= start:
            ticks.append(tick)
        tick += step
    return ticks


def _journey_label(journey_id: str, number: int, info: dict[str, Any] | None) -> str:
    if not info:
        return f"J{number}"
    state = "open" if info.get("is_open") else (info.get("resolution") or "ended")
    return f"J{number} {info.get('topic') or info.get('anchor_type') or ''} · {state}"


def render_timeline_html(data: CustomerTimeline) -> str:
    """The self-contained HTML page (see the module docstring)."""
    events = data.events
    lanes = _lanes(events) or ["(no events)"]
    lane_y = {lane: _AXIS_H + _JOURNEY_LABEL_H + i * _LANE_H for i, lane in enumerate(lanes)}
    times = [_utc(e["occurred_at"]) for e in events]
    start = min(times) if times else datetime.now(UTC)
    end = max(times) if times else start
    if end - start < timedelta(hours=2):
        start, end = start - timedelta(hours=1), end + timedelta(hours=1)
    pad = (end - start) * 0.03
    start, end = start - pad, end + pad
    span = (end - start).total_seconds()

    def x_of(when: datetime) -> float:
        return _LABEL_W + (_utc(when) - start).total_seconds() / span * _PLOT_W

    width = _LABEL_W + _PLOT_W + _RIGHT_PAD
    height = _AXIS_H + _JOURNEY_LABEL_H + len(lanes) * _LANE_H + 10
    svg: list[str] = [
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{height}" '
        f'viewBox="0 0 {width} {height}" role="img" aria-label="customer timeline">'
    ]
    # lanes
    for i, lane in enumerate(lanes):
        y = lane_y[lane]
        fill = "#f7f7f9" if i % 2 == 0 else "#ffffff"
        svg.append(
            f'<g class="lane" data-lane="{_e(lane)}"><rect x="0" y="{y}" width="{width}" '
            f'height="{_LANE_H}" fill="{fill}"/><text class="lane-label" x="8" '
            f'y="{y + _LANE_H / 2 + 4}">{_e(lane)}</text></g>'
        )
    # time axis with day/hour ticks
    for tick in _ticks(start, end):
        x = x_of(tick)
        label = tick.strftime("%b %d" if tick.hour == 0 else "%b %d %H:%M")
        svg.append(
            f'<line class="tick" x1="{x:.1f}" y1="{_AXIS_H - 6}" x2="{x:.1f}" y2="{height - 10}"/>'
            f'<text class="tick-label" x="{x:.1f}" y="{_AXIS_H - 12}">{_e(label)}</text>'
        )
    # journeys: an outline around the span and lanes of their events, numbered in start order
    members: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event.get("journey_id"):
            members.setdefault(event["journey_id"], []).append(event)
    numbers = {jid: n for n, jid in enumerate(members, start=1)}  # events are in time order
    for jid, group in members.items():
        n = numbers[jid]
        colour = JOURNEY_COLOURS[(n - 1) % len(JOURNEY_COLOURS)]
        inset = ((n - 1) % 3) * 3  # overlapping outlines stay distinguishable
        x0 = x_of(min(e["occurred_at"] for e in group)) - 10 + inset
        x1 = x_of(max(e["occurred_at"] for e in group)) + 10 - inset
        ys = [lane_y[e["channel"] or "unknown"] for e in group]
        y0, y1 = min(ys) + 4 + inset, max(ys) + _LANE_H - 4 - inset
        info = data.journeys.get(jid)
        label = _journey_label(jid, n, info)
        dash = ' stroke-dasharray="6 4"' if info and info.get("is_open") else ""
        tip = (
            f"{label}\n{_fmt(min(e['occurred_at'] for e in group))} → "
            f"{_fmt(max(e['occurred_at'] for e in group))}\n{len(group)} events"
        )
        if info:
            tip += f"; contacts: {info.get('contact_count')}; journey_id: {jid}"
        svg.append(
            f'<g class="journey" data-journey="{_e(jid)}"><title>{_e(tip)}</title>'
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{max(x1 - x0, 4):.1f}" '
            f'height="{y1 - y0:.1f}" rx="8" fill="{colour}" fill-opacity="0.07" '
            f'stroke="{colour}" stroke-width="2"{dash}/>'
            # the short number only: long labels collide; the tooltip and table say the rest
            f'<text class="journey-label" x="{x0 + 2:.1f}" y="{y0 - 3:.1f}" '
            f'fill="{colour}">J{n}</text></g>'
        )
    # events: one mark each; near-simultaneous marks in a lane fan out vertically
    last_x: dict[str, float] = {}
    stack: dict[str, int] = {}
    for event in events:
        lane = event["channel"] or "unknown"
        x = x_of(event["occurred_at"])
        crowded = lane in last_x and x - last_x[lane] < _STACK_GAP
        stack[lane] = stack.get(lane, 0) + 1 if crowded else 0
        last_x[lane] = x
        cy = lane_y[lane] + _LANE_H / 2 + _STACK_OFFSETS[stack[lane] % len(_STACK_OFFSETS)]
        journey = event.get("journey_id")
        tip = f"{_fmt(event['occurred_at'])} · {lane} · {event['event_type']}\n{event['summary']}"
        if journey:
            tip += f"\n{_journey_label(journey, numbers[journey], data.journeys.get(journey))}"
        svg.append(
            f'<g class="event" data-event-id="{_e(event["event_id"])}"><title>{_e(tip)}</title>'
            f'<circle cx="{x:.1f}" cy="{cy:.1f}" r="5.5" '
            f'fill="{CHANNEL_COLOURS.get(lane, "#888888")}"/></g>'
        )
    svg.append("</svg>")

    journey_rows = "".join(
        "<tr>"
        f"<td>J{numbers[jid]}</td><td>{_e((info or {}).get('topic'))}</td>"
        f"<td>{_e((info or {}).get('anchor_type'))}</td>"
        f"<td>{_e(_fmt(min(e['occurred_at'] for e in members[jid])))}</td>"
        f"<td>{'open' if (info or {}).get('is_open') else _e((info or {}).get('resolution'))}</td>"
        f"<td>{_e((info or {}).get('contact_count'))}</td>"
        f"<td>{_e(', '.join(sorted({e['channel'] or 'unknown' for e in members[jid]})))}</td>"
        f"<td><code>{_e(jid)}</code></td></tr>"
        for jid in members
        for info in [data.journeys.get(jid)]
    )
    event_rows = "".join(
        f'<tr data-event-id="{_e(e["event_id"])}">'
        f'<td class="time">{_e(_fmt(e["occurred_at"]))}</td>'
        f"<td>{_e(e['channel'])}</td><td>{_e(e['event_type'])}</td>"
        f"<td>{_e(e['summary'])}</td>"
        f"<td>{_e('J' + str(numbers[e['journey_id']]) if e.get('journey_id') else '')}</td></tr>"
        for e in events
    )
    first, last = (_fmt(times[0]), _fmt(times[-1])) if times else ("", "")
    title = f"Customer timeline · {data.customer_id}"
    return f"""<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8">
<title>{_e(title)}</title>
<style>
body {{ font: 14px/1.4 system-ui, -apple-system, "Segoe UI", sans-serif; margin: 24px;
  color: #222; }}
h1 {{ font-size: 20px; margin: 0 0 4px; }}
.meta {{ color: #555; margin-bottom: 14px; }}
.scroll {{ overflow-x: auto; border: 1px solid #ddd; }}
svg text {{ font: 12px system-ui, sans-serif; }}
.lane-label {{ font-weight: 600; fill: #333; }}
.tick {{ stroke: #ddd; }}
.tick-label {{ fill: #666; text-anchor: middle; font-size: 11px; }}
.journey-label {{ font-size: 11px; font-weight: 600; }}
.event circle {{ stroke: #222; stroke-width: 1; }}
.event:hover circle {{ stroke-width: 3; }}
.journey:hover rect {{ fill-opacity: 0.18; }}
td.time {{ white-space: nowrap; }}
table {{ border-collapse: collapse; margin-top: 8px; font-size: 13px; }}
th, td {{ border-bottom: 1px solid #eee; padding: 3px 10px 3px 0; text-align: left;
  vertical-align: top; }}
th {{ color: #555; }}
h2 {{ font-size: 16px; margin: 22px 0 4px; }}
</style></head>
<body>
<h1>{_e(title)}</h1>
<div class="meta">{len(events)} events in {len(lanes) if events else 0} channels, \
{len(members)} issue journeys, {_e(first)} – {_e(last)} \
· release {_e(data.release.publication_id)} \
· hover a mark for its summary; outlines are issue journeys (dashed: still open)</div>
<div class="scroll">{"".join(svg)}</div>
<h2>Issue journeys</h2>
<table><tr><th></th><th>topic</th><th>anchor</th><th>started</th><th>resolution</th>
<th>contacts</th><th>channels</th><th>journey_id</th></tr>{journey_rows}</table>
<h2>Events</h2>
<table><tr><th>time</th><th>channel</th><th>type</th><th>summary</th><th>journey</th></tr>
{event_rows}</table>
</body></html>
"""


def write_timeline(settings: Settings, identifier: str, out: Path) -> CustomerTimeline:
    """Resolve, read and draw; write the page to ``out``."""
    data = load_customer_timeline(settings, identifier)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_timeline_html(data), encoding="utf-8")
    return data
