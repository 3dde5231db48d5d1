"""The landing zone: which batches are complete, and what their ``_SUCCESS`` manifest promises.

Layout (../shared/SOURCES.md): ``<landing>/<system>/<batch_id>/<entity>.<ext>`` plus ``_SUCCESS``.
A batch without ``_SUCCESS`` is still being written and is never read.

The landing zone is read as untrusted. Every symbolic link below the landing root is refused,
wherever it points (inside the root too: the simplest rule that is safe): a linked system
folder, batch folder, ``_SUCCESS`` or entity file is never read, only reported
(``landing_refusals``), and so is an entry of a batch that is not a regular file. Files are
opened one folder at a time with ``O_NOFOLLOW`` (``open_landed``), so a link swapped in after
the check is refused by the kernel too. The landing root itself may be a link: the operator
chose it.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import stat
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import BinaryIO

from customer_truth.contracts import SYSTEMS

BATCH_ID = re.compile(r"^\d{8}T\d{6}Z$")
SUCCESS = "_SUCCESS"


@dataclass(frozen=True)
class Batch:
    """A complete batch folder and what its manifest says (or why the manifest is unusable)."""

    system: str
    batch_id: str
    path: Path
    mode: str | None
    extracted_at: datetime | None
    declared_rows: dict[str, int] = field(default_factory=dict)
    manifest_error: str | None = None

    def data_files(self) -> list[Path]:
        """Every regular file of the batch but the manifest, in name order (links and other
        entries are refused: ``refused_entries``)."""
        return sorted(
            p
            for p in self.path.iterdir()
            if p.name != SUCCESS and _refusal(p, None, in_batch=True) is None
        )

    def refused_entries(self) -> list[tuple[Path, str]]:
        """The batch's entries that are never read, with the reason, in name order."""
        return [
            (p, reason)
            for p in sorted(self.path.iterdir())
            if p.name != SUCCESS and (reason := _refusal(p, self.path.parent.parent, in_batch=True))
        ]


@dataclass(frozen=True)
class LandingProblem:
    """Something in the landing zone that was not loaded as delivered: a refused entry (a link,
    a file that is not regular) or a batch id re-delivered with changed content."""

    system: str
    batch_id: str  # empty for a system folder
    source_file: str  # the path below the landing root
    reason: str
    file_name: str | None = None  # the entity file concerned, None for a whole batch or system

    def line(self) -> str:
        return f"{self.source_file}: {self.reason}"


def _refusal(path: Path, landing: Path | None, in_batch: bool = False) -> str | None:
    """Why ``path`` (a system folder, batch folder, or with ``in_batch`` an entry of a batch)
    must not be read, if so. Looks at the entry itself (lstat), never through it."""
    mode = path.lstat().st_mode
    if stat.S_ISLNK(mode):
        where = ""
        if landing is not None:
            try:
                inside = path.resolve(strict=False).is_relative_to(landing.resolve())
            except (OSError, RuntimeError):  # a loop resolves nowhere
                inside = False
            where = f" resolving {'inside' if inside else 'outside'} the landing root"
        return f"a symbolic link{where}: links are refused, never read"
    if in_batch and not stat.S_ISREG(mode):
        return "not a regular file (a folder, pipe, socket or device): never read"
    return None


def open_landed(landing: Path, path: Path) -> BinaryIO:
    """Open a file below the landing root for reading without following any link: each folder
    and the file are opened relative to the previous one with ``O_NOFOLLOW``, and only a
    regular file is accepted. A link raises ``OSError`` (the batch's transaction rolls back)."""
    parts = path.relative_to(landing).parts
    folder = os.open(landing, os.O_RDONLY | os.O_DIRECTORY)
    try:
        for part in parts[:-1]:
            inner = os.open(part, os.O_RDONLY | os.O_DIRECTORY | os.O_NOFOLLOW, dir_fd=folder)
            os.close(folder)
            folder = inner
        # non-blocking so a pipe put in a file's place cannot hang the open
        handle = os.open(parts[-1], os.O_RDONLY | os.O_NOFOLLOW | os.O_NONBLOCK, dir_fd=folder)
    finally:
        os.close(folder)
    if not stat.S_ISREG(os.fstat(handle).st_mode):
        os.close(handle)
        raise OSError(f"{path} is not a regular file: refused")
    os.set_blocking(handle, True)
    return os.fdopen(handle, "rb")


def read_manifest(system: str, path: Path) -> Batch:
    """Parse ``path/_SUCCESS``; a malformed manifest is kept as ``manifest_error``, not raised,
    so the batch's rows are still loaded and the failed reconciliation says why."""
    batch_id = path.name
    try:
        with open_landed(path.parent.parent, path / SUCCESS) as handle:
            meta = json.loads(handle.read().decode("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as exc:
        return Batch(system, batch_id, path, None, None, {}, f"_SUCCESS is not JSON: {exc}")
    if not isinstance(meta, dict):
        return Batch(system, batch_id, path, None, None, {}, "_SUCCESS is not a JSON object")
    problems = []
    files = meta.get("files")
    declared: dict[str, int] = {}
    if isinstance(files, dict):
        for name, count in files.items():
            if isinstance(count, int) and not isinstance(count, bool) and count >= 0:
                declared[str(name)] = count
            else:
                problems.append(f"row count for {name} is {count!r}")
    else:
        problems.append("_SUCCESS has no `files` object")
    mode = meta.get("mode") if meta.get("mode") in ("full", "incremental") else None
    if mode is None:
        problems.append(f"mode is {meta.get('mode')!r}")
    extracted_at = _parse_utc(meta.get("extracted_at"))
    if meta.get("system") not in (None, system):
        problems.append(f"system is {meta.get('system')!r}, folder is {system}")
    if meta.get("batch_id") not in (None, batch_id):
        problems.append(f"batch_id is {meta.get('batch_id')!r}, folder is {batch_id}")
    error = "; ".join(problems) or None
    return Batch(system, batch_id, path, mode, extracted_at, declared, error)


def _parse_utc(value: object) -> datetime | None:
    if not isinstance(value, str):
        return None
    try:
        parsed = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.astimezone(UTC) if parsed.tzinfo else parsed.replace(tzinfo=UTC)


def complete_batch_dirs(landing: Path, system: str) -> list[Path]:
    """The system's complete batch folders in delivery order (batch ids sort in delivery order).
    A linked system folder, batch folder or ``_SUCCESS`` makes no complete batch."""
    folder = landing / system
    if folder.is_symlink() or not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.iterdir())
        if BATCH_ID.match(path.name)
        and not path.is_symlink()
        and path.is_dir()
        and not (path / SUCCESS).is_symlink()
        and (path / SUCCESS).is_file()
    ]


def landing_refusals(landing: Path, system: str) -> list[LandingProblem]:
    """Every entry of the system's part of the landing zone that is refused, never read: a
    linked system folder, any link in the system folder, a linked ``_SUCCESS`` (its batch is
    not read), and a link or non-regular entry inside a complete batch. Only ``lstat``."""
    folder = landing / system
    if folder.is_symlink():
        return [LandingProblem(system, "", system, str(_refusal(folder, landing)))]
    if not folder.is_dir():
        return []
    problems = []
    for path in sorted(folder.iterdir()):
        name = f"{system}/{path.name}"
        if reason := _refusal(path, landing):
            problems.append(LandingProblem(system, path.name, name, reason))
            continue
        success = path / SUCCESS
        if not (BATCH_ID.match(path.name) and path.is_dir()):
            continue
        if success.is_symlink():
            reason = f"{_refusal(success, landing)}; the batch is not read"
            problems.append(LandingProblem(system, path.name, f"{name}/{SUCCESS}", reason))
        elif success.is_file():
            batch = Batch(system, path.name, path, None, None)
            problems += [
                LandingProblem(system, path.name, f"{name}/{entry.name}", reason, entry.name)
                for entry, reason in batch.refused_entries()
            ]
    return problems


def batch_stat_signature(batch: Batch) -> str:
    """A digest of the batch folder's entries as ``lstat`` sees them (name, kind, size, inode,
    modification and change times): cheap, and it changes whenever a file is rewritten (the
    change time cannot be set back), so the content is hashed again only then."""
    digest = hashlib.sha256()
    for path in sorted(batch.path.iterdir()):
        info = path.lstat()
        fields = (path.name, info.st_mode, info.st_size, info.st_ino, info.st_mtime_ns)
        digest.update(repr((*fields, info.st_ctime_ns)).encode())
    return digest.hexdigest()


def batch_content_sha256(landing: Path, batch: Batch) -> str:
    """The sha-256 of the batch as delivered: every entry's name and, for a regular file, its
    bytes (``_SUCCESS`` included), in name order. Links are named, never followed."""
    digest = hashlib.sha256()
    for path in sorted(batch.path.iterdir()):
        digest.update(path.name.encode("utf-8", "surrogateescape") + b"\0")
        if _refusal(path, None, in_batch=True) is not None:
            digest.update(b"refused\0")
            continue
        with open_landed(landing, path) as handle:
            size = 0
            while chunk := handle.read(1 << 20):
                digest.update(chunk)
                size += len(chunk)
        digest.update(f"\0{size}\0".encode())
    return digest.hexdigest()


def complete_batches(landing: Path, system: str) -> list[Batch]:
    """The system's complete batches with their manifests, in delivery order."""
    return [read_manifest(system, path) for path in complete_batch_dirs(landing, system)]


def every_complete_batch_dir(landing: Path) -> list[Path]:
    """Every system's complete batch folders, system by system, each in delivery order."""
    return [path for system in SYSTEMS for path in complete_batch_dirs(landing, system)]


def complete_batch_names(landing: Path) -> list[str]:
    """Every complete batch as ``system/batch_id``, the name the publication log uses."""
    return [f"{path.parent.name}/{path.name}" for path in every_complete_batch_dir(landing)]


def landing_fingerprint(landing: Path) -> str:
    """A digest of which complete batches exist: it changes exactly when a new batch completes.
    Empty when the landing zone holds no complete batch at all. Reads no manifest."""
    names = [f"{name}\n" for name in complete_batch_names(landing)]
    return hashlib.sha256("".join(names).encode()).hexdigest()[:16] if names else ""
