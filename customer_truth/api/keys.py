"""API keys: one per consumer and holder, stored as hashes only.

``customer-truth keys create CONSUMER`` prints a new key once; the home keeps its sha-256, the
consumer, an id and the creation time in ``$CUSTOMER_TRUTH_HOME/keys/keys.json`` (mode 0600,
never in the repository). A key is 32 random bytes: a plain sha-256 cannot be reversed by
guessing (no dictionary holds it), so no slow password hash is needed, and a lookup is one dict
probe. Revoking marks the entry (``revoked_at``); the servers re-read the file when it changes,
so a revoked key stops working at the next request, without a restart.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import secrets
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from pathlib import Path

from customer_truth.retrieval.policy import ConsumerPolicy

KEY_PREFIX = "ctk_"  # recognisable in a leaked config or a secret scanner
KEYS_FILE = "keys.json"


class UnknownKeyError(LookupError):
    """No key has this id."""


@dataclass(frozen=True)
class KeyEntry:
    key_id: str
    consumer: str
    created_at: str
    key_sha256: str
    revoked_at: str | None = None

    @property
    def active(self) -> bool:
        return self.revoked_at is None


def keys_dir(home: Path) -> Path:
    return Path(home) / "keys"


def _keys_file(home: Path) -> Path:
    return keys_dir(home) / KEYS_FILE


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode("utf-8")).hexdigest()


def _read(home: Path) -> list[KeyEntry]:
    path = _keys_file(home)
    if not path.is_file():
        return []
    return [KeyEntry(**entry) for entry in json.loads(path.read_text(encoding="utf-8"))]


@contextmanager
def _locked(home: Path) -> Iterator[None]:
    """One writer at a time (two operators creating keys at once both keep theirs)."""
    folder = keys_dir(home)
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    descriptor = os.open(folder / ".lock", os.O_WRONLY | os.O_CREAT, 0o600)
    try:
        fcntl.flock(descriptor, fcntl.LOCK_EX)
        yield
    finally:
        fcntl.flock(descriptor, fcntl.LOCK_UN)
        os.close(descriptor)


def _write(home: Path, entries: list[KeyEntry]) -> None:
    """Written beside and renamed over: a server re-reading it sees the old or the new file."""
    path = _keys_file(home)
    temporary = path.with_name(f".{KEYS_FILE}.{secrets.token_hex(4)}")
    descriptor = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "w", encoding="utf-8") as handle:
        json.dump([asdict(e) for e in entries], handle, indent=2)
    os.replace(temporary, path)


def create_key(home: Path, consumer: str) -> tuple[KeyEntry, str]:
    """A new key for ``consumer`` (a ``PolicyError`` when no policy has that name): the entry
    stored and the key itself, which is returned once and stored nowhere."""
    ConsumerPolicy.load(consumer)
    key = KEY_PREFIX + secrets.token_urlsafe(32)
    entry = KeyEntry(
        key_id=secrets.token_hex(6),
        consumer=consumer,
        created_at=datetime.now(UTC).isoformat(timespec="seconds"),
        key_sha256=key_hash(key),
    )
    with _locked(home):
        _write(home, [*_read(home), entry])
    return entry, key


def list_keys(home: Path) -> list[KeyEntry]:
    return _read(home)


def revoke_key(home: Path, key_id: str) -> KeyEntry:
    with _locked(home):
        entries = _read(home)
        if not any(e.key_id == key_id for e in entries):
            raise UnknownKeyError(f"no key has id {key_id!r}")
        now = datetime.now(UTC).isoformat(timespec="seconds")
        entries = [
            KeyEntry(**{**asdict(e), "revoked_at": e.revoked_at or now})
            if e.key_id == key_id
            else e
            for e in entries
        ]
        _write(home, entries)
    return next(e for e in entries if e.key_id == key_id)


class KeyRing:
    """The active keys of a home, by hash; re-read when the file changes (one ``stat`` per
    authentication), so a revocation or a new key takes effect at the next request."""

    def __init__(self, home: Path) -> None:
        self.home = Path(home)
        self._lock = threading.Lock()
        self._stamp: tuple[int, int, int] | None = None
        self._by_hash: dict[str, KeyEntry] = {}

    def _refresh(self) -> None:
        try:
            info = os.stat(_keys_file(self.home))
            stamp = (info.st_mtime_ns, info.st_size, info.st_ino)
        except FileNotFoundError:
            stamp = (0, 0, 0)
        with self._lock:
            if stamp == self._stamp:
                return
            self._by_hash = {e.key_sha256: e for e in _read(self.home) if e.active}
            self._stamp = stamp

    def authenticate(self, key: str | None) -> KeyEntry | None:
        """The entry of an active key; None for no key, a wrong key or a revoked one."""
        if not key:
            return None
        self._refresh()
        return self._by_hash.get(key_hash(key))
