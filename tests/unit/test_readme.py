"""The README documents every setting the platform reads."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_every_yimen_variable_read_by_the_config_is_in_the_readme_table():
    read = set(
        re.findall(r'"(YIMEN_[A-Z_]+)"', (ROOT / "platform" / "kernel" / "config.py").read_text())
    )
    documented = set(re.findall(r"^\| `(YIMEN_[A-Z_]+)`", (ROOT / "README.md").read_text(), re.M))
    assert read and read == documented


def test_the_readme_gives_the_two_commands_and_ci_calls_the_test_one():
    readme = (ROOT / "README.md").read_text()
    assert "make run" in readme and "make test" in readme
    assert "make test" in (ROOT / ".ci" / "run").read_text()
