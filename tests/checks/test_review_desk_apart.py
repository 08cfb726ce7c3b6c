"""The review desk lives in functions of its own: the callback function's cold start imports
none of it (issue 24: the callback's cold start is untouched)."""

from __future__ import annotations

import os
import subprocess
import sys

from import_roots import ROOT, pythonpath

REVIEW_MODULES = (
    "review_handler", "decision_handler", "media_callbacks.review_storage",
    "media_callbacks.decisions",
)  # fmt: skip


def test_the_callback_functions_cold_start_imports_nothing_of_the_review_desk() -> None:
    probe = (
        "import sys, callback_handler.app\n"
        f"print(sorted(m for m in sys.modules if m.startswith({REVIEW_MODULES!r})))\n"
        "print('callback_handler.app' in sys.modules)"
    )
    env = {
        "PATH": os.environ.get("PATH", ""), "PYTHONPATH": pythonpath(), "TABLE_NAME": "results",
        "CALLBACK_TOKEN": "t", "AWS_DEFAULT_REGION": "us-east-1", "AWS_REGION": "us-east-1",
        "POWERTOOLS_METRICS_DISABLED": "true",
    }  # fmt: skip
    done = subprocess.run(  # noqa: S603 (this interpreter, our own code)
        [sys.executable, "-c", probe], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120, check=True,
    )  # fmt: skip
    assert done.stdout.split() == ["[]", "True"]


def test_the_callback_functions_code_holds_nothing_of_it() -> None:
    shipped = [p.name for p in (ROOT / "functions" / "callback").rglob("*") if p.is_file()]
    assert not [name for name in shipped if "review" in name or "decision" in name]
