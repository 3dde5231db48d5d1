"""SQL kept as data: one statement per file, in a ``sql/`` folder beside the Python that runs it.

``statement("identity/sql/resolve/edges")`` reads ``customer_truth/identity/sql/resolve/edges.sql``
(the name is the file's path in the package, without ``.sql``). Every file is a Jinja template
that may call the identity macros dbt uses too (``dbt_project/macros/``), so a rule such as
given-name compatibility is written once and rendered the same way on both sides. Values are
DuckDB parameters (``$name`` or ``?``), never formatted in; the few names that vary (a table
chosen by code) are passed as keyword arguments and rendered with ``{{ name }}``.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from functools import cache
from pathlib import Path
from typing import Any

import jinja2

from customer_truth.settings import DBT_PROJECT_DIR

PACKAGE_DIR = Path(__file__).parent
# the dbt macro files whose macros Python renders too (plain SQL, no dbt context): identity's SQL,
# and the tests that check the free-text redaction macro against the Python rule
SHARED_MACRO_FILES = (
    "identity_given_names_compatible.sql",
    "ensure_identity_state.sql",
    "redact_free_text.sql",
)


@cache
def _environment() -> jinja2.Environment:
    environment = jinja2.Environment(
        loader=jinja2.FileSystemLoader(PACKAGE_DIR), undefined=jinja2.StrictUndefined
    )
    for name in SHARED_MACRO_FILES:
        module = environment.from_string((DBT_PROJECT_DIR / "macros" / name).read_text()).module
        environment.globals.update(
            {key: value for key, value in vars(module).items() if not key.startswith("_")}
        )
    return environment


@cache
def statement(name: str, **identifiers: Hashable) -> str:
    """The SQL of ``customer_truth/<name>.sql``, rendered; ``identifiers`` are names from code
    (a table, a column, a rule table of constants), never data."""
    return _environment().get_template(f"{name}.sql").render(identifiers)


def template(path: str) -> str:
    """The file ``customer_truth/<path>``, rendered (``splink_model.yml`` is a template too)."""
    return _environment().get_template(path).render()


def macro(name: str, *args: Any) -> str:
    """A shared dbt macro (``SHARED_MACRO_FILES``) rendered with ``args``."""
    render: Callable[..., str] = _environment().globals[name]  # type: ignore[assignment]
    return str(render(*args))
