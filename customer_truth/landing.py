"""The landing zone: which batches are complete, and what their ``_SUCCESS`` manifest promises.

Layout (../shared/SOURCES.md): ``<landing>/<system>/<batch_id>/<entity>.<ext>`` plus ``_SUCCESS``.
A batch without ``_SUCCESS`` is still being written and is never read.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

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
        """Every file of the batch but the manifest, in name order."""
        return sorted(p for p in self.path.iterdir() if p.is_file() and p.name != SUCCESS)


def read_manifest(system: str, path: Path) -> Batch:
    """Parse ``path/_SUCCESS``; a malformed manifest is kept as ``manifest_error``, not raised,
    so the batch's rows are still loaded and the failed reconciliation says why."""
    batch_id = path.name
    try:
        meta = json.loads((path / SUCCESS).read_text(encoding="utf-8"))
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
    """The system's complete batch folders in delivery order (batch ids sort in delivery order)."""
    folder = landing / system
    if not folder.is_dir():
        return []
    return [
        path
        for path in sorted(folder.iterdir())
        if path.is_dir() and BATCH_ID.match(path.name) and (path / SUCCESS).is_file()
    ]


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
