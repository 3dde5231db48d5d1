"""GX's Data Docs views with their compiled templates kept for the process.

GX builds a new Jinja environment for every section it renders, so each of a run's 13 suites
compiled the same page templates again: 3.2 s of a 300-person run's 37 s in the job's process
(py-spy). These views are GX's own, with one Jinja bytecode cache shared by all of them: a template
is compiled once a process, and again only when its source changes (Jinja keys the cache on the
template's name and source checksum). The site names them in ``great_expectations.yml``
(``quality/gate.py``, ``_bound_data_docs``).
"""

from __future__ import annotations

from typing import Any

from great_expectations.render.view import DefaultJinjaIndexPageView, DefaultJinjaPageView
from jinja2 import BytecodeCache
from jinja2.bccache import Bucket


class _ProcessBytecodeCache(BytecodeCache):
    """Compiled templates in memory, for the life of the process."""

    def __init__(self) -> None:
        self._code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        code = self._code.get(bucket.key)
        if code is not None:
            bucket.bytecode_from_string(code)

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._code[bucket.key] = bucket.bytecode_to_string()


COMPILED_TEMPLATES = _ProcessBytecodeCache()


class _KeepsCompiledTemplates:
    """Gives the GX view it is mixed into the process's bytecode cache."""

    env: Any  # the view's Jinja environment, made by GX's own __init__

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.env.bytecode_cache = COMPILED_TEMPLATES


class CachedJinjaPageView(_KeepsCompiledTemplates, DefaultJinjaPageView):
    """A suite's or a validation result's page."""


class CachedJinjaIndexPageView(_KeepsCompiledTemplates, DefaultJinjaIndexPageView):
    """The site's index."""
