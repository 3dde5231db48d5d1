"""The policy files at the repository top (`policies/`), read and checked strictly.

- `guardrails.yml`: the parameters of the deterministic guardrails of customer_context;
- `consumers.yml`: per AI or human consumer, the published tables and columns it may read and
  how values are masked.

`CUSTOMER_TRUTH_POLICIES` points at another folder (tests, a deployment's own rules).

A mistake in a policy file is an error that names the file and line, never a silent default:
a duplicate key (PyYAML would keep the last one), a key the file's schema does not have at any
level (a misspelt section such as `identifers:`, a misspelt `colums:` inside a table rule), an
unknown identifier type, table, context section or mask, and a file in the folder that is no
policy file. The schemas below (`_CONSUMERS`, `_GUARDRAILS`) list every key. Names chosen by the
file (consumer names, guardrail rule ids and their parameter names) are open: a guardrail rule
or parameter the SQL asks for and the file lacks is an error when asked for, naming it.
Column names are checked against a release's schema by the retrieval API, which knows the
release it reads.
"""

from __future__ import annotations

import difflib
import os
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml  # type: ignore[import-untyped]  # no stubs installed

from customer_truth.settings import REPO_ROOT

MASKS = ("clear", "partial", "hash", "drop")
POLICY_FILES = ("consumers.yml", "guardrails.yml")


class PolicyError(ValueError):
    """A policy file is missing, malformed, or names something that does not exist."""


def policies_dir() -> Path:
    return Path(os.environ.get("CUSTOMER_TRUTH_POLICIES") or REPO_ROOT / "policies")


# --- reading: duplicate keys refused, every key's line kept ----------------------------------


class Lined(dict[Any, Any]):
    """A mapping read from YAML that remembers its line and each key's line (1-based)."""

    line: int = 0
    lines: dict[Any, int]


class _DuplicateKey(Exception):
    def __init__(self, key: Any, line: int, first: int) -> None:
        super().__init__(key, line, first)
        self.key, self.line, self.first = key, line, first


class _StrictLoader(yaml.SafeLoader):
    """SafeLoader whose mappings refuse duplicate keys and keep their lines."""


def _construct_mapping(loader: _StrictLoader, node: yaml.MappingNode) -> Any:
    data = Lined()
    data.line = node.start_mark.line + 1
    data.lines = {}
    yield data
    for key_node, _ in node.value:
        if key_node.tag == "tag:yaml.org,2002:merge":
            continue
        key = loader.construct_object(key_node, deep=True)
        line = key_node.start_mark.line + 1
        try:
            first = data.lines.get(key)
        except TypeError:
            raise yaml.constructor.ConstructorError(
                None, None, "unhashable key", key_node.start_mark
            ) from None
        if first is not None:
            raise _DuplicateKey(key, line, first)
        data.lines[key] = line
    data.update(loader.construct_mapping(node, deep=True))


_StrictLoader.add_constructor("tag:yaml.org,2002:map", _construct_mapping)


def _check_folder(folder: Path) -> None:
    """Every YAML file in the policies folder is a policy file this module reads."""
    strays = sorted(
        p.name
        for p in folder.glob("*")
        if p.suffix in (".yml", ".yaml") and p.name not in POLICY_FILES
    )
    if strays:
        raise PolicyError(
            f"{folder}: {', '.join(strays)}: not a policy file (policy files: "
            f"{', '.join(POLICY_FILES)})"
        )


def _read(path: Path) -> Lined:
    if not path.is_file():
        raise PolicyError(f"policy file not found: {path}")
    _check_folder(path.parent)
    try:
        data = yaml.load(path.read_text(encoding="utf-8"), Loader=_StrictLoader)
    except _DuplicateKey as duplicate:
        raise PolicyError(
            f"{path}:{duplicate.line}: duplicate key {duplicate.key!r} "
            f"(first on line {duplicate.first})"
        ) from None
    except yaml.YAMLError as error:
        mark = getattr(error, "problem_mark", None)
        line = f":{mark.line + 1}" if mark is not None else ""
        raise PolicyError(f"{path}{line}: not valid YAML: {error}") from None
    if not isinstance(data, Lined):
        raise PolicyError(f"{path}:1: expected a mapping at the top")
    return data


# --- schemas: the keys allowed at every level ------------------------------------------------


@dataclass(frozen=True)
class _Fixed:
    """A mapping whose keys are the schema's own names."""

    keys: Mapping[str, _Schema]
    required: tuple[str, ...] = ()


@dataclass(frozen=True)
class _Named:
    """A mapping whose keys the file chooses (each checked by ``check``: None when fine, else
    why not), every value under one schema."""

    value: _Schema
    check: Callable[[str], str | None] | None = field(default=None, compare=False)
    non_empty: bool = False


class _Leaf:
    """Any value (a guardrail parameter, a description); its user checks it."""


class _Mask:
    """One of ``MASKS``."""


_Schema = _Fixed | _Named | type[_Leaf] | type[_Mask]


def _validate(path: Path, node: Any, schema: _Schema, where: str, line: int) -> None:
    if schema is _Leaf:
        return
    if schema is _Mask:
        if node not in MASKS:
            raise PolicyError(f"{path}:{line}: {where}: unknown mask {node!r} (use {MASKS})")
        return
    if node is None and isinstance(schema, _Named) and not schema.non_empty:
        return  # an optional map left empty (`fields:`)
    if not isinstance(node, Lined):
        raise PolicyError(f"{path}:{line}: {where} must be a mapping")
    assert isinstance(schema, _Fixed | _Named)
    if isinstance(schema, _Fixed):
        for key in node:
            if key not in schema.keys:
                close = difflib.get_close_matches(str(key), list(schema.keys), n=1)
                hint = f"; did you mean {close[0]!r}?" if close else ""
                raise PolicyError(
                    f"{path}:{node.lines[key]}: unknown key {key!r} in {where or 'the file'} "
                    f"(allowed: {', '.join(schema.keys)}){hint}"
                )
        for key in schema.required:
            if key not in node:
                raise PolicyError(f"{path}:{node.line}: {where} needs `{key}`")
        children = ((key, schema.keys[str(key)]) for key in node)
    else:
        if schema.non_empty and not node:
            raise PolicyError(f"{path}:{node.line}: {where} is empty")
        for key in node:
            problem = schema.check(str(key)) if schema.check else None
            if problem:
                raise PolicyError(f"{path}:{node.lines[key]}: {where}: {problem}")
        children = ((key, schema.value) for key in node)
    for key, child in children:
        _validate(path, node[key], child, f"{where}.{key}" if where else str(key), node.lines[key])


_GUARDRAILS = _Fixed(
    {
        "version": _Leaf,
        "rules": _Named(
            _Fixed(
                {"action": _Leaf, "description": _Leaf, "parameters": _Named(_Leaf)},
            ),
            non_empty=True,
        ),
    },
    required=("rules",),
)


@lru_cache(maxsize=8)
def _guardrails(path: Path) -> dict[str, dict[str, Any]]:
    data = _read(path)
    _validate(path, data, _GUARDRAILS, "", data.line)
    return data["rules"]


def guardrail_rules() -> dict[str, dict[str, Any]]:
    return _guardrails(policies_dir() / "guardrails.yml")


def guardrail_parameter(rule_id: str, parameter: str) -> Any:
    """One parameter of one rule; a missing rule or parameter is an error, never a default."""
    rules = guardrail_rules()
    if rule_id not in rules:
        raise PolicyError(f"guardrails.yml has no rule {rule_id!r}")
    rule = rules[rule_id]
    parameters = rule.get("parameters") or {}
    if parameter not in parameters:
        line = getattr(rule, "line", 0)
        raise PolicyError(f"guardrails.yml:{line}: rule {rule_id!r} has no parameter {parameter!r}")
    return parameters[parameter]


# The top-level sections of customer_context.context (dbt_project/models/publish/
# customer_context.sql builds them); a consumer's `fields` must start with one of these.
CONTEXT_SECTIONS = (
    "customer_id",
    "as_of",
    "identity",
    "profile",
    "consent",
    "open_work",
    "recent_interactions",
    "signals",
    "guardrails",
    "freshness",
)


def _identifier_type(name: str) -> str | None:
    from customer_truth.retrieval.identifiers import IDENTIFIER_TYPES

    if name in IDENTIFIER_TYPES:
        return None
    close = difflib.get_close_matches(name, IDENTIFIER_TYPES, n=1)
    hint = f"; did you mean {close[0]!r}?" if close else ""
    return f"unknown identifier type {name!r} (types: {', '.join(IDENTIFIER_TYPES)}){hint}"


def _published_table(name: str) -> str | None:
    from customer_truth.publication.registry import published_table

    try:
        published_table(name)
    except KeyError as error:
        return str(error.args[0])
    return None


def _context_field(name: str) -> str | None:
    root = name.split(".", 1)[0]
    if root in CONTEXT_SECTIONS:
        return None
    return f"unknown context field {name!r} (sections: {', '.join(CONTEXT_SECTIONS)})"


_TABLE_RULE = _Fixed(
    {
        "columns": _Named(_Mask, non_empty=True),
        "fields": _Named(_Mask, check=_context_field),
    },
    required=("columns",),
)
_CONSUMERS = _Fixed(
    {
        "consumers": _Named(
            _Fixed(
                {
                    "description": _Leaf,
                    "identifiers": _Named(_Mask, check=_identifier_type),
                    "tables": _Named(_TABLE_RULE, check=_published_table, non_empty=True),
                },
                required=("tables",),
            ),
            non_empty=True,
        ),
    },
    required=("consumers",),
)


@lru_cache(maxsize=8)
def _consumers(path: Path) -> dict[str, dict[str, Any]]:
    """Every consumer policy, checked against ``_CONSUMERS``: keys at every level, masks,
    identifier types, table names (the publication registry) and context field roots. Column
    names are checked against a release's schema by the retrieval API
    (``customer_truth.retrieval.policy``), which knows which release it reads."""
    data = _read(path)
    _validate(path, data, _CONSUMERS, "", data.line)
    consumers: Lined = data["consumers"]
    for name, policy in consumers.items():
        for table, spec in policy["tables"].items():
            if spec.get("fields") and table != "customer_context":
                line = spec.lines["fields"]
                raise PolicyError(
                    f"{path}:{line}: {name}.tables.{table}: `fields` apply to customer_context"
                )
    return consumers


def consumer_policy(name: str) -> dict[str, Any]:
    consumers = _consumers(policies_dir() / "consumers.yml")
    if name not in consumers:
        raise PolicyError(f"no consumer policy {name!r}; known: {', '.join(sorted(consumers))}")
    return consumers[name]
