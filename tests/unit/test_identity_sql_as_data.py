"""Identity's SQL is data: one statement per file in customer_truth/identity/sql/, each rule
written once, and Python keeps only what needs Python."""

from __future__ import annotations

import ast
import re
from pathlib import Path

import duckdb
import pytest

from customer_truth.identity.statements import SQL_DIR, statement
from customer_truth.settings import DBT_PROJECT_DIR, REPO_ROOT

IDENTITY_DIR = SQL_DIR.parent
STATEMENTS = sorted(
    path.relative_to(SQL_DIR).with_suffix("").as_posix() for path in SQL_DIR.rglob("*.sql")
)
_SQL_WORDS = re.compile(r"\b(select|from|where|join|create|insert|update|delete)\b", re.IGNORECASE)


def _sql_lines_in_strings(source: str) -> int:
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


@pytest.mark.parametrize("module", sorted(IDENTITY_DIR.glob("*.py")), ids=lambda path: path.name)
def test_no_identity_module_holds_more_than_thirty_lines_of_sql(module: Path) -> None:
    assert _sql_lines_in_strings(module.read_text()) <= 30


@pytest.mark.parametrize("name", STATEMENTS)
def test_each_statement_file_holds_one_statement(name: str) -> None:
    assert len(duckdb.extract_statements(statement(name))) == 1


def test_the_given_name_rule_is_written_once_and_the_pair_guards_render_it() -> None:
    # the list of gendered suffixes (Eric / Erica) stands for the rule: it appears in one file
    holders = [
        path.relative_to(REPO_ROOT).as_posix()
        for root in (IDENTITY_DIR, DBT_PROJECT_DIR / "macros", DBT_PROJECT_DIR / "models")
        for path in root.rglob("*")
        if path.suffix in {".py", ".sql", ".yml"} and "'ette'" in path.read_text()
    ]
    assert holders == ["dbt_project/macros/identity_given_names_compatible.sql"]
    guards = statement("resolve/guarded_pairs")
    assert "'ette'" in guards and "jaro_winkler_similarity(l.family_name, r.given_name)" in guards
