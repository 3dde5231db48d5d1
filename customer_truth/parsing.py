"""Turn one landing file into a frame of non-blank lines, one row per delivered record.

JSONL: every non-blank physical line is a record; the line stays bytes here because a line may
not be UTF-8 (decoding, blank-line removal and JSON validation happen in DuckDB, set-wise).
CSV (Salesforce Bulk API): RFC 4180 records split by the standard library's C parser, streamed a
block of records at a time; each record becomes a JSON object of header -> cell, or a structure
error when its field count does not match the header or it carried bytes that are not UTF-8.

Both return the frame ``parsing.LINES_SCHEMA``:
``line_number`` (JSONL physical line / CSV record number, header excluded), ``raw`` (bytes),
``payload`` (CSV only: JSON text) and ``structure_error`` (CSV only).
"""

from __future__ import annotations

import codecs
import csv
import itertools
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
# CSV records per frame (a Salesforce contact is about 1 KB as framed)
CSV_BLOCK_RECORDS = 100_000
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


def _has_bytes_that_are_not_utf8(path: Path) -> bool:
    """Whether any byte of the file is not UTF-8, read a block at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with path.open("rb") as handle:
        try:
            while chunk := handle.read(BLOCK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return True
    return False


def csv_blocks(path: Path, block_records: int = CSV_BLOCK_RECORDS) -> Iterator[pl.DataFrame]:
    """Yield frames of the file's non-blank records (header excluded), ``block_records`` at a
    time, numbered from 1 across blocks: a multi-GB export never sits in memory whole."""
    # U+FFFD marks where bad bytes were; only in a file that had some is a U+FFFD a defect
    had_bad_bytes = _has_bytes_that_are_not_utf8(path)
    # utf-8-sig drops a leading BOM; newline="" leaves quoted line breaks to the csv module
    with path.open(encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.reader(handle, strict=False)
        first = next(reader, None)
        if first is None:
            return
        header = [name.strip() for name in first]
        numbered = 0
        while block := list(itertools.islice(reader, block_records)):
            frame = _records_frame(block, header, had_bad_bytes, numbered + 1)
            numbered += frame.height
            yield frame


def csv_records(path: Path) -> pl.DataFrame:
    """The whole file's records as one frame (tests and small files; ingestion streams)."""
    frames = list(csv_blocks(path))
    return pl.concat(frames) if frames else pl.DataFrame(schema=LINES_SCHEMA)


def _records_frame(
    records: list[list[str]], header: list[str], had_bad_bytes: bool, first_number: int
) -> pl.DataFrame:
    frame = pl.DataFrame(
        {"fields": pl.Series(records, dtype=pl.List(pl.String))},
        schema={"fields": pl.List(pl.String)},
    )
    joined = pl.col("fields").list.join(",")
    frame = frame.filter(
        (pl.col("fields").list.len() > 1) | (joined.str.strip_chars().str.len_chars() > 0)
    ).with_row_index("line_number", offset=first_number)
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
