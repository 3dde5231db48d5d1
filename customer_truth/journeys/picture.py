"""``customer-truth timeline IDENTIFIER --out FILE.html``: one customer's journey, drawn.

The identifier resolves like any lookup: an email or phone as people type them, an order name
(``#1234``, ``Order 1234``), a tracking code, any system's record id, or a customer_id, through
the published ``identifier_lookup`` of the current release. An identifier several customers
share (a household landline) is not guessed: the candidates are returned and the command exits
non-zero.

The page is self-contained (inline SVG and CSS, no script, no network): swimlanes per channel
over time, each event a mark whose hover text (the SVG ``<title>``) gives its time, type and
summary, each issue journey outlined around its events; a legend (channels with their source
systems, what marks and outlines mean); under the picture the same events and journeys as
tables. The layout is fixed in viewBox units and the page scales it to the window, so what
holds at one width holds at all: marks at the same moment stack in rows inside their own lane
(which grows to fit), no two marks touch, journey numbers sit in a strip at the top of a lane
where marks never go, and the axis names the year (the date, for hourly ticks) the picture
starts in and every tick where it changes. Everything is read from one release through
``publication.reader``; summaries are already redacted there. All text goes through
``html.escape``. The page names the customer_id only, never the identifier typed to find it
(the file may be shared).

The SVG is drawn here, mark by mark, from the layout; the page around it (header, legend,
tables) is the Jinja template ``templates/timeline.html``, autoescaped, and its style
``templates/timeline.css``.
"""

from __future__ import annotations

import html
import math
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

import jinja2
import pyarrow as pa
import pyarrow.compute as pc
from markupsafe import Markup

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

# the page around the picture: timeline.html (autoescaped Jinja) and its style, timeline.css
TEMPLATES_DIR = Path(__file__).parent / "templates"

TIMELINE_COLUMNS = [
    "customer_id", "event_id", "occurred_at", "source_system", "source_entity",
    "source_record_id", "channel", "event_type", "summary", "journey_id",
]  # fmt: skip

# layout, in viewBox units: the page scales the drawing to the window's width (timeline.css)
_LABEL_W, _PLOT_W, _RIGHT_PAD = 96, 880, 24
_AXIS_H = 44  # two rows of axis text: the year (or date) where it changes, then the ticks
_STRIP_H = 17  # the top of every lane holds journey labels; marks never enter it
_ROW_H = 13  # one row of marks; a mark that would touch an earlier one takes the next row
_MARK_R = 5.0
_MARK_GAP = 2.0  # the least space between two marks in a row
_MIN_ROWS, _MAX_ROWS = 3, 9  # past _MAX_ROWS a crowd moves right instead of growing the lane
_LANE_PAD = 8  # below the last row: room for nested journey outlines
_LABEL_FONT = 12
_CHAR_W = 0.7  # a character's width as a share of its font size, generous for any sans font


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


def _channel(event: dict[str, Any]) -> str:
    return event["channel"] or "unknown"


def _lanes(events: list[dict[str, Any]]) -> list[str]:
    present = {_channel(e) for e in events}
    known = [c for c in CHANNEL_ORDER if c in present]
    return known + sorted(present - set(CHANNEL_ORDER))


def _text_width(text: str, font_size: float = _LABEL_FONT) -> float:
    return len(text) * font_size * _CHAR_W


# calendar units of the axis, with their rough length to choose one giving at most ten ticks
_TICK_UNITS = (
    ("hour", 1, 3600), ("hour", 3, 3600), ("hour", 6, 3600), ("hour", 12, 3600),
    ("day", 1, 86400), ("day", 2, 86400), ("week", 1, 7 * 86400),
    ("month", 1, 30.44 * 86400), ("month", 3, 30.44 * 86400), ("month", 6, 30.44 * 86400),
    ("year", 1, 365.25 * 86400),
)  # fmt: skip


def _add_months(when: datetime, months: int) -> datetime:
    index = when.year * 12 + when.month - 1 + months
    return when.replace(year=index // 12, month=index % 12 + 1)


def _ticks(start: datetime, end: datetime) -> tuple[str, list[datetime]]:
    """Ticks on whole hours, days, Mondays, months or years (at most about ten), and the unit."""
    seconds = (end - start).total_seconds()
    unit, n, length = next(
        (u for u in _TICK_UNITS if seconds / (u[1] * u[2]) <= 10), _TICK_UNITS[-1]
    )
    if unit == "year":
        n = max(1, math.ceil(seconds / length / 10))
    day = start.replace(hour=0, minute=0, second=0, microsecond=0)
    if unit == "hour":
        tick = start.replace(minute=0, second=0, microsecond=0)
        tick -= timedelta(hours=tick.hour % n)
    elif unit == "day":
        tick = day
    elif unit == "week":
        tick = day - timedelta(days=day.weekday())
    elif unit == "month":
        tick = _add_months(day.replace(day=1), -((day.month - 1) % n))
    else:
        tick = day.replace(month=1, day=1, year=day.year - day.year % n)
    ticks = []
    while tick <= end:
        if tick >= start:
            ticks.append(tick)
        if unit in ("hour", "day", "week"):
            hours = {"hour": n, "day": 24 * n, "week": 24 * 7 * n}[unit]
            tick += timedelta(hours=hours)
        else:
            tick = _add_months(tick, n * (12 if unit == "year" else 1))
    return unit, ticks


def _axis(start: datetime, end: datetime, x_of: Any, bottom: float) -> list[str]:
    """Grid lines and two rows of labels: the ticks, and above them the year (the date, for
    hourly ticks) the picture starts in, over the lane names, then again at every tick where
    it changes; so no tick's date is ambiguous."""
    unit, ticks = _ticks(start, end)
    tick_format = {"hour": "%H:%M", "day": "%b %d", "week": "%b %d", "month": "%b"}
    context_format = "%b %d %Y" if unit == "hour" else "%Y"
    shown = start.strftime(context_format)
    parts = [f'<text class="tick-context" x="8" y="{_AXIS_H - 28}">{_e(shown)}</text>']
    for tick in ticks:
        x = x_of(tick)
        label = tick.strftime(tick_format.get(unit, "%Y"))
        parts.append(
            f'<line class="tick" x1="{x:.1f}" y1="{_AXIS_H - 8}" x2="{x:.1f}" y2="{bottom:.1f}"/>'
            f'<text class="tick-label" x="{x:.1f}" y="{_AXIS_H - 12}">{_e(label)}</text>'
        )
        context = tick.strftime(context_format)
        if unit != "year" and context != shown:  # a yearly tick names its year already
            parts.append(
                f'<text class="tick-context" x="{x:.1f}" y="{_AXIS_H - 28}">{_e(context)}</text>'
            )
            shown = context
    return parts


def _pack_lane(xs: list[float]) -> list[tuple[float, int]]:
    """(x, row) for one lane's marks in time order: each mark takes the first row where it
    clears the row's last mark; when all _MAX_ROWS rows are taken, it moves right to the
    earliest free place (its tooltip keeps the exact time). No two marks overlap."""
    ends: list[float] = []  # per row, where the next mark may start
    placed = []
    for x in xs:
        row = next((k for k, end in enumerate(ends) if x >= end), None)
        if row is None and len(ends) < _MAX_ROWS:
            row = len(ends)
            ends.append(x)
        elif row is None:
            row = min(range(len(ends)), key=ends.__getitem__)
            x = ends[row]
        ends[row] = x + 2 * _MARK_R + _MARK_GAP
        placed.append((x, row))
    return placed


def _row_slot(row: int, rows: int) -> int:
    """Rows fill from the lane's middle outwards (middle, above, below, ...), so a lone mark
    sits in the middle and a crowd grows both ways."""
    middle = (rows - 1) // 2
    step = (row + 1) // 2
    return middle - step if row % 2 else middle + step


@dataclass(frozen=True)
class _Band:
    top: float
    rows: int

    @property
    def height(self) -> float:
        return _STRIP_H + self.rows * _ROW_H + _LANE_PAD

    @property
    def bottom(self) -> float:
        return self.top + self.height

    def row_y(self, row: int) -> float:
        return self.top + _STRIP_H + (_row_slot(row, self.rows) + 0.5) * _ROW_H


def _journey_label(journey_id: str, number: int, info: dict[str, Any] | None) -> str:
    if not info:
        return f"J{number}"
    state = "open" if info.get("is_open") else (info.get("resolution") or "ended")
    return f"J{number} {info.get('topic') or info.get('anchor_type') or ''} · {state}"


def render_timeline_svg(data: CustomerTimeline) -> str:
    """The picture: one lane per channel, one mark per event, issue journeys outlined."""
    events = data.events
    lanes = _lanes(events) or ["(no events)"]
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

    # marks: packed into rows per lane, and each lane as tall as its crowd needs
    placed: dict[int, tuple[float, int]] = {}
    rows: dict[str, int] = {}
    for lane in lanes:
        mine = [i for i, e in enumerate(events) if _channel(e) == lane]
        packed = _pack_lane([x_of(times[i]) for i in mine])
        placed.update(zip(mine, packed, strict=True))
        used = max((row + 1 for _, row in packed), default=1)
        rows[lane] = max(_MIN_ROWS, used if used % 2 else used + 1)
    bands: dict[str, _Band] = {}
    top = float(_AXIS_H)
    for lane in lanes:
        bands[lane] = _Band(top, rows[lane])
        top = bands[lane].bottom
    height = top + 6
    right = max([_LABEL_W + _PLOT_W] + [x + _MARK_R + 8 for x, _ in placed.values()])
    width = right + _RIGHT_PAD

    # no width or height: the page sizes it (templates/timeline.css), so it fits the window
    svg: list[str] = [
        f'<svg class="timeline" xmlns="http://www.w3.org/2000/svg" '
        f'viewBox="0 0 {width:.0f} {height:.0f}" preserveAspectRatio="xMinYMin meet" '
        'role="img" aria-label="customer timeline">'
    ]
    for i, lane in enumerate(lanes):
        band = bands[lane]
        fill = "#f7f7f9" if i % 2 == 0 else "#ffffff"
        svg.append(
            f'<g class="lane" data-lane="{_e(lane)}"><rect x="0" y="{band.top:.1f}" '
            f'width="{width:.0f}" height="{band.height:.1f}" fill="{fill}"/>'
            f'<text class="lane-label" x="8" y="{band.top + band.height / 2 + 4:.1f}">'
            f"{_e(lane)}</text></g>"
        )
    svg.extend(_axis(start, end, x_of, height - 6))

    # journeys: an outline around their marks, numbered in start order; the number sits in
    # the label strip of the outline's top lane, moved right past any label already there
    members: dict[str, list[int]] = {}
    for i, event in enumerate(events):
        if event.get("journey_id"):
            members.setdefault(event["journey_id"], []).append(i)
    numbers = {jid: n for n, jid in enumerate(members, start=1)}  # events are in time order
    label_ends: dict[str, float] = {}
    for jid, group in members.items():
        n = numbers[jid]
        colour = JOURNEY_COLOURS[(n - 1) % len(JOURNEY_COLOURS)]
        nest = ((n - 1) % 3) * 2  # overlapping outlines stay distinguishable
        xs = [placed[i][0] for i in group]
        x0 = min(xs) - _MARK_R - 3 - nest
        x1 = max(xs) + _MARK_R + 3 + nest
        group_lanes = sorted({_channel(events[i]) for i in group}, key=lanes.index)
        top_lane = group_lanes[0]
        # the top edge runs under the label strip (labels sit above it, never crossed by it)
        y0 = bands[top_lane].top + _STRIP_H - 1
        y1 = bands[group_lanes[-1]].bottom - 3 - nest
        short = f"J{n}"
        label_x = max(x0 + 3, label_ends.get(top_lane, 0.0))
        label_ends[top_lane] = label_x + _text_width(short) + 4
        info = data.journeys.get(jid)
        label = _journey_label(jid, n, info)
        dash = ' stroke-dasharray="6 4"' if info and info.get("is_open") else ""
        first, last = times[group[0]], times[group[-1]]
        tip = f"{label}\n{_fmt(first)} → {_fmt(last)}\n{len(group)} events"
        if info:
            tip += f"; contacts: {info.get('contact_count')}; journey_id: {jid}"
        svg.append(
            f'<g class="journey" data-journey="{_e(jid)}"><title>{_e(tip)}</title>'
            f'<rect x="{x0:.1f}" y="{y0:.1f}" width="{x1 - x0:.1f}" height="{y1 - y0:.1f}" '
            f'rx="8" fill="{colour}" fill-opacity="0.07" stroke="{colour}" stroke-width="2"'
            f"{dash}/>"
            # the short number only: long labels collide; the tooltip and table say the rest
            f'<text class="journey-label" x="{label_x:.1f}" '
            f'y="{bands[top_lane].top + _STRIP_H - 5:.1f}" fill="{colour}">{short}</text></g>'
        )
    for i, event in enumerate(events):
        lane = _channel(event)
        x, row = placed[i]
        journey = event.get("journey_id")
        tip = f"{_fmt(event['occurred_at'])} · {lane} · {event['event_type']}\n{event['summary']}"
        if journey:
            tip += f"\n{_journey_label(journey, numbers[journey], data.journeys.get(journey))}"
        svg.append(
            f'<g class="event" data-event-id="{_e(event["event_id"])}" data-lane="{_e(lane)}">'
            f'<title>{_e(tip)}</title><circle cx="{x:.1f}" cy="{bands[lane].row_y(row):.1f}" '
            f'r="{_MARK_R}" fill="{CHANNEL_COLOURS.get(lane, "#888888")}"/></g>'
        )
    svg.append("</svg>")
    return "".join(svg)


@cache
def _page_environment() -> jinja2.Environment:
    """The page's templates (``templates/``), autoescaped. Every ``{{ value }}`` is escaped as
    ``_e`` escapes the picture's text (``None`` as nothing, quotes as ``&quot;`` and
    ``&#x27;``), so the whole page is escaped one way."""
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES_DIR),
        autoescape=True,
        keep_trailing_newline=True,
        undefined=jinja2.StrictUndefined,
        finalize=lambda value: value if isinstance(value, Markup) else Markup(_e(value)),
    )


def render_timeline_html(data: CustomerTimeline) -> str:
    """The self-contained HTML page (see the module docstring; ``templates/timeline.html``)."""
    events = data.events
    members: dict[str, list[dict[str, Any]]] = {}
    for event in events:
        if event.get("journey_id"):
            members.setdefault(event["journey_id"], []).append(event)
    numbers = {jid: n for n, jid in enumerate(members, start=1)}
    # the legend's channels, each with the source systems behind it
    systems: dict[str, set[str]] = {}
    for event in events:
        systems.setdefault(_channel(event), set()).add(event.get("source_system") or "unknown")
    channels = [
        {
            "name": lane,
            "colour": CHANNEL_COLOURS.get(lane, "#888888"),
            "systems": ", ".join(sorted(systems[lane])),
        }
        for lane in _lanes(events)
    ]
    journeys = [
        {
            "number": numbers[jid],
            "topic": info.get("topic"),
            "anchor": info.get("anchor_type"),
            "started": _fmt(min(e["occurred_at"] for e in members[jid])),
            "resolution": "open" if info.get("is_open") else info.get("resolution"),
            "contacts": info.get("contact_count"),
            "channels": ", ".join(sorted({_channel(e) for e in members[jid]})),
            "journey_id": jid,
        }
        for jid in members
        for info in [data.journeys.get(jid) or {}]
    ]
    rows = [
        {
            "event_id": e["event_id"],
            "time": _fmt(e["occurred_at"]),
            "channel": e["channel"],
            "type": e["event_type"],
            "summary": e["summary"],
            "journey": f"J{numbers[e['journey_id']]}" if e.get("journey_id") else "",
        }
        for e in events
    ]
    page = _page_environment().get_template("timeline.html")
    return page.render(
        title=f"Customer timeline · {data.customer_id}",
        event_count=len(events),
        first=_fmt(events[0]["occurred_at"]) if events else "",
        last=_fmt(events[-1]["occurred_at"]) if events else "",
        publication_id=data.release.publication_id,
        picture=Markup(render_timeline_svg(data)),  # its text escaped as it was drawn
        channels=channels,
        mark_r=_MARK_R,
        journeys=journeys,
        events=rows,
    )


def write_timeline(settings: Settings, identifier: str, out: Path) -> CustomerTimeline:
    """Resolve, read and draw; write the page to ``out``."""
    data = load_customer_timeline(settings, identifier)
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text(render_timeline_html(data), encoding="utf-8")
    return data
