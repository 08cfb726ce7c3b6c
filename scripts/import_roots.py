"""The project's import roots, one list: pyproject.toml's [tool.media-callbacks] import-roots.

The layer's package and each function's CodeUri (what Lambda puts on sys.path), the local run
and the operator's scripts. The Makefile (`python scripts/import_roots.py`: a PYTHONPATH) and the
processes the tests and benches start read it here; pytest's pythonpath, mypy's mypy_path and
ruff's src cannot read it, so tests/checks/test_import_roots.py holds each of them to it.
"""

from __future__ import annotations

import os
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def import_roots() -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        roots: list[str] = tomllib.load(file)["tool"]["media-callbacks"]["import-roots"]
    return roots


def pythonpath() -> str:
    """The roots as a PYTHONPATH of absolute paths."""
    return os.pathsep.join(str(ROOT / root) for root in import_roots())


if __name__ == "__main__":
    sys.stdout.write(pythonpath() + "\n")
