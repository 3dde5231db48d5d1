"""The SQL of identity resolution, kept as data: one statement per file in ``sql/``.

``statement("resolve/edges")`` reads ``sql/resolve/edges.sql``. Every file is a Jinja template
that may call the identity macros dbt uses too (``dbt_project/macros/``), so a rule such as
given-name compatibility is written once and rendered the same way on both sides. The files
take values as DuckDB parameters (``$name``), never formatted in; the relations they read and
write are named in each file's header.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from customer_truth.settings import DBT_PROJECT_DIR

SQL_DIR = Path(__file__).parent / "sql"
# the dbt macro files whose macros identity's SQL calls (plain SQL, no dbt context)
SHARED_MACRO_FILES = ("identity_given_names_compatible.sql", "ensure_identity_state.sql")


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(SQL_DIR), undefined=jinja2.StrictUndefined
    )
    for name in SHARED_MACRO_FILES:
        module = environment.from_string((DBT_PROJECT_DIR / "macros" / name).read_text()).module
        environment.globals.update(
            {key: value for key, value in vars(module).items() if not key.startswith("_")}
        )
    return environment


@cache
def statement(name: str) -> str:
    """The SQL of ``sql/<name>.sql``, its macro calls rendered."""
    return template(f"{name}.sql")


def template(path: str) -> str:
    """The file ``sql/<path>``, rendered (``splink_model.yml`` is a template too)."""
    return _environment().get_template(path).render()


def macro(name: str, *args: Any) -> str:
    """A shared dbt macro (``SHARED_MACRO_FILES``) rendered with ``args``."""
    render: Callable[..., str] = _environment().globals[name]  # type: ignore[assignment]
    return str(render(*args))
