"""Long work says how far it is (`customer_truth.progress`): one plain line per update on
stderr, at a bounded rate, and stdout keeps only results. `customer-truth generate` reports
through it."""

from __future__ import annotations

import re
import time
from pathlib import Path

import pytest

from customer_truth import progress
from customer_truth.cli import main
from customer_truth.generate import world

LINE = re.compile(r"^\[\d\d:\d\d:\d\d\] \S.*$")


class _Clock:
    """Stands in for progress.monotonic: each read moves it on by ``step`` seconds."""

    def __init__(self, step: float) -> None:
        self.now, self.step = 0.0, step

    def __call__(self) -> float:
        self.now += self.step
        return self.now


def _lines(text: str) -> list[str]:
    lines = text.splitlines()
    assert all(LINE.match(line) for line in lines), lines  # stamped, plain, one per update
    assert "\r" not in text and "\x1b" not in text  # no terminal control
    return lines


def test_a_meter_speaks_at_most_once_an_interval_and_always_at_the_end(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setattr(progress, "monotonic", _Clock(step=1.0))
    meter = progress.Meter("rows", 100, "rows", every=10.0)
    for _ in range(100):
        meter.advance()
    captured = capsys.readouterr()
    lines = _lines(captured.err)
    assert captured.out == ""
    assert 5 <= len(lines) <= 12  # 100 updates, about a second apart, every 10 s
    assert lines[0].endswith("rows: 1/100 rows (1%), 1 s, about 99 s to go")
    assert lines[-1].endswith("rows: 100/100 rows (100%), 100 s")


def test_a_long_step_says_it_is_still_running_and_then_how_long_it_took(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with progress.running("dbt build", every=0.05, detail=lambda: "3 GiB"):
        time.sleep(0.3)
    lines = _lines(capsys.readouterr().err)
    assert lines[0].endswith("dbt build ...")
    assert any(line.endswith(", 3 GiB") and "still running" in line for line in lines[1:-1])
    assert lines[-1].endswith("dbt build: done in 0 s")


def test_a_failing_step_says_it_failed(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(RuntimeError), progress.running("ingest", every=60):
        raise RuntimeError("boom")
    assert _lines(capsys.readouterr().err)[-1].endswith("ingest: failed after 0 s")


def test_generate_reports_what_it_does_and_how_many_persons_are_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    # chunks of one block (64 persons), in this process (--workers 1), so a tiny world has
    # several; a clock that moves a minute a read makes every chunk due for a line
    monkeypatch.setattr(world, "CHUNK_BLOCKS", 1)
    monkeypatch.setattr(progress, "monotonic", _Clock(step=60.0))
    out = tmp_path / "world"
    code = main(["generate", "--persons", "150", "--seed", "3", "--days", "1", "--out", str(out)]
                + ["--workers", "1"])  # fmt: skip
    assert code == 0
    captured = capsys.readouterr()
    lines = _lines(captured.err)
    assert "generate: 150 persons, seed 3" in lines[0] and "3 chunk(s)" in lines[0]
    counts = [re.search(r"generate: ([\d,]+)/150 persons \((\d+)%\)", line) for line in lines[1:]]
    assert [(m.group(1), m.group(2)) for m in counts if m] == [
        ("64", "43"),
        ("128", "85"),
        ("150", "100"),
    ]
    # stdout keeps the result alone
    assert captured.out.startswith(f"wrote {out}/landing:") and len(captured.out.splitlines()) <= 2
