"""SQL is data: no Python file holds more than about 30 lines of SQL in strings, and every file
``customer_truth.statements`` reads holds one statement.

What counts as SQL in a string (``sql_lines_in_strings``): every string literal, plain or
f-string (its ``{...}`` holes read as a name), docstrings aside, that

1. DuckDB's parser reads as one or more statements (``duckdb.extract_statements``), unless it
   is a lone word or a FROM-first query (``"start"``, ``"from last week"``: English more often
   than SQL);
2. or holds an SQL phrase (``_SQL_PHRASES``), which finds fragments too: ``select ... from``, a
   subquery ``(select``, ``insert into``, ``delete from``, ``update ... set``, ``create table``
   and its kin, ``with x as (``, ``group by``, ``order by``, ``partition by``, ``case when``,
   ``coalesce(`` and other SQL functions, ``cast(``, ``union all``, ``values (``, ``join ... on``,
   ``where x =``, ``qualify``, ``returning``, ``attach '``, ``copy (``, ``pragma``, ``set x =``,
   a join condition ``l.x = r.x``, ``interval '``;
3. or is SQL by where it goes: the statement argument of a DuckDB call (``execute``,
   ``executemany``, ``sql``, ``query``, ``from_query``; so ``"commit"`` counts there), a
   relation method's expression (``filter``, ``project``, ``aggregate``, ``order``, ``select``,
   ``join``: one that is more than a bare column name, which polars and pyarrow take as well),
   or a fragment formatted into SQL (``f"... {where}"``) or joined to it with ``+``; through a
   name too (``sql = "..."; con.execute(sql)``), looked up in the function, then the module.

A file's count is the number of source lines those strings span. English is kept out by the
phrases needing SQL's syntax around a word (``"update your payment method"``, ``"calls from a
mobile"``, ``"--select"`` and CSS's ``table { ... }`` are not SQL), and the bare names formatted
into SQL (a table's name) are not counted as SQL either.
"""

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
_NAME = r"[\w.\"$?]+"
_SQL_PHRASES = re.compile(
    rf"""
    \bselect\b.*?\bfrom\b
    | \(\s*select\b
    | \binsert\s+(or\s+\w+\s+)?into\b
    | \bdelete\s+from\b
    | \bupdate\s+{_NAME}\s+set\b
    | \b(create|drop|alter)\s+(or\s+replace\s+)?(temp\s+|temporary\s+)?(unique\s+)?
        (table|view|schema|index|macro|sequence|type|secret)\b
    | \btruncate\s+(table\s+)?{_NAME}
    | \bwith\s+(recursive\s+)?\w+\s+as\s*(not\s+)?(materialized\s+)?\(
    | \b(group|order|partition)\s+by\b
    | \bcase\s+when\b
    | \b(coalesce|nullif|cast|try_cast|list_has_any|list_contains|regexp_\w+|string_agg|
        array_agg|row_number|count|sum|min|max|avg|strftime|strptime|date_trunc|date_diff|
        read_parquet|read_csv|read_json\w*)\s*\(
    | \bunion\s+(all|by\s+name|select)\b
    | \bvalues\s*\(
    | \bjoin\s+{_NAME}(\s+(as\s+)?\w+)?\s+(on|using)\b
    | \bwhere\s+(not\s+)?{_NAME}\s*(=|<>|!=|<|>|\bin\b|\bis\b|\blike\b|\bbetween\b)
    | \bqualify\s+\w+\s*[(=<>]
    | \breturning\s+(\*|\w+\s*(,|$))
    | \battach\s+(database\s+)?(if\s+not\s+exists\s+)?['?$]
    | \bcopy\s+(\(|{_NAME}\s+(to|from)\s+['?$])
    | \bpragma\s+\w+\s*(\(|=|$)
    | ^\s*set\s+\w+\s*=
    | \b\w+\.\w+\s*(=|<>|!=)\s*\w+\.\w+
    | \binterval\s+'
    """,
    re.IGNORECASE | re.VERBOSE | re.DOTALL,
)
_STATEMENT_CALLS = {"execute", "executemany", "sql", "query", "from_query"}
_RELATION_CALLS = {"filter", "project", "aggregate", "order", "select", "join"}
_BARE_NAME = re.compile(r"[\w.\"$]*")
_Scope = ast.Module | ast.FunctionDef | ast.AsyncFunctionDef
_Text = ast.Constant | ast.JoinedStr


def _text(node: _Text) -> str:
    if isinstance(node, ast.Constant):
        return str(node.value)
    return "".join(
        str(part.value) if isinstance(part, ast.Constant) else "x_" for part in node.values
    )


def _parses(text: str) -> bool:
    if len(text.split()) < 2 or text.lstrip().lower().startswith("from"):
        return False
    try:
        return bool(duckdb.extract_statements(text))
    except duckdb.Error:
        return False


def _reads_as_sql(text: str) -> bool:
    return bool(_SQL_PHRASES.search(text)) or _parses(text)


def _fragment(text: str) -> bool:
    """More than a bare name: an expression or a clause, not a table or column name."""
    return any(ch.isalpha() for ch in text) and not _BARE_NAME.fullmatch(text.strip())


class _SqlStrings:
    """The string literals of one module that are SQL (see the module docstring)."""

    def __init__(self, tree: ast.Module) -> None:
        self.scope_of: dict[int, _Scope] = {}
        self.assigned: dict[tuple[int, str], list[ast.expr]] = {}
        self._index(tree, tree)
        docstrings = {
            id(node.body[0].value)
            for node in ast.walk(tree)
            if isinstance(node, ast.Module | ast.FunctionDef | ast.AsyncFunctionDef | ast.ClassDef)
            and node.body
            and isinstance(node.body[0], ast.Expr)
            and isinstance(node.body[0].value, ast.Constant)
        }
        # an f-string's literal parts are read with the f-string
        skipped = docstrings | {
            id(part)
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            for part in node.values
        }
        strings: list[_Text] = [
            node
            for node in ast.walk(tree)
            if isinstance(node, ast.JoinedStr)
            or (isinstance(node, ast.Constant) and isinstance(node.value, str))
            and id(node) not in skipped
        ]
        self.sql: dict[int, _Text] = {id(n): n for n in strings if _reads_as_sql(_text(n))}
        self.bound: set[tuple[int, str, bool]] = set()
        self._follow(tree)

    def _index(self, node: ast.AST, scope: _Scope) -> None:
        for child in ast.iter_child_nodes(node):
            self.scope_of[id(child)] = scope
            if isinstance(child, ast.Assign | ast.AnnAssign) and child.value is not None:
                targets = child.targets if isinstance(child, ast.Assign) else [child.target]
                for target in targets:
                    if isinstance(target, ast.Name):
                        key = (id(scope), target.id)
                        self.assigned.setdefault(key, []).append(child.value)
            inner = child if isinstance(child, ast.FunctionDef | ast.AsyncFunctionDef) else scope
            self._index(child, inner)

    def _binding(self, node: ast.Name, module: ast.Module) -> tuple[int, str] | None:
        """Where ``node`` was assigned: its function, else the module."""
        for scope in (self.scope_of.get(id(node), module), module):
            if (id(scope), node.id) in self.assigned:
                return id(scope), node.id
        return None

    def _mark(self, node: ast.expr, statement: bool, module: ast.Module) -> None:
        """``node`` goes into SQL: a whole statement (``statement``) or a fragment of one."""
        if isinstance(node, ast.JoinedStr) or (
            isinstance(node, ast.Constant) and isinstance(node.value, str)
        ):
            if statement or _fragment(_text(node)):
                self.sql[id(node)] = node
        elif isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            # the parts of a statement built with + are fragments: a bare table name is not SQL
            self._mark(node.left, False, module)
            self._mark(node.right, False, module)
        elif isinstance(node, ast.IfExp):
            self._mark(node.body, statement, module)
            self._mark(node.orelse, statement, module)
        elif isinstance(node, ast.Name) and (binding := self._binding(node, module)):
            self.bound.add((*binding, statement))

    def _is_sql(self, node: ast.expr, module: ast.Module) -> bool:
        if isinstance(node, ast.Name) and (binding := self._binding(node, module)):
            return any(id(value) in self.sql for value in self.assigned[binding])
        if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
            return self._is_sql(node.left, module) or self._is_sql(node.right, module)
        return id(node) in self.sql

    def _follow(self, module: ast.Module) -> None:
        calls = [node for node in ast.walk(module) if isinstance(node, ast.Call)]
        additions = [node for node in ast.walk(module) if isinstance(node, ast.BinOp)]
        while True:
            before = (len(self.sql), len(self.bound))
            for call in calls:
                name = call.func.attr if isinstance(call.func, ast.Attribute) else None
                if name in _STATEMENT_CALLS and call.args:
                    self._mark(call.args[0], True, module)
                elif name in _RELATION_CALLS:
                    for arg in [*call.args, *(k.value for k in call.keywords)]:
                        if isinstance(arg, ast.Constant | ast.JoinedStr):
                            self._mark(arg, False, module)
            for node in list(self.sql.values()):
                if isinstance(node, ast.JoinedStr):
                    for part in node.values:
                        if isinstance(part, ast.FormattedValue):
                            self._mark(part.value, False, module)
            for add in additions:
                if isinstance(add.op, ast.Add) and (
                    self._is_sql(add.left, module) or self._is_sql(add.right, module)
                ):
                    self._mark(add.left, False, module)
                    self._mark(add.right, False, module)
            for scope_id, name, statement in list(self.bound):
                for value in self.assigned[(scope_id, name)]:
                    self._mark(value, statement, module)
            if (len(self.sql), len(self.bound)) == before:
                return


def sql_strings(source: str) -> list[_Text]:
    return list(_SqlStrings(ast.parse(source)).sql.values())


def sql_lines_in_strings(source: str) -> int:
    """Source lines spanned by string literals (not docstrings) that are SQL (module docstring)."""
    lines: set[int] = set()
    for node in sql_strings(source):
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


def test_the_count_sees_fragments_by_their_phrases() -> None:
    source = """tests = []
tests.append("exists (select 1 from seen s where s.id = t.id)")
tests.append("t.email in (select value from erased)")
ORDERED = "row_number() over (partition by customer_id order by loaded_at)"
LABEL = "case when is_open then 'open' else resolution end"
FIRST = "coalesce(given_name, '')"
PAIRS = "l.given_name = r.surname and l.surname = r.given_name"
SCOPE = '''with lines as (
    (values (1), (2))
)'''
TIME_ZONE = "set TimeZone = 'UTC'"
ATTACH = "attach ? as release (read_only)"
"""
    assert sql_lines_in_strings(source) == 11


def test_the_count_sees_what_goes_to_duckdb_and_the_fragments_formatted_into_it() -> None:
    source = """def sweep(con, relation, condition):
    con.execute("begin transaction")
    finish = "commit"
    con.execute(finish)
    where = f" where {condition}" if condition else ""
    tail = (
        "limit 10"
    )
    sql = f"select * from {relation}{where} {tail}"
    con.sql(sql)
    con.execute(
        "create table t as select * from "
        + relation
        + " limit 10"
    )
    rel.filter("amount > 10").project("upper(name) as name")
"""
    assert sql_lines_in_strings(source) == 8


def test_the_count_leaves_english_names_markup_and_other_libraries_out() -> None:
    source = '''HELP = "rebuild every dbt model from all history"
INTENT = "Update your payment method"
QUESTION = "Where is my order {order}?"
SINCE = "from last week"
ARGS = ["dbt", "build", "--select", "staging"]
CSS = """
table { border-collapse: collapse; margin-top: 8px; }
th, td { border-bottom: 1px solid #eee; text-align: left; }
"""
PAGE = f"<table><tr><th>time</th><th>channel</th></tr>{ROWS}</table>"
LOG = f"the gate blocked; {n} erased entries purged from the current release"


def names(frame, con, relation):
    frame.select("record_uid").sort("record_uid").join(other, on="record_uid", how="semi")
    con.execute(f"select * from {relation}")
    relation = "raw.crm__contacts"
    return ", ".join(sorted(frame.columns)), os.path.join(root, "sql")
'''
    # the one statement only: a table name formatted into SQL is no SQL of its own
    assert sql_lines_in_strings(source) == 1


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
