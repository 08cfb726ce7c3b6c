"""The deploy artifact: `sam build` runs our Makefiles, which ship the locked arm64 wheels and
bytecode; `make build` checks the result with scripts/check_build.py, tested here."""

from __future__ import annotations

import py_compile
import re
from pathlib import Path

from check_build import (
    OPERATOR_TOOLS,
    architecture_problems,
    bytecode_problems,
    operator_tool_problems,
)
from inprocess.template import load_template

ROOT = Path(__file__).resolve().parents[2]
RESOURCES = load_template()["Resources"]


def compiled(tmp_path: Path, mode: py_compile.PycInvalidationMode) -> Path:
    source = tmp_path / f"{mode.name.lower()}.py"
    source.write_text("VALUE = 1\n")
    py_compile.compile(str(source), invalidation_mode=mode)
    return source


def test_the_build_check_accepts_unchecked_hash_bytecode_only(tmp_path: Path) -> None:
    good = compiled(tmp_path, py_compile.PycInvalidationMode.UNCHECKED_HASH)
    stale = compiled(tmp_path, py_compile.PycInvalidationMode.TIMESTAMP)
    bare = tmp_path / "bare.py"
    bare.write_text("VALUE = 2\n")
    assert bytecode_problems([good]) == []
    problems = bytecode_problems([good, stale, bare])
    assert len(problems) == 2
    assert "not unchecked-hash" in problems[0]
    assert problems[1].startswith("missing ")


def test_the_build_check_refuses_an_extension_for_another_architecture(tmp_path: Path) -> None:
    def extension(name: str, machine: int) -> None:
        header = b"\x7fELF" + bytes(14) + machine.to_bytes(2, "little") + bytes(44)
        (tmp_path / name).write_bytes(header)

    extension("_core.cpython-313-aarch64-linux-gnu.so", 183)
    assert architecture_problems(tmp_path, "arm64") == (1, [])
    extension("_other.cpython-313-x86_64-linux-gnu.so", 62)
    count, problems = architecture_problems(tmp_path, "arm64")
    assert count == 2
    other = tmp_path / "_other.cpython-313-x86_64-linux-gnu.so"
    assert problems == [f"{other}: built for x86_64, not arm64"]


def test_replay_is_an_operator_tool_and_not_in_the_layer() -> None:
    """The layer's Makefile ships media_callbacks whole: replay lives in scripts/, outside it."""
    assert "replay" in OPERATOR_TOOLS
    assert (ROOT / "scripts" / "replay.py").is_file()
    layer = ROOT / RESOURCES["SharedLayer"]["Properties"]["ContentUri"]
    shipped = {p.stem for p in (layer / "media_callbacks").rglob("*.py")}
    assert "replay" not in shipped
    assert not shipped & OPERATOR_TOOLS


def test_the_build_check_refuses_an_operator_tool_in_the_layer_or_a_function(
    tmp_path: Path,
) -> None:
    package = tmp_path / "SharedLayer" / "python" / "media_callbacks"
    package.mkdir(parents=True)
    (package / "ingest.py").write_text("VALUE = 1\n")
    (tmp_path / "CallbackFunction").mkdir()
    (tmp_path / "CallbackFunction" / "app.py").write_text("VALUE = 1\n")
    assert operator_tool_problems(tmp_path) == []
    (package / "replay.py").write_text("VALUE = 1\n")
    (tmp_path / "CallbackFunction" / "send.py").write_text("VALUE = 1\n")
    assert operator_tool_problems(tmp_path) == [
        f"{tmp_path / 'CallbackFunction' / 'send.py'}: an operator tool (scripts/)",
        f"{package / 'replay.py'}: an operator tool (scripts/)",
    ]


def test_sam_build_runs_our_makefiles_for_the_layer_and_every_function() -> None:
    layer = RESOURCES["SharedLayer"]
    assert layer["Metadata"]["BuildMethod"] == "makefile"
    assert layer["Metadata"]["BuildArchitecture"] == "arm64"
    layer_make = (ROOT / layer["Properties"]["ContentUri"] / "Makefile").read_text()
    assert re.search(r"^build-SharedLayer:", layer_make, re.MULTILINE)
    assert "--require-hashes" in layer_make
    assert "-r requirements.lock" in layer_make
    functions_make = (ROOT / "functions" / "Makefile").read_text()
    targets = re.findall(r"^(build-[^:]+):", functions_make, re.MULTILINE)[0].split()
    for name, resource in RESOURCES.items():
        if resource["Type"] != "AWS::Serverless::Function":
            continue
        assert resource["Metadata"]["BuildMethod"] == "makefile", name
        assert resource["Metadata"]["ContextPath"] == "functions", name
        assert f"build-{name}" in targets, name
    for makefile in (layer_make, functions_make):
        assert "--invalidation-mode unchecked-hash" in makefile


def pins(text: str) -> dict[str, str]:
    found = re.findall(r"^([A-Za-z0-9_.-]+)==([^\s;\\]+)", text, re.MULTILINE)
    return {name.lower().replace("_", "-"): version for name, version in found}


def test_the_lock_holds_the_layer_requirements_with_hashes() -> None:
    wanted = pins((ROOT / "layers/common/requirements.txt").read_text())
    lock_text = (ROOT / "layers/common/requirements.lock").read_text()
    locked = pins(lock_text)
    assert wanted, "no pins in layers/common/requirements.txt"
    for name, version in wanted.items():
        assert locked.get(name) == version, f"{name}: run `make lock`"
    entries = re.split(r"^(?=[A-Za-z0-9_.-]+==)", lock_text, flags=re.MULTILINE)[1:]
    assert len(entries) == len(locked)
    for entry in entries:
        assert "--hash=sha256:" in entry, entry.splitlines()[0]


def test_the_tests_run_the_versions_the_layer_ships() -> None:
    """The app venv is installed from requirements.txt without hashes; the layer from the lock."""
    from importlib.metadata import version

    locked = pins((ROOT / "layers/common/requirements.lock").read_text())
    installed = {name: version(name) for name in locked}
    assert installed == locked, "reinstall the venv (rm .venv/.installed) or run `make lock`"
