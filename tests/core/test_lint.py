"""The code is held to one style: ruff's checks (pyflakes, pycodestyle, import order) and its formatter.

Configured once in pyproject.toml ([tool.ruff]); fix a failure with
``.venv/bin/ruff format . && .venv/bin/ruff check --fix .``.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TREE = ["consult", "tests", "bench", "scripts", "config.py"]


def ruff(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "ruff", *args, "--no-cache", *TREE], cwd=ROOT, capture_output=True, text=True
    )


def test_ruff_finds_nothing():
    result = ruff("check", "--output-format", "concise")
    assert result.returncode == 0, result.stdout + result.stderr


def test_the_code_is_formatted():
    result = ruff("format", "--check")
    assert result.returncode == 0, result.stdout + result.stderr
