"""Keyed pseudonyms: the value of the ``hash`` mask, and the deployment secret behind it.

A pseudonym is ``hmac-sha256:<hex>``, HMAC-SHA256 of the value as published (normalised: emails
lower-case, phones E.164) under a 32-byte secret of this deployment. Why keyed: an unsalted
sha-256 of a phone is reversed by hashing every candidate (one US exchange, 10^4 numbers, takes
milliseconds; a whole area code seconds; emails fall to a dictionary). Without the secret no
candidate can be checked, so the same enumeration finds nothing. The same value gives the same
pseudonym everywhere within one deployment (every table, release and consumer), so a consumer
can still count and join; two deployments, or one before and after a rotation, do not agree.

The secret is ``$CUSTOMER_TRUTH_HOME/secrets/pseudonym.key`` (``Settings.pseudonym_key``), never
in the repository: 64 hex characters (32 bytes from ``secrets``), created on first use,
owner-only (0600, folder 0700). Creation is atomic and exclusive: the key is written to a
private temporary file and hard-linked into place, which fails when the name exists, so
readers never see a half-written key and two processes starting at once agree on one key (the
loser reads the winner's). A key file readable by group or others is refused.

Rotation (README "Reading as a consumer"): replace or delete the file; the next read sees the
new file (the cache is keyed by the file's identity and modification time) or creates a new key.
Pseudonyms handed out before no longer match those handed out after.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import secrets
import stat
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

PREFIX = "hmac-sha256:"
KEY_BYTES = 32


class PseudonymKeyError(RuntimeError):
    """The deployment's pseudonym key is unreadable, malformed or exposed."""


@dataclass(frozen=True)
class PseudonymKey:
    """One deployment's secret; its ``repr`` never shows it (tracebacks, logs)."""

    secret: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if len(self.secret) < KEY_BYTES:
            raise PseudonymKeyError(f"a pseudonym key needs at least {KEY_BYTES} bytes")

    def pseudonym(self, value: str) -> str:
        digest = hmac.new(self.secret, value.encode("utf-8"), hashlib.sha256).hexdigest()
        return PREFIX + digest


def pseudonym_key(path: Path) -> PseudonymKey:
    """The key in ``path``, created there on first use. Read once per process and file
    version: a replaced or re-created file is read again."""
    path = Path(path)
    try:
        status = path.stat()
    except FileNotFoundError:
        _create(path)
        status = path.stat()
    return _read(path, status.st_ino, status.st_mtime_ns, status.st_size)


@lru_cache(maxsize=8)
def _read(path: Path, inode: int, mtime_ns: int, size: int) -> PseudonymKey:
    # (inode, mtime_ns, size) only key the cache: a rotated file is a new entry
    mode = path.stat().st_mode
    if stat.S_IMODE(mode) & 0o077:
        raise PseudonymKeyError(
            f"{path} is readable by others (mode {stat.S_IMODE(mode):o}); `chmod 600` it"
        )
    text = path.read_text(encoding="ascii").strip()
    try:
        secret = bytes.fromhex(text)
    except ValueError:
        raise PseudonymKeyError(f"{path}: expected hex digits") from None
    return PseudonymKey(secret)


def _create(path: Path) -> None:
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    temporary = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(8)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(descriptor, (secrets.token_hex(KEY_BYTES) + "\n").encode("ascii"))
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
    try:
        os.link(temporary, path)  # fails when another process got there first: read theirs
    except FileExistsError:
        pass
    finally:
        temporary.unlink()
