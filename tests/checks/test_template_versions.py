"""What `sam deploy` publishes: the template after the SAM transform, as CloudFormation gets it.

API Gateway and the event source mappings call each function's alias `live`, so a deploy whose
change does not publish a new version changes nothing they run. These tests transform the
template with aws-sam-translator (SAM CLI's tools venv) and compare what two deploys publish.
"""

from __future__ import annotations

import json
import re
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from inprocess.template import load_template

ROOT = Path(__file__).resolve().parents[2]
TOOLS_PYTHON = ROOT / ".venv-tools" / "bin" / "python"
TEMPLATE = load_template()
PARAMETERS: dict[str, dict[str, Any]] = TEMPLATE["Parameters"]
FUNCTION_NAMES = sorted(
    name for name, r in TEMPLATE["Resources"].items() if r["Type"] == "AWS::Serverless::Function"
)
# a value of each parameter other than its default, valid for its constraints
OTHER_VALUES = {"ModerationThresholds": '{"porn":{"review":0.5,"block":0.8}}'}


@cache
def transformed(layer_uri: str, *parameters: str) -> dict[str, Any]:
    """template.yaml through the SAM transform (scripts/transformed_template.py)."""
    out = subprocess.run(  # noqa: S603 (the tools venv, our own script)
        [str(TOOLS_PYTHON), "scripts/transformed_template.py", "--layer-uri", layer_uri,
         *parameters],
        capture_output=True, text=True, check=True, cwd=ROOT, timeout=120,
    )  # fmt: skip
    result: dict[str, Any] = json.loads(out.stdout)
    return result


def resolved(value: Any, parameters: dict[str, str]) -> Any:
    """`Fn::Sub` over parameters, as CloudFormation resolves it at deploy time."""
    if isinstance(value, dict) and "Fn::Sub" in value:
        return re.sub(r"\$\{(\w+)\}", lambda m: parameters[m.group(1)], value["Fn::Sub"])
    return value


def published(layer_uri: str = "s3://artifacts/layer-1.zip", **changed: str) -> dict[str, Any]:
    """Per function, what CloudFormation publishes: the Version's logical id (a new one is a new
    version) and its resolved description (a changed one replaces the version)."""
    values = {name: str(p.get("Default", "")) for name, p in PARAMETERS.items()} | changed
    template = transformed(layer_uri, *(f"{k}={v}" for k, v in sorted(changed.items())))
    versions = {}
    for name, resource in template["Resources"].items():
        if resource["Type"] == "AWS::Lambda::Version":
            function = resource["Properties"]["FunctionName"]["Ref"]
            versions[function] = (name, resolved(resource["Properties"].get("Description"), values))
    return versions


def parameters_read_by(function: str) -> set[str]:
    """Every template parameter a function's properties (Globals included) refer to, directly
    or through a condition."""
    text = json.dumps([TEMPLATE["Globals"]["Function"], TEMPLATE["Resources"][function]])
    conditions = set(re.findall(r'"Fn::If": \["(\w+)"', text))
    text += json.dumps([TEMPLATE["Conditions"][name] for name in sorted(conditions)])
    named = set(re.findall(r'"Ref": "(\w+)"', text)) | set(re.findall(r"\$\{(\w+)\}", text))
    return named & set(PARAMETERS)


def parameters_read_by_functions() -> set[str]:
    return set().union(*(parameters_read_by(function) for function in FUNCTION_NAMES))


def other_value(name: str) -> str:
    parameter = PARAMETERS[name]
    if name in OTHER_VALUES:
        return OTHER_VALUES[name]
    default = str(parameter.get("Default", ""))
    allowed = [str(v) for v in parameter.get("AllowedValues", []) if str(v) != default]
    if allowed:
        return allowed[0]
    if parameter["Type"] == "Number":
        return str(int(default or 0) + 7)
    return default + "x"


@pytest.fixture(scope="module", autouse=True)
def _tools() -> None:
    assert TOOLS_PYTHON.exists(), "run `make install` (SAM CLI's venv holds aws-sam-translator)"


def test_every_function_is_published_behind_its_alias() -> None:
    versions = published()
    assert sorted(versions) == FUNCTION_NAMES


def test_a_changed_layer_publishes_a_new_version_of_every_function() -> None:
    """Most of the code lives in the layer: a layer-only change must reach the alias."""
    before = published("s3://artifacts/layer-1.zip")
    after = published("s3://artifacts/layer-2.zip")
    for function in FUNCTION_NAMES:
        assert after[function][0] != before[function][0], function


@pytest.mark.parametrize("parameter", sorted(parameters_read_by_functions()))
def test_a_changed_parameter_publishes_a_new_version_of_each_function_reading_it(
    parameter: str,
) -> None:
    """A parameter's value (thresholds, retention, log level, SnapStart) reaches a function's
    configuration; the alias must run that configuration after the deploy."""
    before = published()
    after = published(**{parameter: other_value(parameter)})
    readers = [f for f in FUNCTION_NAMES if parameter in parameters_read_by(f)]
    assert readers
    for function in readers:
        assert after[function] != before[function], (parameter, function)


def test_the_functions_read_the_parameters_these_tests_change() -> None:
    """So that a new parameter a function reads is covered by the test above."""
    assert parameters_read_by_functions() >= {
        "ModerationThresholds",
        "RetentionDays",
        "LogLevel",
        "EnableSnapStart",
    }


def test_every_version_description_fits_lambda_with_the_longest_parameter_values() -> None:
    """A version's description holds at most 256 characters; it carries the parameters' values."""
    longest = {
        "ModerationThresholds": "x" * PARAMETERS["ModerationThresholds"]["MaxLength"],
        "RetentionDays": str(PARAMETERS["RetentionDays"]["MaxValue"]),
        "LogLevel": max(PARAMETERS["LogLevel"]["AllowedValues"], key=len),
        "EnableSnapStart": "false",
    }
    template = transformed("s3://artifacts/layer-1.zip")
    values = {name: str(p.get("Default", "")) for name, p in PARAMETERS.items()} | longest
    for resource in template["Resources"].values():
        if resource["Type"] == "AWS::Lambda::Version":
            assert len(resolved(resource["Properties"]["Description"], values)) <= 256


def test_the_api_stage_records_no_trace_of_the_url() -> None:
    """API Gateway's X-Ray segment records the URL with its query string, the token with it."""
    stages = [
        r["Properties"]
        for r in transformed("s3://artifacts/layer-1.zip")["Resources"].values()
        if r["Type"] == "AWS::ApiGateway::Stage"
    ]
    assert stages
    for stage in stages:
        assert stage.get("TracingEnabled") in (None, False)
