"""docs/ARCHITECTURE.md's "Adding a sender" is kept true: its list names exactly the steps this
test knows how to check, and every registered sender has done each of them."""

from __future__ import annotations

import ast
import importlib
import re
from collections.abc import Callable

import pytest

from helpers import ROOT
from inprocess.template import load_template
from media_callbacks.vendors import MODULES, VENDORS, Adapter

TEMPLATE = load_template()


def _section() -> str:
    text = (ROOT / "docs" / "ARCHITECTURE.md").read_text(encoding="utf-8")
    return text.split("## Adding a sender", 1)[1].split("\n## ", 1)[0]


def _steps() -> list[str]:
    """The first path of each bullet of the section's list."""
    return re.findall(r"^- `([^`]+)`", _section(), re.M)


def _adapter_module(vendor: str) -> None:
    adapter = importlib.import_module(f"media_callbacks.vendors.{MODULES[vendor]}").ADAPTER
    assert isinstance(adapter, Adapter)
    assert adapter.id == vendor


def _registered(vendor: str) -> None:
    source = (ROOT / "layers/common/media_callbacks/vendors/__init__.py").read_text()
    assert f'"{vendor}": "{MODULES[vendor]}"' in source


def _fixtures(vendor: str) -> None:
    assert list((ROOT / "events" / vendor).glob("*.json")), f"no fixtures in events/{vendor}"


def _route_and_output(vendor: str) -> None:
    events = TEMPLATE["Resources"]["CallbackFunction"]["Properties"]["Events"].values()
    paths = {e["Properties"]["Path"] for e in events if e["Type"] == "Api"}
    assert set(VENDORS[vendor].paths) <= paths
    outputs = str(TEMPLATE["Outputs"])
    assert f"/callbacks/{vendor}" in outputs, f"no output with a /callbacks/{vendor} URL"


def _readme(vendor: str) -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in VENDORS[vendor].paths:
        assert f"`POST {path}`" in readme, f"README's routes table lacks POST {path}"
    assert re.search(rf"curl .*\$B/callbacks/{re.escape(vendor)}\b", readme), "no example curl"


def _console_steps(vendor: str) -> None:
    deploy = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    consoles = deploy.split("## Set the callback URLs in the vendors' consoles", 1)[1]
    consoles = consoles.split("\n## ", 1)[0]
    names = [
        set(re.findall(r"[\w-]+", bold)) for bold in re.findall(r"^\*\*([^*]+)\*\*", consoles, re.M)
    ]
    words = set(VENDORS[vendor].name.split())
    assert any(words <= name for name in names), f"DEPLOY.md has no console steps for {vendor}"


def _bench(vendor: str) -> None:
    tree = ast.parse((ROOT / "bench" / "run.py").read_text(encoding="utf-8"))
    for node in ast.walk(tree):
        if isinstance(node, ast.AnnAssign) and getattr(node.target, "id", "") == "VENDOR_CALLBACKS":
            assert isinstance(node.value, ast.Dict)
            assert vendor in [ast.literal_eval(k) for k in node.value.keys if k is not None]
            return
    raise AssertionError("bench/run.py has no VENDOR_CALLBACKS")


def _named_in(tier: str, vendor: str) -> bool:
    pattern = re.compile(rf"[\"/]{re.escape(vendor)}[\"/]")
    files = (ROOT / "tests" / tier).glob("test_*.py")
    return any(pattern.search(path.read_text(encoding="utf-8")) for path in files)


CHECKS: dict[str, Callable[[str], None]] = {
    "media_callbacks/vendors/<module>.py": _adapter_module,
    "media_callbacks/vendors/__init__.py": _registered,
    "events/<vendor>/": _fixtures,
    "template.yaml": _route_and_output,
    "README.md": _readme,
    "docs/DEPLOY.md": _console_steps,
    "bench/run.py": _bench,
}


def test_the_section_lists_exactly_the_checked_steps() -> None:
    assert _steps() == list(CHECKS)
    assert "- tests:" in _section()


@pytest.mark.parametrize("step", list(CHECKS))
@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_every_sender_has_done_each_step(vendor: str, step: str) -> None:
    CHECKS[step](vendor)


@pytest.mark.parametrize("tier", ["unit", "integration", "e2e"])
@pytest.mark.parametrize("vendor", sorted(VENDORS))
def test_every_sender_is_tested_in_each_tier(vendor: str, tier: str) -> None:
    assert _named_in(tier, vendor), f"no test in tests/{tier} names {vendor}"
