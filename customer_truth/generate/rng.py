"""Deterministic randomness: every random stream is named by a tuple of (seed, topic, index...).

Named streams make the world independent of processing order and chunking: a person's life is
drawn from streams named by (seed, person index, process), so it is the same whether the world
is generated on one core or two, in chunks of any size, for 7 days or for 8.
"""

from __future__ import annotations

import hashlib
import math
import random
from functools import lru_cache


def mix(*parts: int | str) -> int:
    """A 64-bit integer determined by `parts` (stable across runs, platforms and versions)."""
    return int.from_bytes(hashlib.blake2b(repr(parts).encode(), digest_size=8).digest(), "big")


@lru_cache(maxsize=1024)
def _affine(modulus: int, seed: int, namespace: str) -> tuple[int, int]:
    key = hashlib.blake2b(repr((seed, namespace)).encode(), digest_size=64).digest()
    a = (int.from_bytes(key[:32], "big") % modulus) | 1
    while math.gcd(a, modulus) != 1:
        a += 2
    return a, int.from_bytes(key[32:], "big") % modulus


def permute(n: int, modulus: int, seed: int, namespace: str) -> int:
    """A bijection of [0, modulus): an affine map with a multiplier coprime to the modulus.
    Ids and phone numbers built from counters through it are unique yet look random."""
    a, b = _affine(modulus, seed, namespace)
    return (n * a + b) % modulus


def between(rng: random.Random, lo: int, hi: int) -> int:
    """A uniform integer in [lo, hi], or lo when the range is empty."""
    return rng.randint(lo, hi) if hi > lo else lo


def stream(*parts: int | str) -> random.Random:
    return random.Random(mix(*parts))


class Dice:
    """Yes/no draws for noise kinds: a draw at `rate`, forced to yes for the person that must
    carry the kind, always no at rate 0. Every call consumes exactly one draw, so changing one
    rate does not reshuffle what the rest of the stream decides."""

    __slots__ = ("rng", "rates", "forced")

    def __init__(self, rng: random.Random, rates: dict[str, float], forced: frozenset[str]):
        self.rng = rng
        self.rates = rates
        self.forced = forced

    def hit(self, kind: str, scale: float = 1.0) -> bool:
        u = self.rng.random()
        rate = self.rates[kind]
        if rate <= 0.0:
            return False
        return kind in self.forced or u < rate * scale

    def chance(self, p: float) -> bool:
        return self.rng.random() < p
