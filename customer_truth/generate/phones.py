"""Phone numbers that `phonenumbers` accepts, unique by construction, and the ways people type them.

Two people must never share a number by accident: shared numbers are planted on purpose
(household landlines, recycled numbers, the company's own line). So numbers are not drawn at
random but mapped from counters through a bijection onto each country's space of valid numbers:
mobiles from (person index, slot), landlines from (block, household) within the home area code.

Validating each number would dominate generation time, so each number plan is reduced once to
validated prefixes whose remaining digits are free (NANP: NPA-NXX, then any four digits). The
plans come from fixed internal streams: the same in every process and every run.
"""

from __future__ import annotations

import bisect
import random
from dataclasses import dataclass
from functools import cache

import phonenumbers

from customer_truth.generate.reference import PLACES, Place
from customer_truth.generate.rng import permute

# Exchanges per NANP area code: half for mobiles, half for landlines, so the two never meet.
_NANP_EXCHANGES = 48
# Non-NANP: (prefix, free digits after it); two validated digits follow each prefix.
_MOBILE_PREFIXES = {
    "GB": (("+4474", 8), ("+4475", 8), ("+4477", 8), ("+4478", 8), ("+4479", 8)),
    "DE": (
        ("+49151", 8),
        ("+49160", 7),
        ("+49170", 7),
        ("+49171", 7),
        ("+49172", 7),
        ("+49175", 7),
        ("+49176", 8),
    ),
}
_LANDLINE_FREE = {
    "GB": {"20": 8, "161": 7, "121": 7, "113": 7, "141": 7, "117": 7},
    "DE": {"30": 8, "89": 8, "40": 8, "221": 7, "69": 8},
}
MOBILE_SLOTS = 3  # numbers a person can own over their life: counter = idx * MOBILE_SLOTS + slot


def is_valid(e164: str) -> bool:
    try:
        return phonenumbers.is_valid_number(phonenumbers.parse(e164, None))
    except phonenumbers.NumberParseException:
        return False


def _digits(rng: random.Random, n: int) -> str:
    return "".join(rng.choice("0123456789") for _ in range(n))


def _prefix_ok(rng: random.Random, prefix: str, free: int) -> bool:
    return all(is_valid(prefix + _digits(rng, free)) for _ in range(2))


@cache
def _nanp_exchanges(npa: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """(mobile exchanges, landline exchanges) of an area code, all validated."""
    rng = random.Random(f"nanp-{npa}")
    candidates = [f"{a}{b}{c}" for a in "23456789" for b in "0123456789" for c in "0123456789"]
    rng.shuffle(candidates)
    found: list[str] = []
    for nxx in candidates:
        if nxx[1:] == "11" or nxx == "555":
            continue
        if _prefix_ok(rng, f"+1{npa}{nxx}", 4):
            found.append(nxx)
            if len(found) == 2 * _NANP_EXCHANGES:
                break
    half = len(found) // 2
    return tuple(found[:half]), tuple(found[half:])


@cache
def _heads(prefix: str, free: int) -> tuple[str, ...]:
    """Validated two-digit continuations of `prefix` (leaving `free - 2` digits free)."""
    rng = random.Random(f"heads-{prefix}")
    out = []
    for head in (f"{i:02d}" for i in range(100)):
        if _prefix_ok(rng, prefix + head, free - 2):
            out.append(head)
    if not out:
        raise RuntimeError(f"no valid numbers under {prefix}")
    return tuple(out)


@dataclass(frozen=True)
class _Space:
    """A union of blocks `prefix + <free digits>`, addressable by one integer."""

    prefixes: tuple[str, ...]
    free: tuple[int, ...]
    starts: tuple[int, ...]
    size: int

    @staticmethod
    def of(blocks: list[tuple[str, int]]) -> _Space:
        starts, total = [], 0
        for _, free in blocks:
            starts.append(total)
            total += 10**free
        return _Space(
            tuple(p for p, _ in blocks), tuple(f for _, f in blocks), tuple(starts), total
        )

    def number(self, m: int) -> str:
        i = bisect.bisect_right(self.starts, m) - 1
        return self.prefixes[i] + format(m - self.starts[i], f"0{self.free[i]}d")


@cache
def _mobile_space(country: str) -> _Space:
    blocks: list[tuple[str, int]] = []
    if country in ("US", "CA"):
        npas = sorted({a for p in PLACES[country] for a in p.area_codes})
        for npa in npas:
            blocks += [(f"+1{npa}{nxx}", 4) for nxx in _nanp_exchanges(npa)[0]]
    else:
        for prefix, free in _MOBILE_PREFIXES[country]:
            blocks += [(prefix + h, free - 2) for h in _heads(prefix, free)]
    return _Space.of(blocks)


@cache
def _landline_space(place: Place) -> _Space:
    blocks: list[tuple[str, int]] = []
    if place.country in ("US", "CA"):
        for npa in place.area_codes:
            blocks += [(f"+1{npa}{nxx}", 4) for nxx in _nanp_exchanges(npa)[1]]
    else:
        cc = "+44" if place.country == "GB" else "+49"
        for area in place.area_codes:
            free = _LANDLINE_FREE[place.country][area]
            blocks += [(cc + area + h, free - 2) for h in _heads(cc + area, free)]
    return _Space.of(blocks)


def mobile(country: str, counter: int, seed: int) -> str:
    """The mobile number of `counter` (idx * MOBILE_SLOTS + slot): distinct counters give
    distinct numbers while the counter is below the country's capacity (US: 40M+)."""
    space = _mobile_space(country)
    return space.number(permute(counter % space.size, space.size, seed, "mobile" + country))


def landline(place: Place, counter: int, seed: int) -> str:
    """A landline in the place's area codes; distinct counters give distinct numbers."""
    space = _landline_space(place)
    return space.number(permute(counter % space.size, space.size, seed, "land" + place.city))


def warm() -> None:
    """Build every number plan now (before forking workers, which then inherit them)."""
    for country, places in PLACES.items():
        _mobile_space(country)
        for place in places:
            _landline_space(place)


def national(e164: str) -> str:
    """The national significant number (no country code, no trunk prefix)."""
    return e164[2:] if e164.startswith("+1") else e164[3:]


def typed(rng: random.Random, e164: str, extension: bool, drop_country: bool) -> str:
    """`e164` as a person or agent would type it."""
    if e164.startswith("+1"):
        n = e164[2:]
        a, b, c = n[:3], n[3:6], n[6:]
        text = rng.choice(
            (
                f"({a}) {b}-{c}",
                f"{a}-{b}-{c}",
                f"{a}.{b}.{c}",
                f"{a}{b}{c}",
                f"+1 {a} {b} {c}",
                e164,
                f"1-{a}-{b}-{c}",
                f"{a} {b} {c}",
                f"({a}) {b}-{c}",
                f"{a}-{b}-{c}",
            )
        )
    else:
        cc = e164[:3]
        nsn = national(e164)
        split = 4 if nsn[0] in "17" else (2 if len(nsn) == 10 else 3)
        head, tail = nsn[:split], nsn[split:]
        if drop_country:
            # the national form: trunk 0 and no country code. A system that assumes US
            # numbers reads it as something else.
            text = rng.choice((f"0{head} {tail}", f"0{nsn}", f"{head} {tail}"))
        else:
            text = rng.choice(
                (f"{cc} {head} {tail}", e164, f"00{cc[1:]} {head} {tail}", f"{cc} (0){head} {tail}")
            )
    if extension:
        text += rng.choice((" x", " ext. ", " ext ", " #")) + str(rng.randint(2, 4999))
    return text
