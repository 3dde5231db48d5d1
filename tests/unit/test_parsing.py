"""Parsers: framing JSONL and Salesforce CSV files into delivered records."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from customer_truth.parsing import LINES_SCHEMA, csv_records, jsonl_blocks


def _jsonl_frame(path: Path, block_bytes: int = 1 << 20) -> pl.DataFrame:
    frames = list(jsonl_blocks(path, block_bytes))
    return pl.concat(frames) if frames else pl.DataFrame(schema=LINES_SCHEMA)


def test_jsonl_lines_keep_their_physical_line_numbers_across_blocks(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"a":1}\n\n{"b":2}\n{"c":\n')
    frame = _jsonl_frame(path, block_bytes=4)
    non_blank = frame.filter(pl.col("raw") != b"")
    assert non_blank["line_number"].to_list() == [1, 3, 4]
    assert non_blank["raw"].to_list() == [b'{"a":1}', b'{"b":2}', b'{"c":']


def test_jsonl_without_a_final_newline_keeps_its_last_line(tmp_path: Path) -> None:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b'{"a":1}\n{"b":2}')
    assert _jsonl_frame(path)["raw"].to_list() == [b'{"a":1}', b'{"b":2}']


@settings(max_examples=60, deadline=None)
@given(
    lines=st.lists(st.binary(max_size=40).filter(lambda b: b"\n" not in b), max_size=30),
    block=st.integers(min_value=1, max_value=64),
)
def test_jsonl_framing_returns_every_line_whatever_the_bytes_and_block_size(
    tmp_path_factory, lines: list[bytes], block: int
) -> None:
    path = tmp_path_factory.mktemp("p") / "x.jsonl"
    path.write_bytes(b"\n".join(lines))
    frame = _jsonl_frame(path, block_bytes=block)
    expected = [(i + 1, line) for i, line in enumerate(lines)]
    # a trailing empty line after the last newline is not a line
    got = list(zip(frame["line_number"].to_list(), frame["raw"].to_list(), strict=True))
    assert [g for g in got if g[1]] == [e for e in expected if e[1]]


def test_csv_keeps_quoted_commas_and_newlines_and_strips_the_bom(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b'\xef\xbb\xbfId,Name\n1,"Smith, Ann"\n2,"two\nlines"\n')
    frame = csv_records(path)
    assert frame["payload"].to_list() == [
        '{"Id":"1","Name":"Smith, Ann"}',
        '{"Id":"2","Name":"two\\nlines"}',
    ]
    assert frame["structure_error"].to_list() == [None, None]


def test_csv_record_with_the_wrong_field_count_gets_a_structure_error(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"Id,Name\n1,a,extra\n2\n3,ok\n")
    frame = csv_records(path)
    assert frame["line_number"].to_list() == [1, 2, 3]
    assert frame["structure_error"].to_list() == [
        "a record with 3 fields where the header has 2",
        "a record with 1 fields where the header has 2",
        None,
    ]
    assert frame["payload"].to_list()[:2] == [None, None]


def test_csv_blank_lines_are_not_records(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"Id,Name\n\n1,a\n\n")
    assert csv_records(path)["line_number"].to_list() == [1]


def test_csv_record_with_bytes_that_are_not_utf8_is_flagged(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"Id,Name\n1,caf\xe9\n2,ok\n")
    assert csv_records(path)["structure_error"].to_list() == ["not valid UTF-8", None]


def test_an_empty_csv_file_has_no_records(tmp_path: Path) -> None:
    path = tmp_path / "contacts.csv"
    path.write_bytes(b"")
    assert csv_records(path).height == 0


@settings(max_examples=50, deadline=None)
@given(
    rows=st.lists(st.lists(st.text(max_size=12), min_size=3, max_size=3), min_size=1, max_size=15)
)
def test_csv_round_trips_any_text_written_by_a_standard_writer(tmp_path_factory, rows) -> None:
    import csv
    import io
    import json

    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer)
    writer.writerow(["Id", "A", "B"])
    writer.writerows(rows)
    path = tmp_path_factory.mktemp("c") / "contacts.csv"
    path.write_bytes(buffer.getvalue().encode())
    frame = csv_records(path)
    kept = [r for r in rows if any(cell.strip() for cell in r) or len(r) > 1]
    assert [json.loads(p) for p in frame["payload"].to_list()] == [
        {"Id": r[0], "A": r[1], "B": r[2]} for r in kept
    ]


def test_csv_streams_in_blocks_numbering_records_across_them(tmp_path: Path) -> None:
    from customer_truth.parsing import csv_blocks

    path = tmp_path / "contacts.csv"
    rows = [f'{n},"line one\nline two {n}"' for n in range(1, 8)]
    path.write_bytes(b"\xef\xbb\xbfId,Note\n" + "\n\n".join(rows).encode() + b"\n2,caf\xe9\n")
    blocks = list(csv_blocks(path, block_records=3))
    assert len(blocks) > 2  # seven multi-line records, blank lines and one bad one: in blocks
    frame = pl.concat(blocks)
    assert frame["line_number"].to_list() == list(range(1, 9))  # blank lines are no records
    assert frame["payload"][6] == '{"Id":"7","Note":"line one\\nline two 7"}'
    # the bad bytes are found whichever block they fall in
    assert frame["structure_error"].to_list() == [None] * 7 + ["not valid UTF-8"]
    assert pl.concat(list(csv_blocks(path, block_records=100))).equals(frame)


def test_csv_with_malformed_quoting_is_flagged_not_repaired(tmp_path: Path) -> None:
    """Regression: a stray quote inside a field changed values without quarantine
    (`"Str"ay` became `Stray`)."""
    path = tmp_path / "contacts.csv"
    path.write_bytes(
        b'Id,Name,City\r\n1,"Str"ay,x\r\n2,Str"ay,x\r\n3,"a" ,x\r\n'
        b'4,"Smith, ""Ann""\r\nline two",x\r\n5,"never closed,x\r\n'
    )
    frame = csv_records(path)
    assert frame["line_number"].to_list() == [1, 2, 3, 4, 5]
    errors = frame["structure_error"].to_list()
    assert [e is not None and e.startswith("malformed CSV quoting") for e in errors] == [
        True,
        True,
        True,
        False,
        True,
    ]
    # the record's delivered text is kept exactly, for the quarantine
    assert frame["raw"].to_list()[:3] == [b'1,"Str"ay,x', b'2,Str"ay,x', b'3,"a" ,x']
    assert frame["payload"].to_list() == [
        None,
        None,
        None,
        '{"Id":"4","Name":"Smith, \\"Ann\\"\\r\\nline two","City":"x"}',
        None,
    ]


@settings(max_examples=80, deadline=None)
@given(
    text=st.text(alphabet=st.sampled_from(list('ab",\r\n \u00e9')), max_size=80),
    block=st.integers(min_value=1, max_value=4),
)
def test_any_csv_text_frames_every_record_as_a_payload_or_an_error(
    tmp_path_factory, text: str, block: int
) -> None:
    from customer_truth.parsing import RFC4180_RECORD, csv_blocks

    path = tmp_path_factory.mktemp("q") / "contacts.csv"
    path.write_bytes(b"Id,Name\r\n" + text.encode())
    frames = list(csv_blocks(path, block_records=block))
    frame = pl.concat(frames) if frames else pl.DataFrame(schema=LINES_SCHEMA)
    assert frame["line_number"].to_list() == list(range(1, frame.height + 1))
    for payload, error, raw in frame.select("payload", "structure_error", "raw").rows():
        assert (payload is None) != (error is None)
        if payload is not None:  # what loads was delivered as well-formed RFC 4180
            assert pl.Series([raw.decode()]).str.contains(RFC4180_RECORD).all()
