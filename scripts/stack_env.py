"""The deployed stack's outputs as shell variables, for the commands of docs/DEPLOY.md and others.

    eval "$(make -s stack-env)"            # dev: the [default] environment of samconfig.toml
    eval "$(make -s stack-env ENV=prod)"   # prod: [prod]
    eval "$(make -s stack-env ENV=local)"  # the local stack of `make run`

Prints `export STACK=...`, `export AWS_DEFAULT_REGION=...` and one `export NAME=value` per
output, NAME being the output key in upper snake case (ResultsTableName -> RESULTS_TABLE_NAME,
UMediaTranscodeCallbackUrl -> UMEDIA_TRANSCODE_CALLBACK_URL). Stack name and region come from
samconfig.toml, as `make deploy` uses them. With --table, prints the outputs as a table instead.

ENV=local reads the stack `make run` deployed on the emulator: its URLs are the local API's,
and AWS_ENDPOINT_URL, credentials the emulator accepts, CALLBACK_TOKEN, ALERT_QUEUE_URL,
DECISION_QUEUE_URL and the review desk's reviewer (REVIEWER_EMAIL, REVIEWER_PASSWORD) are
exported too, so every command of the docs runs unchanged against it.
"""

from __future__ import annotations

import argparse
import json
import re
import shlex
import sys
import tomllib
from pathlib import Path
from typing import Any

SAMCONFIG = Path(__file__).resolve().parents[1] / "samconfig.toml"


def config_env(env: str) -> str:
    """`make deploy ENV=dev` is samconfig.toml's [default]; any other name is its own section."""
    return "default" if env == "dev" else env


def stack_and_region(env: str, samconfig: Path = SAMCONFIG) -> tuple[str, str]:
    config = tomllib.loads(samconfig.read_text(encoding="utf-8"))
    section = config.get(config_env(env))
    if section is None:
        raise SystemExit(f"samconfig.toml has no [{config_env(env)}] environment (ENV={env})")
    parameters = {
        **section["global"]["parameters"],
        **section.get("deploy", {}).get("parameters", {}),
    }
    return parameters["stack_name"], parameters["region"]


def variable(output_key: str) -> str:
    return re.sub(r"(?<=[a-z0-9])(?=[A-Z])", "_", output_key).upper()


def outputs(client: Any, stack: str) -> dict[str, str]:
    stacks = client.describe_stacks(StackName=stack)["Stacks"]
    return {o["OutputKey"]: o["OutputValue"] for o in stacks[0].get("Outputs", [])}


def exports(stack: str, region: str, found: dict[str, str]) -> str:
    lines = [
        f"export STACK={shlex.quote(stack)}",
        f"export AWS_DEFAULT_REGION={shlex.quote(region)}",
    ]
    lines += [
        f"export {variable(key)}={shlex.quote(value)}" for key, value in sorted(found.items())
    ]
    return "\n".join(lines)


def table(found: dict[str, str]) -> str:
    width = max((len(key) for key in found), default=0)
    return "\n".join(f"{key:<{width}}  {value}" for key, value in sorted(found.items()))


# what ENV=local exports besides the outputs (test_docs.py: the docs' commands may use them)
LOCAL_VARIABLES = (
    "AWS_ENDPOINT_URL",
    "AWS_ACCESS_KEY_ID",
    "AWS_SECRET_ACCESS_KEY",
    "CALLBACK_TOKEN",
    "ALERT_QUEUE_URL",
    "DECISION_QUEUE_URL",
    "REVIEWER_EMAIL",
    "REVIEWER_PASSWORD",
)


def local_exports(region: str) -> str:
    """The running local stack (make run) as shell exports."""
    from local_stack.stack import STATE, client, load, running_endpoint, token

    endpoint = running_endpoint()
    try:
        stack = load(endpoint)
    except Exception as exc:
        problem = type(exc).__name__
        raise SystemExit(f"no local stack on {endpoint} ({problem}): start `make run`") from None
    sqs = client("sqs", endpoint)
    queue = sqs.get_queue_url(QueueName="moderation-alerts-local")["QueueUrl"]
    decisions = sqs.get_queue_url(QueueName="moderation-decisions-local")["QueueUrl"]
    reviewer = json.loads(STATE.read_text()).get("reviewer", {}) if STATE.exists() else {}
    extra = {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": "test",
        "AWS_SECRET_ACCESS_KEY": "test",
        "CALLBACK_TOKEN": token(stack),
        "ALERT_QUEUE_URL": queue,
        "DECISION_QUEUE_URL": decisions,
        "REVIEWER_EMAIL": reviewer.get("email", ""),
        "REVIEWER_PASSWORD": reviewer.get("password", ""),
    }
    lines = [
        exports("media-callbacks-local", region, stack.outputs),
        "unset AWS_SESSION_TOKEN AWS_PROFILE",
    ]
    lines += [f"export {name}={shlex.quote(value)}" for name, value in extra.items()]
    return "\n".join(lines)


def main(argv: list[str], client: Any = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--env", default="dev", help="samconfig.toml environment (dev, prod)")
    parser.add_argument("--table", action="store_true", help="a table instead of shell exports")
    args = parser.parse_args(argv)
    stack, region = stack_and_region(args.env)
    if args.env == "local" and client is None and not args.table:
        print(local_exports(region))
        return 0
    if client is None:
        import boto3

        client = boto3.client("cloudformation", region_name=region)
    found = outputs(client, stack)
    print(table(found) if args.table else exports(stack, region, found))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
