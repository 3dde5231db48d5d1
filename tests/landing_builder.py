"""Write small landing batches by hand, in the layout of ../shared/SOURCES.md, for tests."""

from __future__ import annotations

import json
from pathlib import Path


def write_batch(
    landing: Path,
    system: str,
    batch_id: str,
    files: dict[str, bytes],
    *,
    mode: str = "full",
    declared: dict[str, int] | None = None,
    complete: bool = True,
) -> Path:
    """Write ``files`` (name -> bytes) as a batch; ``declared`` overrides the _SUCCESS counts."""
    folder = landing / system / batch_id
    folder.mkdir(parents=True, exist_ok=True)
    for name, data in files.items():
        (folder / name).write_bytes(data)
    if complete:
        counts = {name: _count_rows(name, data) for name, data in files.items()}
        counts.update(declared or {})
        extracted = (
            f"{batch_id[0:4]}-{batch_id[4:6]}-{batch_id[6:8]}T"
            f"{batch_id[9:11]}:{batch_id[11:13]}:{batch_id[13:15]}Z"
        )
        manifest = {
            "system": system,
            "batch_id": batch_id,
            "extracted_at": extracted,
            "mode": mode,
            "files": counts,
        }
        (folder / "_SUCCESS").write_text(json.dumps(manifest))
    return folder


def _count_rows(name: str, data: bytes) -> int:
    lines = [line for line in data.split(b"\n") if line.strip()]
    return len(lines) - 1 if name.endswith(".csv") and lines else len(lines)


def jsonl(*records: dict) -> bytes:
    return b"".join(json.dumps(r).encode() + b"\n" for r in records)


CHARGE = {
    "id": "ch_1",
    "customer": "cus_1",
    "amount": 1200,
    "currency": "usd",
    "status": "succeeded",
    "created": 1772323200,
}
