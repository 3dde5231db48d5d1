"""Record ids in each vendor's shape, unique by construction.

Every id is a function of (seed, a per-entity counter); counters are built from the person index
and the person's own sequence number (`Life.counter`), so ids never depend on other persons and
never collide. Scrambling by an invertible affine map keeps them looking random.
"""

from __future__ import annotations

import random

from customer_truth.generate.rng import permute

_B62 = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz"
_SF_SUFFIX = "ABCDEFGHIJKLMNOPQRSTUVWXYZ012345"


def _base62(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 62)
        out.append(_B62[r])
    return "".join(reversed(out))


def _base36(n: int, width: int) -> str:
    out = []
    for _ in range(width):
        n, r = divmod(n, 36)
        out.append(_B62[r])
    return "".join(reversed(out))


def salesforce_id(key_prefix: str, n: int, seed: int) -> str:
    """An 18-char Salesforce id: key prefix, pod, reserved 0, 9-char counter, case checksum."""
    body = key_prefix + "5g" + "0" + _base62(permute(n, 62**9, seed, "sf" + key_prefix), 9)
    suffix = ""
    for chunk in range(3):
        bits = 0
        for i, ch in enumerate(body[chunk * 5 : chunk * 5 + 5]):
            if "A" <= ch <= "Z":
                bits |= 1 << i
        suffix += _SF_SUFFIX[bits]
    return body + suffix


def stripe_id(prefix: str, n: int, seed: int, width: int = 14) -> str:
    """`cus_...`, `in_...`, `ch_...`, `pi_...`: a prefix and base62 characters."""
    return prefix + _base62(permute(n, 62**width, seed, "stripe" + prefix), width)


def easypost_id(prefix: str, n: int, seed: int) -> str:
    """`evt_...`, `trk_...`: EasyPost ids are 32 hex characters after the prefix."""
    return prefix + format(permute(n, 16**32, seed, "ep" + prefix), "032x")


def uuid_from(rng: random.Random) -> str:
    """A version-4 UUID drawn from `rng` (Connect ContactIds, Segment ids)."""
    v = rng.getrandbits(128)
    v = (v & ~(0xF << 76)) | (4 << 76)
    v = (v & ~(0x3 << 62)) | (0x2 << 62)
    h = format(v, "032x")
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def tracking_code(carrier: str, n: int, seed: int) -> str:
    if carrier == "USPS":
        return "9400" + format(permute(n, 10**18, seed, "usps"), "018d")
    if carrier == "UPS":
        return "1Z" + _base36(permute(n, 36**16, seed, "ups"), 16)
    return format(permute(n, 10**12, seed, "fedex"), "012d")


# Integer id spaces of the vendors that number records (Shopify, Zendesk).
SHOP_CUSTOMER_BASE = 6_512_000_000_000
SHOP_ORDER_BASE = 5_640_000_000_000
SHOP_FULFILLMENT_BASE = 4_410_000_000_000
SHOP_REFUND_BASE = 903_000_000_000
ZENDESK_USER_BASE = 360_000_000_000
ZENDESK_TICKET_BASE = 100_000
ORDER_NUMBER_BASE = 1001
