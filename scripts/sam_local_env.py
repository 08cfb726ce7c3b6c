"""The environment `sam local invoke` gives each function, resolved by SAM CLI's own code.

    .venv-tools/bin/python scripts/sam_local_env.py .aws-sam/local/sam-local-env.json

Prints {function: {variable: value}} as JSON: the template's variables (intrinsics resolved with
the parameter overrides) replaced by the env-vars file, as SAM CLI builds them for the
container, plus the AWS credentials and region it passes from the shell. Runs in the tools venv
(SAM CLI); tests/e2e/test_sam_local.py invokes each handler with it, without Docker.
"""

from __future__ import annotations

import json
import os
import sys
from typing import Any

from samcli.commands.local.lib.local_lambda import LocalLambdaRunner
from samcli.lib.providers.sam_function_provider import SamFunctionProvider
from samcli.lib.providers.sam_stack_provider import SamLocalStackProvider


class _Runner:
    """What LocalLambdaRunner._make_env_vars reads: the env-vars file and the shell's creds."""

    def __init__(self, values: dict[str, Any]) -> None:
        self.env_vars_values = values

    @staticmethod
    def is_debugging() -> bool:
        return False

    def get_aws_creds(self) -> dict[str, str]:
        names = {"key": "AWS_ACCESS_KEY_ID", "secret": "AWS_SECRET_ACCESS_KEY"}
        creds = {k: os.environ[v] for k, v in names.items() if v in os.environ}
        return {**creds, "region": os.environ.get("AWS_DEFAULT_REGION", "us-east-1")}


def resolve(env_file: str, overrides: dict[str, str]) -> dict[str, dict[str, str]]:
    with open(env_file, encoding="utf-8") as handle:
        runner = _Runner(json.load(handle))
    stacks, _ = SamLocalStackProvider.get_stacks("template.yaml", parameter_overrides=overrides)
    provider = SamFunctionProvider(stacks)
    resolved = {}
    for function in provider.get_all():
        # the very method sam local invoke calls (its own class needs Docker to construct)
        variables = LocalLambdaRunner._make_env_vars(runner, function)
        resolved[function.name] = variables.resolve()
    return resolved


def main(argv: list[str]) -> int:
    overrides = dict(arg.split("=", 1) for arg in argv[1:])
    print(json.dumps(resolve(argv[0], overrides), indent=2, sort_keys=True))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
