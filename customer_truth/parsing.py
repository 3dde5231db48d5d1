"""Turn one landing file into a frame of non-blank lines, one row per delivered record.

JSONL: every non-blank physical line is a record; the line stays bytes here because a line may
not be UTF-8 (decoding, blank-line removal and JSON validation happen in DuckDB, set-wise).
CSV (Salesforce Bulk API): records split by the standard library's C parser, streamed a block of
records at a time; each record becomes a JSON object of header -> cell, or a structure error when
its quoting is not RFC 4180, its field count does not match the header or it carried bytes that
are not UTF-8. Parsing is strict: the C parser would repair a malformed record (``"Str"ay`` read
as ``Stray``, ``Str"ay`` kept with its quote), so every record's delivered text is checked
against the RFC 4180 grammar in polars, set-wise, and a record that fails is quarantined, never
repaired.

Both return the frame ``parsing.LINES_SCHEMA``:
``line_number`` (JSONL physical line / CSV record number, header excluded), ``raw`` (bytes: the
line, or the record's delivered text without its line ending),
``payload`` (CSV only: JSON text) and ``structure_error`` (CSV only).
"""

from __future__ import annotations

import codecs
import collections
import csv
import io
import itertools
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import BinaryIO

import numpy as np
import polars as pl
import pyarrow as pa
import pyarrow.compute as pc

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
# RFC 4180 record (line ending removed): fields split by commas, each either unquoted without any
# quote, or quoted with inner quotes doubled. Anything else is malformed quoting.
_FIELD = r'(?:"(?:[^"]|"")*"|[^",\r\n]*)'
RFC4180_RECORD = rf"^{_FIELD}(?:,{_FIELD})*$"
MALFORMED_QUOTING = (
    "malformed CSV quoting (RFC 4180): a quote inside an unquoted field, text after a closing "
    "quote, or a quote never closed; quarantined, not repaired"
)
_LINE_BREAK = r"\r\n|\r|\n"

# How a landing file is opened for reading: ingestion passes one that refuses symbolic links.
Opener = Callable[[Path], BinaryIO]


def open_plain(path: Path) -> BinaryIO:
    return path.open("rb")


def jsonl_blocks(
    path: Path, block_bytes: int = BLOCK_BYTES, opener: Opener = open_plain
) -> Iterator[pl.DataFrame]:
    """Yield frames of the file's non-blank lines, a block at a time, numbered from 1."""
    first_line = 1
    carry = b""
    with opener(path) as handle:
        while True:
            chunk = handle.read(block_bytes)
            data = carry + chunk
            if not chunk:
                if data:
                    yield _lines_frame(_split_lines(data + b"\n"), first_line)
                return
            cut = data.rfind(b"\n")
            if cut < 0:
                carry = data
                continue
            lines = _split_lines(data[: cut + 1])
            carry = data[cut + 1 :]
            yield _lines_frame(lines, first_line)
            first_line += len(lines)


def _split_lines(data: bytes) -> pl.Series:
    """The lines of ``data``, which ends with a line feed, without their line feeds: one Arrow
    array over ``data``'s bytes cut at the feeds numpy finds, not a Python object per line (a
    64 MB block holds hundreds of thousands)."""
    ends = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == ord("\n"))
    offsets = np.concatenate(([0], ends + 1)).astype(np.int64)
    with_feeds = pa.LargeBinaryArray.from_buffers(
        pa.large_binary(), len(ends), [None, pa.py_buffer(offsets), pa.py_buffer(data)]
    )
    return pl.Series("raw", pc.binary_slice(with_feeds, 0, -1), dtype=pl.Binary)


def _lines_frame(lines: pl.Series, first_line: int) -> pl.DataFrame:
    # blank lines stay here and are dropped in DuckDB, where the bytes are decoded
    return (
        pl.DataFrame({"raw": lines})
        .with_row_index("line_number", offset=first_line)
        .select(
            pl.col("line_number").cast(pl.Int64),
            "raw",
            pl.lit(None, dtype=pl.String).alias("payload"),
            pl.lit(None, dtype=pl.String).alias("structure_error"),
        )
    )


def _has_bytes_that_are_not_utf8(path: Path, opener: Opener) -> bool:
    """Whether any byte of the file is not UTF-8, read a block at a time."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    with opener(path) as handle:
        try:
            while chunk := handle.read(BLOCK_BYTES):
                decoder.decode(chunk)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return True
    return False


def csv_blocks(
    path: Path, block_records: int = CSV_BLOCK_RECORDS, opener: Opener = open_plain
) -> Iterator[pl.DataFrame]:
    """Yield frames of the file's non-blank records (header excluded), ``block_records`` at a
    time, numbered from 1 across blocks: a multi-GB export never sits in memory whole."""
    # U+FFFD marks where bad bytes were; only in a file that had some is a U+FFFD a defect
    had_bad_bytes = _has_bytes_that_are_not_utf8(path, opener)
    # utf-8-sig drops a leading BOM; newline="" leaves quoted line breaks to the csv module
    with (
        opener(path) as binary,
        io.TextIOWrapper(binary, encoding="utf-8-sig", errors="replace", newline="") as handle,
    ):
        # the parser reads one copy of the physical lines, the other copy gives each record's
        # delivered text back (tee buffers only what the parser has read and we have not)
        parsed_lines, delivered_lines = itertools.tee(handle)
        reader = csv.reader(parsed_lines, strict=False)
        first = next(reader, None)
        if first is None:
            return
        header = [name.strip() for name in first]
        lines_read = reader.line_num
        collections.deque(itertools.islice(delivered_lines, lines_read), maxlen=0)
        numbered = 0
        while block := list(itertools.islice(reader, block_records)):
            lines = list(itertools.islice(delivered_lines, reader.line_num - lines_read))
            lines_read = reader.line_num
            frame = _records_frame(block, lines, header, had_bad_bytes, numbered + 1)
            numbered += frame.height
            yield frame


def csv_records(path: Path) -> pl.DataFrame:
    """The whole file's records as one frame (tests and small files; ingestion streams)."""
    frames = list(csv_blocks(path))
    return pl.concat(frames) if frames else pl.DataFrame(schema=LINES_SCHEMA)


def _delivered_text(fields: pl.Series, lines: list[str]) -> pl.Series:
    """Each record's delivered text, without its line ending, set-wise.

    The parser yields one record per physical line that is not inside quotes (a blank line is an
    empty record), and a line break kept in a cell is a physical line break: so a record spans
    one line more than the breaks in its cells, and the lines, taken in order, are cut into
    records by those counts."""
    breaks = fields.list.join("").str.count_matches(_LINE_BREAK).cast(pl.Int64)
    spans = breaks + 1
    delivered = pl.Series("line", lines, dtype=pl.String)
    if len(lines) == len(fields) and not (breaks > 0).any():
        # the usual block: no cell holds a line break, one line per record
        return delivered.str.strip_chars_end("\r\n")
    starts = (spans.cum_sum() - spans).cast(pl.Int64)
    # a record is owned by the lines from its start to the next record's start; a cell left
    # open at the end of the file counts a break no line follows, so the last record may own
    # fewer lines than counted (and a record owning none has no text: it is malformed)
    owner = starts.search_sorted(pl.Series(range(len(lines)), dtype=pl.Int64), side="right") - 1
    text = (
        pl.DataFrame({"record": owner, "line": delivered})
        .group_by("record")
        .agg(pl.col("line").str.join(""))
    )
    return (
        pl.DataFrame({"record": pl.Series(range(len(fields)), dtype=owner.dtype)})
        .join(text, on="record", how="left")
        .sort("record")["line"]
        .str.strip_chars_end("\r\n")
    )


def _records_frame(
    records: list[list[str]],
    lines: list[str],
    header: list[str],
    had_bad_bytes: bool,
    first_number: int,
) -> pl.DataFrame:
    fields = pl.Series(records, dtype=pl.List(pl.String))
    frame = pl.DataFrame(
        {"fields": fields, "delivered": _delivered_text(fields, lines)},
        schema={"fields": pl.List(pl.String), "delivered": pl.String},
    )
    joined = pl.col("fields").list.join(",")
    frame = frame.filter(
        (pl.col("fields").list.len() > 1) | (joined.str.strip_chars().str.len_chars() > 0)
    ).with_row_index("line_number", offset=first_number)
    width = len(header)
    n_fields = pl.col("fields").list.len()
    well_quoted = pl.col("delivered").str.contains(RFC4180_RECORD).fill_null(False)
    fits = well_quoted & (n_fields == width)
    structure_error = (
        pl.when(~well_quoted)
        .then(pl.lit(MALFORMED_QUOTING))
        .when(n_fields != width)
        .then(pl.format("a record with {} fields where the header has " + str(width), n_fields))
        .when(pl.lit(had_bad_bytes) & joined.str.contains("\ufffd", literal=True))
        .then(pl.lit("not valid UTF-8"))
        .otherwise(None)
    )
    fitting = pl.when(fits).then(pl.col("fields")).otherwise(None)
    return frame.select(
        pl.col("line_number").cast(pl.Int64),
        pl.col("delivered").cast(pl.Binary).alias("raw"),
        # a null struct would encode as the text "null": only fitting records get a payload
        pl.when(fits)
        .then(fitting.list.to_struct(fields=header).struct.json_encode())
        .alias("payload")
        if width
        else pl.lit(None, dtype=pl.String).alias("payload"),
        structure_error.alias("structure_error"),
    )
