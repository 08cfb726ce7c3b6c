"""template.yaml as CloudFormation receives it after the SAM transform, for the template's tests
(run with the tools venv's Python, where aws-sam-translator lives):

    .venv-tools/bin/python scripts/transformed_template.py [--layer-uri S3URI] [Name=value ...]

prints the transformed template as JSON. The functions' and the layer's local paths become S3
URIs as `sam package` would make them (the layer's from --layer-uri, so that a test can change
the layer alone), and the parameters take their defaults unless named.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from samtranslator.translator.transform import transform
from samtranslator.yaml_helper import yaml_parse


class NoManagedPolicies:
    """The template names no AWS managed policy, so the translator needs no IAM look-up."""

    def load(self) -> dict[str, str]:
        return {}


def packaged(template: dict[str, Any], layer_uri: str) -> dict[str, Any]:
    for name, resource in template["Resources"].items():
        properties = resource.get("Properties", {})
        if resource["Type"] == "AWS::Serverless::Function":
            properties["CodeUri"] = f"s3://artifacts/{name}.zip"
        elif resource["Type"] == "AWS::Serverless::LayerVersion":
            properties["ContentUri"] = layer_uri
    return template


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("--layer-uri", default="s3://artifacts/layer.zip")
    parser.add_argument("parameters", nargs="*", help="Name=value")
    args = parser.parse_args()
    os.environ.setdefault("AWS_DEFAULT_REGION", "us-east-1")
    template = yaml_parse(Path("template.yaml").read_text(encoding="utf-8"))
    values = dict(p.split("=", 1) for p in args.parameters)
    out = transform(packaged(template, args.layer_uri), values, NoManagedPolicies())
    json.dump(out, sys.stdout, default=str)
    return 0


if __name__ == "__main__":
    sys.exit(main())
