"""template.yaml's resources as in-process stand-ins need them: the table's CreateTable
arguments, the event source mappings, the queues' attributes."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from template_yaml import TEMPLATE, load_template

__all__ = ["load_template"]


def resource(logical_id: str, path: Path = TEMPLATE) -> dict[str, Any]:
    resources: dict[str, dict[str, Any]] = load_template(path)["Resources"]
    return resources[logical_id]


def table_definition(table_name: str, logical_id: str = "ResultsTable") -> dict[str, Any]:
    """CreateTable arguments for the template's table, under a local name."""
    props = resource(logical_id)["Properties"]
    definition: dict[str, Any] = {
        "TableName": table_name,
        "AttributeDefinitions": props["AttributeDefinitions"],
        "KeySchema": props["KeySchema"],
        "BillingMode": props.get("BillingMode", "PAY_PER_REQUEST"),
    }
    if "GlobalSecondaryIndexes" in props:
        definition["GlobalSecondaryIndexes"] = props["GlobalSecondaryIndexes"]
    if "StreamSpecification" in props:
        definition["StreamSpecification"] = {"StreamEnabled": True, **props["StreamSpecification"]}
    return definition


def table_ttl_attribute(logical_id: str = "ResultsTable") -> str | None:
    spec = resource(logical_id)["Properties"].get("TimeToLiveSpecification")
    return spec["AttributeName"] if spec and spec.get("Enabled") else None


def stream_mapping(function_id: str = "AlertFunction") -> dict[str, Any]:
    """The DynamoDB event source of a function: batch size, retries, filter, bisect."""
    events: dict[str, Any] = resource(function_id)["Properties"]["Events"]
    [props] = [e["Properties"] for e in events.values() if e["Type"] == "DynamoDB"]
    return dict(props)


def queue_mapping(function_id: str = "IngestRetryFunction") -> dict[str, Any]:
    """The SQS event source of a function: batch size, response types."""
    events: dict[str, Any] = resource(function_id)["Properties"]["Events"]
    [props] = [e["Properties"] for e in events.values() if e["Type"] == "SQS"]
    return dict(props)


def queue_attributes(logical_id: str) -> dict[str, str]:
    """CreateQueue attributes for a queue the template declares (redrive resolved by caller)."""
    props = resource(logical_id)["Properties"]
    attributes = {}
    for name in ("VisibilityTimeout", "MessageRetentionPeriod"):
        if name in props:
            attributes[name] = str(props[name])
    return attributes


def max_receive_count(logical_id: str) -> int:
    return int(resource(logical_id)["Properties"]["RedrivePolicy"]["maxReceiveCount"])
