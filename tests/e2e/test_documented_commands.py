"""Commands the docs show, run as written (bash, the tools venv's AWS CLI) against the local run,
with the variables `make stack-env` would set pointed at it."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from .conftest import ROOT, TOKEN, LocalRun

pytestmark = pytest.mark.e2e


def block_after(doc: str, heading: str) -> str:
    text = (ROOT / "docs" / doc).read_text(encoding="utf-8")
    found = re.search(re.escape(heading) + r"\n.*?```bash\n(.*?)```", text, re.DOTALL)
    assert found is not None, heading
    return found.group(1)


def run(script: str, local_run: LocalRun, **variables: str) -> subprocess.CompletedProcess[str]:
    env = {
        **os.environ,
        "PATH": f"{ROOT / '.venv-tools' / 'bin'}{os.pathsep}{os.environ['PATH']}",
        "AWS_ENDPOINT_URL": local_run.emulator,
        "AWS_ACCESS_KEY_ID": "testing",
        "AWS_SECRET_ACCESS_KEY": "testing",
        "AWS_DEFAULT_REGION": "us-east-1",
        **variables,
    }
    env.pop("AWS_PROFILE", None)
    return subprocess.run(  # noqa: S603
        ["/bin/bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_the_deploy_check_stores_a_callback_and_cleans_it_up(local_run: LocalRun) -> None:
    script = block_after("DEPLOY.md", "### Check it with a test callback")
    done = run(
        script,
        local_run,
        TOKEN=TOKEN,
        UMEDIA_TRANSCODE_CALLBACK_URL=f"{local_run.api}/callbacks/umedia/transcode",
        RESULTS_TABLE_NAME="media-callbacks",
    )
    assert done.returncode == 0, done.stderr
    answer = json.loads(done.stdout.splitlines()[0])
    assert answer["status"] == "stored"
    assert answer["task_id"].startswith("deploy-check-")
    status, listing = local_run.request("GET", f"/tasks/umedia/{answer['task_id']}")
    assert status == 200
    assert listing["results"] == []  # deleted by the block's last command


def test_the_local_alert_queue_command_reads_up_to_ten_alerts(local_run: LocalRun) -> None:
    text = (ROOT / "docs" / "ALERTS.md").read_text(encoding="utf-8")
    command = re.search(
        r"```bash\n(AWS_ACCESS_KEY_ID=x .*?moderation-alerts-local.*?)```", text, re.S
    )
    assert command is not None
    script = command.group(1).replace("http://127.0.0.1:5000", local_run.emulator)
    done = run(script, local_run)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" or "Messages" in json.loads(done.stdout)
