"""The READMEs name the tests that prove their promises; every test they name exists.

A reference is a backticked `tests/<dir>/test_x.py::test_name`, `test_x.py::test_name` (in
tests/unit, else the one tests folder holding it), `::test_name` (the file named last on the
same line), a file alone, or dbt unit test `name`. Python tests are found by parsing their
files (a `def test_...` is what pytest collects): faster than collecting, and imports nothing.
"""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path

import pytest
import yaml

REPO = Path(__file__).resolve().parents[2]
READMES = (REPO / "README.md", REPO / "dbt_project" / "README.md")

_SPAN = re.compile(r"`([^`\n]+)`")
_PY_REF = re.compile(r"^(?P<file>(?:tests/[\w/]+/)?test_\w+\.py)?(?P<names>(?:::\w+)*)$")
_DBT_REFS = re.compile(r"dbt unit tests? ((?:`\w+`(?:,? and |, )?)+)")
# a promise table: its header's last column says what proves each row
_PROMISE_HEADER = re.compile(r"^\|.*\| *proved by *\|$")
_RULE = re.compile(r"^\|[-:| ]+\|$")  # a table's header rule


@cache
def _defined_names(path: Path) -> frozenset[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    return frozenset(
        node.name
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
    )


@cache
def _dbt_unit_tests() -> frozenset[str]:
    names: set[str] = set()
    for path in (REPO / "dbt_project").glob("models/**/*.yml"):
        for unit_test in (yaml.safe_load(path.read_text(encoding="utf-8")) or {}).get(
            "unit_tests", []
        ):
            names.add(unit_test["name"])
    return frozenset(names)


def _resolve(file: str) -> str:
    """A short name is in tests/unit (the Guarantees' convention), else the one folder with it."""
    if file.startswith("tests/") or (REPO / "tests" / "unit" / file).is_file():
        return file if file.startswith("tests/") else f"tests/unit/{file}"
    found = sorted(REPO.glob(f"tests/*/{file}"))
    return str(found[0].relative_to(REPO)) if len(found) == 1 else f"tests/unit/{file}"


def _python_refs(readme: Path) -> list[tuple[int, str, str | None]]:
    """(line, file, test name or None) for every test reference of ``readme``."""
    refs: list[tuple[int, str, str | None]] = []
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
        last_file: str | None = None
        for span in _SPAN.findall(line):
            match = _PY_REF.match(span.strip())
            if not match or not (match["file"] or match["names"]):
                continue
            if match["file"]:
                last_file = _resolve(match["file"])
            if last_file is None:
                refs.append((number, f"<no file before {span}>", None))
                continue
            names = [n for n in match["names"].split("::") if n]
            refs.append((number, last_file, names[-1] if names else None))
    return refs


def _dbt_refs(readme: Path) -> list[tuple[int, str]]:
    refs: list[tuple[int, str]] = []
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
        for group in _DBT_REFS.findall(line):
            refs.extend((number, name) for name in re.findall(r"`(\w+)`", group))
    return refs


@pytest.mark.parametrize("readme", READMES, ids=lambda p: str(p.relative_to(REPO)))
def test_every_test_a_readme_names_exists(readme: Path) -> None:
    missing = []
    for number, file, name in _python_refs(readme):
        path = REPO / file
        if not path.is_file():
            missing.append(f"{readme.name}:{number}: {file} does not exist")
        elif name is not None and (not name.startswith("test") or name not in _defined_names(path)):
            missing.append(f"{readme.name}:{number}: {file}::{name} is no test there")
    for number, name in _dbt_refs(readme):
        if name not in _dbt_unit_tests():
            missing.append(f"{readme.name}:{number}: no dbt unit test is named {name}")
    assert not missing, "\n".join(missing)


def _promise_rows_without_a_test(readme: Path) -> tuple[int, list[str]]:
    """How many promise tables ``readme`` has, and their rows that name no test."""
    referenced = {number for number, _, _ in _python_refs(readme)} | {
        number for number, _ in _dbt_refs(readme)
    }
    tables, unproved, in_table = 0, [], False
    for number, line in enumerate(readme.read_text(encoding="utf-8").splitlines(), start=1):
        if _PROMISE_HEADER.match(line.strip()):
            in_table, tables = True, tables + 1
            continue
        in_table = in_table and line.startswith("|")
        if in_table and not _RULE.match(line.strip()) and number not in referenced:
            unproved.append(f"{readme.name}:{number}: {line[:80]}")
    return tables, unproved


def test_the_readmes_name_tests_and_every_promise_row_names_one() -> None:
    readme, dbt_readme = READMES
    # the parser finds what the READMEs hold (a broken pattern would find nothing and pass)
    assert len(_python_refs(readme)) >= 60
    assert len(_dbt_refs(readme)) + len(_dbt_refs(dbt_readme)) >= 15
    (tables, unproved), (dbt_tables, dbt_unproved) = map(_promise_rows_without_a_test, READMES)
    assert (tables, dbt_tables) >= (2, 1)
    assert not unproved + dbt_unproved, "promises without a test:\n" + "\n".join(
        unproved + dbt_unproved
    )


def test_a_missing_test_or_a_promise_without_one_is_caught(tmp_path: Path) -> None:
    readme = tmp_path / "README.md"
    readme.write_text(
        "| promise | proved by |\n|---|---|\n"
        "| x | `test_ingest.py::test_a_batch_without_success_is_never_read`, "
        "`::test_that_was_never_written`, dbt unit test `no_such_unit_test` |\n"
        "| a promise that names no test | by faith |\n",
        encoding="utf-8",
    )
    refs = _python_refs(readme)
    assert refs == [
        (3, "tests/unit/test_ingest.py", "test_a_batch_without_success_is_never_read"),
        (3, "tests/unit/test_ingest.py", "test_that_was_never_written"),
    ]
    assert "test_that_was_never_written" not in _defined_names(REPO / refs[1][1])
    assert _dbt_refs(readme) == [(3, "no_such_unit_test")]
    assert _promise_rows_without_a_test(readme) == (
        1,
        ["README.md:4: | a promise that names no test | by faith |"],
    )
