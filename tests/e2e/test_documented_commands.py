"""Commands the docs show, run as written (bash, the tools venv's AWS CLI) against the local
stack, after `eval "$(make -s stack-env ENV=local)"` as the docs say: the variables a deployed
stack's outputs give, pointed at the emulator."""

from __future__ import annotations

import json
import os
import re
import subprocess

import pytest

from .conftest import ROOT, LocalRun, environment

pytestmark = pytest.mark.e2e


def block_after(doc: str, heading: str) -> str:
    """The first bash block after `heading` in `doc` (README.md or a file of docs/)."""
    path = ROOT / doc if doc == "README.md" else ROOT / "docs" / doc
    text = path.read_text(encoding="utf-8")
    found = re.search(re.escape(heading) + r"\n.*?```bash\n(.*?)```", text, re.DOTALL)
    assert found is not None, heading
    return found.group(1)


def run(script: str, local_run: LocalRun) -> subprocess.CompletedProcess[str]:
    """`script` in bash after the docs' `eval "$(make -s stack-env ENV=local)"`."""
    port = local_run.emulator.rsplit(":", 1)[1]
    env = {
        **environment(LOCAL_RUN_DIR=str(local_run.state)),
        "PORT": port,
        "PATH": f"{ROOT / '.venv-tools' / 'bin'}{os.pathsep}{os.environ['PATH']}",
    }
    prelude = 'eval "$(make -s stack-env ENV=local)"\n'
    return subprocess.run(  # noqa: S603
        ["/bin/bash", "-euo", "pipefail", "-c", prelude + script],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=300, check=False,
    )  # fmt: skip


def answers(output: str) -> list[dict[str, object]]:
    """The JSON answers of the callbacks a block posted (curl prints them without a newline)."""
    decoder, found = json.JSONDecoder(), []
    for start in (m.start() for m in re.finditer(r'\{"status"', output)):
        answer, _ = decoder.raw_decode(output, start)
        found.append(answer)
    return found


def test_the_readme_tour_stores_finds_and_alerts(local_run: LocalRun) -> None:
    done = run(block_after("README.md", "then the vendors' examples from `events/`:"), local_run)
    assert done.returncode == 0, done.stderr
    assert [a["status"] for a in answers(done.stdout)] == ["stored", "duplicate", "stored"]
    assert '"results"' in done.stdout  # the signed GET /tasks
    assert "media-callbacks/moderation-alert/v1" in done.stdout  # the subscriber's message


def test_the_readme_routes_block_posts_every_vendor(local_run: LocalRun) -> None:
    done = run(block_after("README.md", "## Routes"), local_run)
    assert done.returncode == 0, done.stderr
    statuses = [a["status"] for a in answers(done.stdout)]
    assert len(statuses) >= 19  # 18 callbacks and /health
    assert set(statuses) <= {"stored", "duplicate", "ok"}
    assert statuses[-1] == "ok"


def test_the_deploy_check_stores_a_callback_and_cleans_it_up(local_run: LocalRun) -> None:
    script = block_after("DEPLOY.md", "## Set the callback URLs in the vendors' consoles")
    script += block_after("DEPLOY.md", "### Check it with a test callback")
    done = run(script, local_run)
    assert done.returncode == 0, done.stderr
    [answer] = answers(done.stdout)
    assert answer["status"] == "stored"
    assert str(answer["task_id"]).startswith("deploy-check-")
    status, listing = local_run.signed_get(f"/tasks/umedia/{answer['task_id']}")
    assert status == 200
    assert listing["results"] == []  # deleted by the block's last command


def test_the_local_alert_queue_command_reads_up_to_ten_alerts(local_run: LocalRun) -> None:
    done = run(block_after("ALERTS.md", "one `ALERT ...` line per alert:"), local_run)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "" or "Messages" in json.loads(done.stdout)


def test_the_review_desks_commands_answer_the_local_reviewer(local_run: LocalRun) -> None:
    done = run(block_after("REVIEW.md", 'Locally, after `eval "$(make -s stack-env ENV=local)"`:'),
               local_run)  # fmt: skip
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["items"] is not None  # the queue, as the reviewer sees it


def test_adding_a_reviewer_is_one_command(local_run: LocalRun) -> None:
    done = run(
        "make -s reviewer EMAIL=dora@example.com ENV=local PASSWORD=Dora-Reviews-2026\n"
        'aws cognito-idp initiate-auth --endpoint-url "$AWS_ENDPOINT_URL" '
        '--auth-flow USER_PASSWORD_AUTH --client-id "$REVIEWER_USER_POOL_CLIENT_ID" '
        "--auth-parameters USERNAME=dora@example.com,PASSWORD=Dora-Reviews-2026 "
        "--query AuthenticationResult.IdToken --output text\n",
        local_run,
    )
    assert done.returncode == 0, done.stderr
    assert "reviewer dora@example.com" in done.stdout
    assert done.stdout.strip().splitlines()[-1].count(".") == 2  # an ID token (a JWT)


def test_the_decision_queue_command_reads_the_subscribed_queue(local_run: LocalRun) -> None:
    heading = 'delivery (`$DECISION_QUEUE_URL` after `eval "$(make -s stack-env ENV=local)"`):'
    done = run(block_after("ALERTS.md", heading), local_run)
    assert done.returncode == 0, done.stderr
