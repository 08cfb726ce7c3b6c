"""One list of import roots (pyproject.toml's [tool.media-callbacks] import-roots): the tools
that cannot read it hold the same list, and the template's CodeUris are all in it."""

from __future__ import annotations

import shutil
import subprocess
import tomllib
from pathlib import Path

from helpers import ROOT
from import_roots import import_roots, pythonpath
from inprocess.template import load_template


def _tool(*keys: str) -> list[str]:
    with (ROOT / "pyproject.toml").open("rb") as file:
        value = tomllib.load(file)
    for key in keys:
        value = value[key]
    return list(value)


def test_pytest_mypy_and_ruff_see_the_import_roots_and_only_their_own_additions() -> None:
    roots = import_roots()
    assert _tool("tool", "pytest", "ini_options", "pythonpath") == [*roots[:-1], "tests", "scripts"]
    assert _tool("tool", "mypy", "mypy_path") == [*roots[:-1], "tests", "scripts"]
    assert _tool("tool", "ruff", "src") == [*roots[:-1], "tests", "bench", "scripts"]


def test_every_function_and_the_layer_are_import_roots() -> None:
    resources = load_template()["Resources"].values()
    code = {
        r["Properties"]["CodeUri"] for r in resources if r["Type"] == "AWS::Serverless::Function"
    }
    layers = {
        r["Properties"]["ContentUri"]
        for r in resources
        if r["Type"] == "AWS::Serverless::LayerVersion"
    }
    assert {uri.rstrip("/") for uri in code} <= set(import_roots())
    assert {f"{uri.rstrip('/')}" for uri in layers} <= set(import_roots())


def test_the_makefile_puts_the_import_roots_on_the_path() -> None:
    printed = subprocess.run(  # noqa: S603 (make, on our own Makefile)
        [shutil.which("make") or "make", "-s", "-f", "-", "print"],
        input="include Makefile\nprint:\n\t@echo $(APP_PATH)\n",
        cwd=ROOT, capture_output=True, text=True, check=True,
    ).stdout.strip()  # fmt: skip
    assert printed == pythonpath()
    assert all(Path(path).is_dir() for path in printed.split(":"))
