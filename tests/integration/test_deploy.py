"""The deploy path: samconfig.toml's environments, and `make stack-env`, which turns the stack's
outputs into the shell variables every command of docs/DEPLOY.md and docs/ALERTS.md uses."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

import boto3
import pytest
from botocore.stub import Stubber

from inprocess.template import load_template
from stack_env import exports, main, stack_and_region, variable

ROOT = Path(__file__).resolve().parents[2]
OUTPUTS = load_template()["Outputs"]


def test_each_environment_names_its_stack_and_region() -> None:
    assert stack_and_region("dev") == ("media-callbacks-dev", "ap-southeast-1")
    assert stack_and_region("prod") == ("media-callbacks-prod", "ap-southeast-1")


def test_every_output_becomes_its_own_shell_variable() -> None:
    names = {variable(key) for key in OUTPUTS}
    assert len(names) == len(OUTPUTS)
    assert variable("UMediaTranscodeCallbackUrl") == "UMEDIA_TRANSCODE_CALLBACK_URL"
    assert variable("CallbackTokenSecretArn") == "CALLBACK_TOKEN_SECRET_ARN"
    assert all(re.fullmatch(r"[A-Z][A-Z0-9_]*", name) for name in names)


def test_the_exports_survive_the_shell(capsys: pytest.CaptureFixture[str]) -> None:
    client = boto3.client("cloudformation", region_name="ap-southeast-1")
    outputs = [
        {"OutputKey": "ResultsTableName", "OutputValue": "media-callbacks-dev-ResultsTable-1"},
        {"OutputKey": "CallbackTokenCommand", "OutputValue": "aws secretsmanager ... 'x' $y"},
    ]
    stubber = Stubber(client)
    stubber.add_response(
        "describe_stacks",
        {"Stacks": [{"StackName": "media-callbacks-dev", "CreationTime": "2026-11-23T00:00:00Z",
                     "StackStatus": "CREATE_COMPLETE", "Outputs": outputs}]},
        {"StackName": "media-callbacks-dev"},
    )  # fmt: skip
    with stubber:
        assert main(["--env", "dev"], client=client) == 0
    show = 'printf "%s|%s|%s" "$STACK" "$RESULTS_TABLE_NAME" "$CALLBACK_TOKEN_COMMAND"'
    script = capsys.readouterr().out + "\n" + show
    shell = subprocess.run(  # noqa: S603
        ["/bin/bash", "-c", script], capture_output=True, text=True, check=True
    )
    assert shell.stdout == (
        "media-callbacks-dev|media-callbacks-dev-ResultsTable-1|aws secretsmanager ... 'x' $y"
    )


def test_exports_name_the_stack_and_region_first() -> None:
    lines = exports("s", "r", {"HealthUrl": "https://h"}).splitlines()
    assert lines == ["export STACK=s", "export AWS_DEFAULT_REGION=r", "export HEALTH_URL=https://h"]


@pytest.mark.parametrize(
    ("arguments", "expected"),
    [
        ([], "sam deploy --config-env default"),
        (["ENV=prod"], "sam deploy --config-env prod"),
        (["ENV=prod", "REGION=eu-west-1", "ARGS=--guided"],
         "sam deploy --config-env prod --region eu-west-1 --guided"),
    ],
)  # fmt: skip
def test_make_deploy_builds_then_deploys_the_chosen_environment(
    arguments: list[str], expected: str
) -> None:
    """`make -n` prints what `make deploy` would run, without running it (no AWS here)."""
    done = subprocess.run(  # noqa: S603
        [shutil.which("make") or "make", "-n", "deploy", *arguments],
        cwd=ROOT, capture_output=True, text=True, check=True,
    )  # fmt: skip
    commands = " ".join(done.stdout.replace("\\\n", " ").split())
    assert "sam build --template template.yaml" in commands
    assert "scripts/check_build.py" in commands
    assert expected in commands
    assert commands.index("sam build") < commands.index("sam deploy")
