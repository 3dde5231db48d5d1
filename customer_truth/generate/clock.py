"""The simulated calendar and every vendor's way of writing a time.

Times are integer epoch seconds (Segment: milliseconds) throughout the generator; nothing reads
the wall clock. History starts 2025-09-01; every system's full extract runs on 2026-03-01 and
one incremental extract per system follows each simulated day.
"""

from __future__ import annotations

import bisect
import calendar
import time
from dataclasses import dataclass
from functools import lru_cache

from customer_truth.generate.rng import mix

DAY = 86_400
HOUR = 3_600
HISTORY_START = 1_756_684_800  # 2025-09-01T00:00:00Z
FULL_DAY = 1_772_323_200  # 2026-03-01T00:00:00Z

SYSTEMS: tuple[str, ...] = (
    "crm",
    "contact_center",
    "digital",
    "commerce",
    "billing",
    "support",
    "logistics",
    "privacy",
)
# Each system's extract job runs at its own time of day (seconds after midnight UTC), so batch
# ids differ between systems as they do in a real landing zone.
_EXTRACT_AT = {
    "crm": 2 * HOUR,
    "contact_center": 2 * HOUR + 7 * 60 + 13,
    "digital": 2 * HOUR + 15 * 60,
    "commerce": 2 * HOUR + 21 * 60 + 40,
    "billing": 2 * HOUR + 33 * 60 + 5,
    "support": 2 * HOUR + 41 * 60 + 30,
    "logistics": 2 * HOUR + 48 * 60 + 52,
    "privacy": 3 * HOUR + 5 * 60,
}


@dataclass(frozen=True)
class Schedule:
    """Extraction times per system: index 0 is the full batch, 1..days the incrementals."""

    days: int
    times: dict[str, tuple[int, ...]]

    @property
    def as_of(self) -> int:
        """The world's end: the last extraction of any system."""
        return max(t[-1] for t in self.times.values())

    @property
    def horizon(self) -> int:
        """Nothing after this can reach any batch; lives are simulated up to here."""
        return self.as_of

    def window(self, system: str, at: int) -> int | None:
        """The first batch of `system` extracted at or after `at`, or None if none is."""
        times = self.times[system]
        k = bisect.bisect_left(times, at)
        return k if k < len(times) else None

    def batch_id(self, system: str, k: int) -> str:
        return batch_id(self.times[system][k])


def make_schedule(seed: int, days: int) -> Schedule:
    if days < 0:
        raise ValueError("days must be zero or more")
    times: dict[str, tuple[int, ...]] = {}
    for system in SYSTEMS:
        out = []
        for k in range(days + 1):
            # a few minutes of jitter per run, from the seed: prefix-stable (depends on k only)
            jitter = mix(seed, "extract", system, k) % 240
            out.append(FULL_DAY + k * DAY + _EXTRACT_AT[system] + jitter)
        times[system] = tuple(out)
    return Schedule(days, times)


# ---------------------------------------------------------------------------------------------
# Formats
# ---------------------------------------------------------------------------------------------


@lru_cache(maxsize=4096)
def _date(day: int) -> str:
    return time.strftime("%Y-%m-%d", time.gmtime(day * DAY))


def _hms(sec: int) -> str:
    return f"{sec // 3600:02d}:{sec // 60 % 60:02d}:{sec % 60:02d}"


def iso_z(t: int) -> str:
    """Zendesk, EasyPost, Connect: `2026-03-01T12:00:00Z`."""
    return f"{_date(t // DAY)}T{_hms(t % DAY)}Z"


def iso_z_ms(ms: int) -> str:
    """Connect and Segment server times: `2026-03-01T12:00:00.123Z`."""
    t = ms // 1000
    return f"{_date(t // DAY)}T{_hms(t % DAY)}.{ms % 1000:03d}Z"


def sf_datetime(t: int) -> str:
    """Salesforce: `2026-03-01T12:00:00.000+0000`."""
    return f"{_date(t // DAY)}T{_hms(t % DAY)}.000+0000"


def batch_id(t: int) -> str:
    return time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(t))


def _offset_text(minutes: int) -> str:
    sign = "+" if minutes >= 0 else "-"
    m = abs(minutes)
    return f"{sign}{m // 60:02d}:{m % 60:02d}"


def iso_offset(t: int, offset_min: int) -> str:
    """Local wall time with its offset: `2026-03-01T07:00:00-05:00`."""
    local = t + offset_min * 60
    return f"{_date(local // DAY)}T{_hms(local % DAY)}{_offset_text(offset_min)}"


def iso_offset_ms(ms: int, offset_min: int) -> str:
    local = ms // 1000 + offset_min * 60
    return f"{_date(local // DAY)}T{_hms(local % DAY)}.{ms % 1000:03d}{_offset_text(offset_min)}"


# ---------------------------------------------------------------------------------------------
# Time zones: the few the simulated customers live in, with their daylight-saving rules
# ---------------------------------------------------------------------------------------------

# zone -> (standard offset in minutes, DST rule)
ZONES: dict[str, tuple[int, str | None]] = {
    "America/New_York": (-300, "us"),
    "America/Chicago": (-360, "us"),
    "America/Denver": (-420, "us"),
    "America/Phoenix": (-420, None),
    "America/Los_Angeles": (-480, "us"),
    "America/Toronto": (-300, "us"),
    "America/Vancouver": (-480, "us"),
    "Europe/London": (0, "eu"),
    "Europe/Berlin": (60, "eu"),
}
SHOP_ZONE = "America/New_York"


def _nth_sunday(year: int, month: int, n: int) -> int:
    """Epoch day of the n-th Sunday of the month (n = -1: the last)."""
    # 1970-01-01 was a Thursday: with Monday = 0 the weekday of epoch day d is (d + 3) % 7
    if n > 0:
        first = calendar.timegm((year, month, 1, 0, 0, 0)) // DAY
        return first + (6 - (first + 3) % 7) % 7 + 7 * (n - 1)
    nxt = calendar.timegm((year + (month == 12), month % 12 + 1, 1, 0, 0, 0)) // DAY
    last = nxt - 1
    return last - ((last + 3) % 7 + 1) % 7


@lru_cache(maxsize=64)
def _dst_bounds(rule: str, year: int, std_min: int) -> tuple[int, int]:
    if rule == "us":
        # 02:00 local standard time on the second Sunday of March, 02:00 local daylight time
        # on the first Sunday of November
        start = _nth_sunday(year, 3, 2) * DAY + 2 * HOUR - std_min * 60
        end = _nth_sunday(year, 11, 1) * DAY + 2 * HOUR - (std_min + 60) * 60
    else:
        # 01:00 UTC on the last Sundays of March and October
        start = _nth_sunday(year, 3, -1) * DAY + HOUR
        end = _nth_sunday(year, 10, -1) * DAY + HOUR
    return start, end


def utc_offset(zone: str, t: int) -> int:
    """The zone's offset from UTC, in minutes, at epoch second `t`."""
    std, rule = ZONES[zone]
    if rule is None:
        return std
    year = time.gmtime(t).tm_year
    start, end = _dst_bounds(rule, year, std)
    return std + 60 if start <= t < end else std


def local_iso(zone: str, t: int) -> str:
    return iso_offset(t, utc_offset(zone, t))


def shop_time(t: int) -> str:
    """Shopify writes times in the shop's zone with its offset."""
    return local_iso(SHOP_ZONE, t)
