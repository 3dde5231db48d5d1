"""The deployment's pseudonym key: created once, owner-only, outside the repository, the same
key for every process that starts at once, and a key others can read is refused."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from customer_truth.privacy.pseudonyms import PseudonymKey, PseudonymKeyError, pseudonym_key
from customer_truth.settings import REPO_ROOT, Settings, pseudonym_key_file


def test_the_key_is_created_on_first_use_owner_only_in_the_home(tmp_path: Path) -> None:
    settings = Settings(landing=tmp_path / "landing", home=tmp_path / "home")
    path = settings.pseudonym_key
    assert path == pseudonym_key_file(settings.home) and not path.exists()
    key = pseudonym_key(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert stat.S_IMODE(path.parent.stat().st_mode) == 0o700
    assert len(bytes.fromhex(path.read_text().strip())) == 32
    assert pseudonym_key(path) == key  # read thereafter, never re-created
    assert list(path.parent.iterdir()) == [path]  # no temporary file left behind
    assert not path.resolve().is_relative_to(REPO_ROOT)
    assert key.secret.hex() not in repr(key)


_FIRST_USE = """
import sys
from pathlib import Path
from customer_truth.privacy.pseudonyms import pseudonym_key
print(pseudonym_key(Path(sys.argv[1])).pseudonym("+12127360003"))
"""


def test_processes_starting_at_once_agree_on_one_key(tmp_path: Path) -> None:
    path = tmp_path / "home" / "secrets" / "pseudonym.key"
    starters = [
        subprocess.Popen(
            [sys.executable, "-c", _FIRST_USE, str(path)],
            cwd=REPO_ROOT,
            env={**os.environ, "PYTHONPATH": str(REPO_ROOT)},
            stdout=subprocess.PIPE,
            text=True,
        )
        for _ in range(8)
    ]
    outputs = {s.communicate(timeout=120)[0].strip() for s in starters}
    assert all(s.returncode == 0 for s in starters)
    assert len(outputs) == 1
    assert outputs == {pseudonym_key(path).pseudonym("+12127360003")}


def test_a_key_others_can_read_or_a_short_key_is_refused(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    path.write_text("ab" * 32 + "\n")
    path.chmod(0o644)
    with pytest.raises(PseudonymKeyError, match="readable by others"):
        pseudonym_key(path)
    path.write_text("ab" * 8 + "\n")
    path.chmod(0o600)
    with pytest.raises(PseudonymKeyError, match="at least 32 bytes"):
        pseudonym_key(path)


def test_a_replaced_key_file_is_read_again(tmp_path: Path) -> None:
    path = tmp_path / "pseudonym.key"
    first = pseudonym_key(path)
    replacement = tmp_path / "new.key"
    replacement.write_text("cd" * 32 + "\n")
    replacement.chmod(0o600)
    replacement.replace(path)  # an operator's rotation: a new file in place
    assert pseudonym_key(path) == PseudonymKey(bytes.fromhex("cd" * 32)) != first
