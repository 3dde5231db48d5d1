"""Batch folders, streaming file writers and `_SUCCESS` manifests for the landing zone.

Every file of every batch is created up front (CSV header, sometimes a BOM) and grown chunk by
chunk; `_SUCCESS` is written last, per batch, once every chunk is in. File-level noise is
decided here before any record exists: empty files, `_SUCCESS` counts that lie, BOMs.
"""

from __future__ import annotations

import json
import os
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from customer_truth.generate.clock import SYSTEMS, Schedule, iso_z
from customer_truth.generate.delivery import FilePlan, draws
from customer_truth.generate.records import CSV_COLUMNS, ENTITIES_OF, EntitySpec

FileKey = tuple[str, int, str]  # (system, batch index, entity)
_BOM = "\ufeff"

# forced file-level noise (when the rate is above zero): the kind's first instance
FORCED_EMPTY = ("support", "users", 1)
FORCED_MISMATCH = ("logistics", 0, "tracking_events")
FORCED_BOM = ("crm", 0, "contacts")


@dataclass(frozen=True)
class LandingPlan:
    files: FilePlan
    mismatch: dict[FileKey, int]  # declared - actual
    bom: frozenset[FileKey]


def plan_files(seed: int, rates: dict[str, float], schedule: Schedule) -> LandingPlan:
    """File-level decisions, each from a hash of (seed, file): prefix-stable across days."""
    empty: set[tuple[str, str, int]] = set()
    mismatch: dict[FileKey, int] = {}
    bom: set[FileKey] = set()
    for system in SYSTEMS:
        for spec in ENTITIES_OF[system]:
            for k in range(schedule.days + 1):
                key = (system, k, spec.entity)
                u = draws(seed, f"file|{system}|{spec.entity}|{k}")
                is_empty = (
                    k >= 1
                    and system != "privacy"
                    and (
                        u[0] < rates["empty_file"]
                        or (rates["empty_file"] > 0 and (system, spec.entity, k) == FORCED_EMPTY)
                    )
                )
                if is_empty:
                    empty.add((system, spec.entity, k))
                elif u[1] < rates["count_mismatch"] or (
                    rates["count_mismatch"] > 0 and key == FORCED_MISMATCH
                ):
                    mismatch[key] = (-2, -1, 1, 3)[int(u[3] * 4)]
                if spec.ext == "csv" and (
                    u[2] < rates["csv_bom"] or (rates["csv_bom"] > 0 and key == FORCED_BOM)
                ):
                    bom.add(key)
    return LandingPlan(FilePlan(frozenset(empty)), mismatch, frozenset(bom))


class LandingWriter:
    """Owns `out/landing`: creates every batch's files, appends rows, writes `_SUCCESS`."""

    def __init__(self, root: Path, schedule: Schedule, plan: LandingPlan) -> None:
        self.root = root
        self.schedule = schedule
        self.plan = plan
        self.rows: Counter[FileKey] = Counter()
        self.paths: dict[FileKey, Path] = {}
        for system in SYSTEMS:
            for k in range(schedule.days + 1):
                folder = root / system / schedule.batch_id(system, k)
                folder.mkdir(parents=True, exist_ok=True)
                for spec in ENTITIES_OF[system]:
                    key = (system, k, spec.entity)
                    path = folder / spec.file_name
                    self.paths[key] = path
                    path.write_bytes(self._head(spec, key))

    def _head(self, spec: EntitySpec, key: FileKey) -> bytes:
        if spec.ext != "csv" or (key[0], key[2], key[1]) in self.plan.files.empty:
            return b""  # a planted empty CSV has not even its header
        header = ",".join(f'"{c}"' for c in CSV_COLUMNS[spec.entity]) + "\r\n"
        return ((_BOM if key in self.plan.bom else "") + header).encode()

    def append(self, parts: dict[FileKey, tuple[bytes, int]]) -> dict[FileKey, int]:
        """Append each file's bytes; returns the rows each file held before (line offsets)."""
        before = {}
        for key in sorted(parts):
            data, n = parts[key]
            before[key] = self.rows[key]
            if not data:
                continue
            with self.paths[key].open("ab") as fh:
                fh.write(data)
            self.rows[key] += n
        return before

    def finish(self) -> list[dict[str, Any]]:
        """Write every `_SUCCESS` (last); returns the planted file-level defects."""
        defects: list[dict[str, Any]] = []
        for system in SYSTEMS:
            for k in range(self.schedule.days + 1):
                bid = self.schedule.batch_id(system, k)
                files: dict[str, int] = {}
                for spec in ENTITIES_OF[system]:
                    key = (system, k, spec.entity)
                    actual = self.rows[key]
                    declared = actual
                    if key in self.plan.mismatch:
                        declared = max(0, actual + self.plan.mismatch[key])
                        if declared == actual:
                            declared = actual + 1
                        defects.append(
                            {
                                "system": system,
                                "batch_id": bid,
                                "file": spec.file_name,
                                "kind": "count_mismatch",
                                "declared": declared,
                                "actual": actual,
                            }
                        )
                    if (system, spec.entity, k) in self.plan.files.empty:
                        defects.append(
                            {
                                "system": system,
                                "batch_id": bid,
                                "file": spec.file_name,
                                "line": None,
                                "kind": "empty_file",
                                "quarantined": False,
                            }
                        )
                    files[spec.file_name] = declared
                manifest = {
                    "system": system,
                    "batch_id": bid,
                    "extracted_at": iso_z(self.schedule.times[system][k]),
                    "mode": "full" if k == 0 else "incremental",
                    "files": files,
                }
                folder = self.root / system / bid
                tmp = folder / "_SUCCESS.tmp"
                tmp.write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
                os.replace(tmp, folder / "_SUCCESS")
        return defects
