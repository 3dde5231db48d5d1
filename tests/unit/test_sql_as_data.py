"""SQL is data: no Python file holds more than about 30 lines of SQL in strings, and every file
``customer_truth.statements`` reads holds one statement."""

from __future__ import annotations

import ast
import re

import duckdb
import jinja2
import pytest

from customer_truth.settings import REPO_ROOT
from customer_truth.statements import PACKAGE_DIR, _environment

MAX_SQL_LINES = 30
PYTHON_ROOTS = ("customer_truth", "dagster_project", "data_quality")
# scripts of several statements, read whole by their own module (warehouse.sql_statements)
SCRIPTS = {"privacy/sql/erasure_scope.sql", "privacy/sql/erasure_state.sql"}
STATEMENT_FILES = sorted(
    path.relative_to(PACKAGE_DIR).as_posix()
    for path in PACKAGE_DIR.rglob("sql/**/*.sql")
    if path.relative_to(PACKAGE_DIR).as_posix() not in SCRIPTS
)
_SQL_WORDS = re.compile(r"\b(select|from|where|join|create|insert|update|delete)\b", re.IGNORECASE)


def sql_lines_in_strings(source: str) -> int:
    """Source lines spanned by string literals (not docstrings) that read as SQL."""
    tree = ast.parse(source)
    docstrings = {
        id(node.body[0].value)
        for node in ast.walk(tree)
        if isinstance(node, ast.Module | ast.FunctionDef | ast.ClassDef)
        and node.body
        and isinstance(node.body[0], ast.Expr)
        and isinstance(node.body[0].value, ast.Constant)
    }
    lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.JoinedStr):
            text = "".join(
                str(part.value) for part in node.values if isinstance(part, ast.Constant)
            )
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            text = node.value if id(node) not in docstrings else ""
        else:
            continue
        if _SQL_WORDS.search(text):
            lines.update(range(node.lineno, (node.end_lineno or node.lineno) + 1))
    return len(lines)


def test_the_count_sees_sql_in_plain_and_formatted_strings_and_skips_docstrings() -> None:
    source = '''"""select this docstring from nothing"""
PLAIN = """
select a
from b
"""
FORMATTED = f"insert into {PLAIN} values (1)"
WORDS = "nothing to see"
'''
    assert sql_lines_in_strings(source) == 5


def test_no_python_file_holds_more_than_thirty_lines_of_sql_in_strings() -> None:
    counts = {
        path.relative_to(REPO_ROOT).as_posix(): sql_lines_in_strings(path.read_text())
        for root in PYTHON_ROOTS
        for path in sorted((REPO_ROOT / root).rglob("*.py"))
    }
    assert len(counts) > 100  # the walk found the code
    assert {path: n for path, n in counts.items() if n > MAX_SQL_LINES} == {}


class _Placeholder(jinja2.Undefined):
    """A name a caller passes (a table): rendered as a plain identifier; a rule table: empty."""

    def __str__(self) -> str:
        return "placeholder"


@pytest.mark.parametrize("path", STATEMENT_FILES)
def test_each_statement_file_holds_one_statement(path: str) -> None:
    rendered = (
        _environment().overlay(undefined=_Placeholder, cache_size=0).get_template(path).render()
    )
    assert len(duckdb.extract_statements(rendered)) == 1
