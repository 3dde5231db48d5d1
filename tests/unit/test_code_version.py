"""The code version changes with what shapes the published data, and with nothing else."""

from __future__ import annotations

from pathlib import Path

from customer_truth.code_version import code_version


def _repo(root: Path) -> Path:
    files = {
        "dbt_project/models/stg.sql": "select 1",
        "dbt_project/target/run/stg.sql": "compiled",
        "customer_truth/ingest.py": "X = 1",
        "customer_truth/generate/world.py": "Y = 1",
        "policies/consumers.yml": "consumers: {}",
        "uv.lock": "lock",
        "README.md": "docs",
        "tests/test_x.py": "def test(): ...",
    }
    for name, text in files.items():
        (root / name).parent.mkdir(parents=True, exist_ok=True)
        (root / name).write_text(text)
    return root


def test_documentation_tests_generator_and_build_output_do_not_change_it(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    before = code_version(root)
    for name in (
        "README.md",
        "tests/test_x.py",
        "customer_truth/generate/world.py",
        "dbt_project/target/run/stg.sql",
    ):
        (root / name).write_text("changed")
    (root / "customer_truth/__pycache__").mkdir()
    (root / "customer_truth/__pycache__/ingest.cpython-311.pyc").write_bytes(b"\0")
    assert code_version(root) == before


def test_a_model_a_module_a_policy_or_a_library_version_changes_it(tmp_path: Path) -> None:
    root = _repo(tmp_path)
    seen = {code_version(root)}
    for name in (
        "dbt_project/models/stg.sql",
        "customer_truth/ingest.py",
        "policies/consumers.yml",
        "uv.lock",
    ):
        (root / name).write_text("changed " + name)
        seen.add(code_version(root))
    (root / "dbt_project/models/new.sql").write_text("select 2")
    seen.add(code_version(root))
    assert len(seen) == 6
