"""Turn one landing file into a frame of non-blank lines, one row per delivered record.

JSONL: every non-blank physical line is a record; the line stays bytes here because a line may
not be UTF-8 (decoding, blank-line removal and JSON validation happen in DuckDB, set-wise).
CSV (Salesforce Bulk API): RFC 4180 records split by the standard library's C parser; each
record becomes a JSON object of header -> cell, or a structure error when its field count does
not match the header or it carried bytes that are not UTF-8.

Both return the frame ``parsing.LINES_SCHEMA``:
``line_number`` (JSONL physical line / CSV record number, header excluded), ``raw`` (bytes),
``payload`` (CSV only: JSON text) and ``structure_error`` (CSV only).
"""

from __future__ import annotations

import csv
import io
import sys
from collections.abc import Iterator
from pathlib import Path

import polars as pl

csv.field_size_limit(sys.maxsize)

LINES_SCHEMA = {
    "line_number": pl.Int64,
    "raw": pl.Binary,
    "payload": pl.String,
    "structure_error": pl.String,
}
# JSONL files are read in blocks so a multi-GB file never sits in memory whole.
BLOCK_BYTES = 64 * 1024 * 1024
_BOM = b"\xef\xbb\xbf"


def jsonl_blocks(path: Path, block_bytes: int = BLOCK_BYTES) -> Iterator[pl.DataFrame]:
    """Yield frames of the file's non-blank lines, a block at a time, numbered from 1."""
    first_line = 1
    carry = b""
    with path.open("rb") as handle:
        while True:
            chunk = handle.read(block_bytes)
            data = carry + chunk
            if not chunk:
                if data:
                    yield _lines_frame(data.split(b"\n"), first_line)
                return
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            lines = data[:cut].split(b"\n")
            carry = data[cut + 1 :]
            yield _lines_frame(lines, first_line)
            first_line += len(lines)


def _lines_frame(lines: list[bytes], first_line: int) -> pl.DataFrame:
    # blank lines stay here and are dropped in DuckDB, where the bytes are decoded
    return (
        pl.DataFrame({"raw": pl.Series(lines, dtype=pl.Binary)})
        .with_row_index("line_number", offset=first_line)
        .select(
            pl.col("line_number").cast(pl.Int64),
            "raw",
            pl.lit(None, dtype=pl.String).alias("payload"),
            pl.lit(None, dtype=pl.String).alias("structure_error"),
        )
    )


def csv_records(path: Path) -> pl.DataFrame:
    """Parse a Salesforce CSV into one row per non-blank record (header excluded)."""
    data = path.read_bytes()
    if data.startswith(_BOM):
        data = data[len(_BOM) :]
    try:
        text = data.decode("utf-8")
        had_bad_bytes = False
    except UnicodeDecodeError:
        # U+FFFD marks where the bad bytes were; only then is a U+FFFD a defect
        text = data.decode("utf-8", errors="replace")
        had_bad_bytes = True
    records = list(csv.reader(io.StringIO(text, newline=""), strict=False))
    if not records:
        return pl.DataFrame(schema=LINES_SCHEMA)
    header = [name.strip() for name in records[0]]
    frame = pl.DataFrame(
        {"fields": pl.Series(records[1:], dtype=pl.List(pl.String))},
        schema={"fields": pl.List(pl.String)},
    )
    joined = pl.col("fields").list.join(",")
    frame = frame.filter(
        (pl.col("fields").list.len() > 1) | (joined.str.strip_chars().str.len_chars() > 0)
    ).with_row_index("line_number", offset=1)
    width = len(header)
    n_fields = pl.col("fields").list.len()
    structure_error = (
        pl.when(n_fields != width)
        .then(pl.format("a record with {} fields where the header has " + str(width), n_fields))
        .when(pl.lit(had_bad_bytes) & joined.str.contains("\ufffd", literal=True))
        .then(pl.lit("not valid UTF-8"))
        .otherwise(None)
    )
    fitting = pl.when(n_fields == width).then(pl.col("fields")).otherwise(None)
    return frame.select(
        pl.col("line_number").cast(pl.Int64),
        joined.cast(pl.Binary).alias("raw"),
        # a null struct would encode as the text "null": only fitting records get a payload
        pl.when(n_fields == width)
        .then(fitting.list.to_struct(fields=header).struct.json_encode())
        .alias("payload")
        if width
        else pl.lit(None, dtype=pl.String).alias("payload"),
        structure_error.alias("structure_error"),
    )
