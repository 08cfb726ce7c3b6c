"""template.yaml's promises: least privilege, logs, encryption, dead letters, alarms, outputs."""

from __future__ import annotations

import io
import json
import re
from contextlib import redirect_stdout
from pathlib import Path
from typing import Any

import pytest

from inprocess.template import load_template

ROOT = Path(__file__).resolve().parents[2]

TEMPLATE = load_template()
RESOURCES: dict[str, dict[str, Any]] = TEMPLATE["Resources"]


def of_type(kind: str) -> dict[str, dict[str, Any]]:
    return {name: r for name, r in RESOURCES.items() if r["Type"] == kind}


FUNCTIONS = of_type("AWS::Serverless::Function")


def test_the_contract_logical_ids_exist() -> None:
    for logical_id in (
        "CallbackApi",
        "CallbackFunction",
        "AlertFunction",
        "ResultsTable",
        "ModerationAlertTopic",
        "AlertDeadLetterQueue",
        "CallbackTokenSecret",
    ):
        assert logical_id in RESOURCES, logical_id


def test_functions_run_python313_on_arm64() -> None:
    globals_ = TEMPLATE["Globals"]["Function"]
    assert globals_["Runtime"] == "python3.13"
    assert globals_["Architectures"] == ["arm64"]
    for function in FUNCTIONS.values():
        assert "Runtime" not in function["Properties"]


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_every_function_logs_to_a_log_group_with_retention(name: str) -> None:
    group = FUNCTIONS[name]["Properties"]["LoggingConfig"]["LogGroup"]["Ref"]
    assert RESOURCES[group]["Type"] == "AWS::Logs::LogGroup"
    assert RESOURCES[group]["Properties"]["RetentionInDays"] == {"Ref": "LogRetentionDays"}


def test_api_access_logs_have_retention() -> None:
    setting = RESOURCES["CallbackApi"]["Properties"]["AccessLogSetting"]
    group = setting["DestinationArn"]["Fn::GetAtt"][0]
    assert "RetentionInDays" in RESOURCES[group]["Properties"]


def _statements(function: dict[str, Any]) -> list[dict[str, Any]]:
    statements = []
    for policy in function["Properties"].get("Policies", []):
        if isinstance(policy, dict) and "Statement" in policy:
            statements.extend(policy["Statement"])
    return statements


@pytest.mark.parametrize("name", sorted(FUNCTIONS))
def test_no_function_policy_grants_a_wildcard(name: str) -> None:
    for statement in _statements(FUNCTIONS[name]):
        resources = statement["Resource"]
        resources = resources if isinstance(resources, list) else [resources]
        assert "*" not in resources, statement
        actions = statement["Action"]
        actions = actions if isinstance(actions, list) else [actions]
        assert not [a for a in actions if a.endswith(":*") or a == "*"], statement
    for policy in FUNCTIONS[name]["Properties"].get("Policies", []):
        assert not isinstance(policy, str), f"managed policy {policy}: use a policy template"


@pytest.mark.parametrize(
    ("name", "event"),
    [
        (n, e)
        for n, f in FUNCTIONS.items()
        for e in f["Properties"].get("Events", {}).values()
        if e["Type"] in ("DynamoDB", "Kinesis", "SQS")
    ],
)
def test_every_event_source_mapping_has_limits_and_a_place_for_failures(
    name: str, event: dict[str, Any]
) -> None:
    props = event["Properties"]
    assert "ReportBatchItemFailures" in props["FunctionResponseTypes"]
    if event["Type"] == "SQS":
        queue = RESOURCES[props["Queue"]["Fn::GetAtt"][0]]
        assert "RedrivePolicy" in queue["Properties"], (
            f"{name}: its queue needs a dead-letter queue"
        )
    else:
        assert props["MaximumRetryAttempts"] >= 0
        assert props["BisectBatchOnFunctionError"] is True
        destination = props["DestinationConfig"]["OnFailure"]["Destination"]["Fn::GetAtt"][0]
        assert RESOURCES[destination]["Type"] == "AWS::SQS::Queue"


def test_alert_filter_passes_only_flagged_results() -> None:
    from inprocess.stream import matches_filters

    event = FUNCTIONS["AlertFunction"]["Properties"]["Events"]["ResultsStream"]["Properties"]
    filters = event["FilterCriteria"]["Filters"]

    def record(name: str, pk: str, flagged: bool) -> dict[str, Any]:
        image = {"pk": {"S": pk}, "flagged": {"BOOL": flagged}}
        return {"eventName": name, "dynamodb": {"NewImage": image}}

    assert matches_filters(record("INSERT", "TASK#umedia#1", True), filters)
    assert matches_filters(record("MODIFY", "TASK#umedia#1", True), filters)
    assert not matches_filters(record("MODIFY", "TASK#umedia#1", False), filters)
    assert not matches_filters(record("INSERT", "ALERT#0b5e...", True), filters)
    assert not matches_filters({"eventName": "REMOVE", "dynamodb": {}}, filters)


def test_data_at_rest_is_encrypted_and_the_table_is_kept() -> None:
    table = RESOURCES["ResultsTable"]
    assert table["DeletionPolicy"] == "Retain"
    assert table["UpdateReplacePolicy"] == "Retain"
    props = table["Properties"]
    assert props["SSESpecification"]["SSEEnabled"] is True
    assert props["PointInTimeRecoverySpecification"]["PointInTimeRecoveryEnabled"] is True
    assert props["StreamSpecification"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
    assert props["TimeToLiveSpecification"] == {"AttributeName": "expires_at", "Enabled": True}
    for name, topic in of_type("AWS::SNS::Topic").items():
        assert "KmsMasterKeyId" in topic["Properties"], name
    for name, queue in of_type("AWS::SQS::Queue").items():
        props = queue["Properties"]
        assert props.get("SqsManagedSseEnabled") or "KmsMasterKeyId" in props, name
    for key in of_type("AWS::KMS::Key").values():
        assert key["Properties"]["EnableKeyRotation"] is True


def test_every_queue_and_alarm_reaches_the_ops_topic() -> None:
    alarms = of_type("AWS::CloudWatch::Alarm")
    watched = {
        a["Properties"]["Dimensions"][0]["Value"]["Fn::GetAtt"][0]
        for a in alarms.values()
        if a["Properties"]["Namespace"] == "AWS/SQS"
    }
    dead_letter_queues = {n for n in of_type("AWS::SQS::Queue") if "DeadLetter" in n}
    assert dead_letter_queues
    assert dead_letter_queues <= watched
    for name, alarm in alarms.items():
        assert alarm["Properties"]["AlarmActions"] == [{"Ref": "OpsAlarmTopic"}], name
    metrics = {
        (a["Properties"]["Namespace"], a["Properties"]["MetricName"]) for a in alarms.values()
    }
    assert {
        ("AWS/ApiGateway", "5XXError"),
        ("AWS/Lambda", "Errors"),
        ("AWS/Lambda", "Throttles"),
        ("AWS/Lambda", "IteratorAge"),
    } <= metrics
    for function in FUNCTIONS:
        for metric in ("Errors", "Throttles"):
            assert any(
                a["Properties"]["MetricName"] == metric
                and a["Properties"]["Dimensions"][0]["Value"] == {"Ref": function}
                for a in alarms.values()
            ), (function, metric)


def test_every_checkov_skip_gives_its_reason() -> None:
    skips = [
        (name, skip)
        for name, resource in RESOURCES.items()
        for skip in resource.get("Metadata", {}).get("checkov", {}).get("skip", [])
    ]
    assert skips
    for name, skip in skips:
        assert re.fullmatch(r"CKV2?_AWS_\d+", skip["id"]), (name, skip)
        assert len(skip.get("comment", "")) > 30, (name, skip)


def test_source_allowlist_is_a_resource_policy_on_callbacks_only() -> None:
    statements = RESOURCES["CallbackApi"]["Properties"]["Auth"]["ResourcePolicy"][
        "CustomStatements"
    ]
    deny = statements[2]["Fn::If"]
    assert deny[0] == "HasSourceCidrs"
    assert deny[1]["Effect"] == "Deny"
    assert deny[1]["Resource"] == "execute-api:/*/POST/callbacks/*"
    assert deny[2] == {"Ref": "AWS::NoValue"}
    tasks = statements[1]
    assert tasks["Resource"] == "execute-api:/*/GET/tasks/*"
    assert tasks["Principal"] != "*"  # signed look-ups from this account only


def test_outputs_give_a_url_per_route_and_never_the_token() -> None:
    outputs = TEMPLATE["Outputs"]
    urls = [
        o["Value"]["Fn::Sub"]
        for o in outputs.values()
        if isinstance(o["Value"], dict)
        and "Fn::Sub" in o["Value"]
        and "execute-api" in str(o["Value"]["Fn::Sub"])
    ]
    for route in (
        "/callbacks/umedia/transcode",
        "/callbacks/umedia/snapshot",
        "/callbacks/umedia/slice",
        "/callbacks/umedia/moderation",
        "/callbacks/ctyun",
        "/callbacks/uai-censor",
        "/callbacks/tencent",
        "/tasks/{vendor}/{task_id}",
        "/health",
    ):
        assert any(u.endswith(route) for u in urls), route
    for key in (
        "ResultsTableName",
        "ModerationAlertTopicArn",
        "CallbackTokenSecretArn",
        "CallbackTokenCommand",
    ):
        assert key in outputs
    assert "token=" not in json.dumps([o["Value"] for o in outputs.values()])
    assert "get-secret-value" in outputs["CallbackTokenCommand"]["Value"]["Fn::Sub"]


def _emitted(emit: Any, monkeypatch: pytest.MonkeyPatch) -> set[tuple[str, tuple[str, ...]]]:
    """(metric name, (dimension=value, ...)) of the EMF lines `emit` prints."""
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "false")
    out = io.StringIO()
    with redirect_stdout(out):
        emit()
    monkeypatch.setenv("POWERTOOLS_METRICS_DISABLED", "true")
    found = set()
    for line in out.getvalue().splitlines():
        record = json.loads(line)
        if "_aws" not in record:
            continue  # a log line, not a metric
        blob = record["_aws"]["CloudWatchMetrics"][0]
        for metric in blob["Metrics"]:
            dimensions = tuple(f"{d}={record[d]}" for d in blob["Dimensions"][0])
            found.add((metric["Name"], dimensions))
    return found


def _every_declared_metric() -> None:
    """`count` for each declared value of the metrics the code writes itself."""
    from media_callbacks.observability import WRITTEN, count

    for name, dimensions in WRITTEN.items():
        [(key, values)] = dimensions.items()
        for value in values:
            count(name, 1, **{key: value})


def _metric_filters() -> dict[str, dict[str, Any]]:
    return {
        name: r["Properties"]
        for name, r in of_type("AWS::Logs::MetricFilter").items()
        if r["Properties"]["MetricTransformations"][0]["MetricName"] == "Callbacks"
    }


def test_the_callbacks_metric_counts_each_callbacks_log_line_by_its_outcome() -> None:
    from media_callbacks.observability import NAMESPACE

    filters = _metric_filters()
    # both functions that ingest callbacks: the API's and the retry queue's
    assert {f["LogGroupName"]["Ref"] for f in filters.values()} == {
        "CallbackFunctionLogGroup", "IngestRetryFunctionLogGroup"
    }  # fmt: skip
    for metric_filter in filters.values():
        assert metric_filter["FilterPattern"] == '{ $.outcome = "*" }'
        [transform] = metric_filter["MetricTransformations"]
        assert transform["MetricNamespace"] == NAMESPACE
        assert transform["MetricValue"] == "1"
        assert transform["Dimensions"] == [{"Key": "Outcome", "Value": "$.outcome"}]


def test_every_outcome_the_code_logs_is_a_declared_value() -> None:
    """An outcome nobody declared would become a new billed metric through the filters."""
    from typing import get_args

    from media_callbacks.ingest import OutcomeStatus
    from media_callbacks.observability import METRICS

    declared = set(METRICS["Callbacks"]["Outcome"])
    assert set(get_args(OutcomeStatus)) <= declared
    logged = set()
    # what runs in the two functions whose log groups the metric filters read
    sources = ("functions/callback/*/*.py", "functions/retry/*/*.py", "layers/common/*/**/*.py")
    for path in [p for pattern in sources for p in ROOT.glob(pattern)]:
        text = path.read_text()
        logged |= set(re.findall(r'"outcome": "(\w+)"', text))
        # any other `outcome` field must be an OutcomeStatus (the ingestion's own lines)
        for value in re.findall(r'"outcome": ([^"\s][^,}\n]*)', text):
            assert value == "status", f"{path.name}: outcome {value}"
    assert logged
    assert logged <= declared
    assert declared == logged | set(get_args(OutcomeStatus))  # each declared value is used


def test_the_code_writes_each_declared_metric_and_nothing_else(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from media_callbacks.observability import FROM_LOGS, count, metric_count

    every = _emitted(_every_declared_metric, monkeypatch)
    assert len(every) == metric_count() - len(FROM_LOGS["Callbacks"]["Outcome"])
    assert not _emitted(lambda: count("Callbacks", Outcome="stored"), monkeypatch)  # the filters
    assert metric_count() <= 15  # each billed 0.30 USD a month
    # a dimension or a value nobody declared would be a new billed metric: not written
    assert not _emitted(lambda: count("Alerts", Suggestion="block", Vendor="umedia"), monkeypatch)
    assert not _emitted(lambda: count("Alerts", Suggestion="surprise"), monkeypatch)
    assert not _emitted(lambda: count("Undeclared"), monkeypatch)
    assert _emitted(lambda: count("Alerts", Suggestion="block"), monkeypatch) == {
        ("Alerts", ("service=media-callbacks", "Suggestion=block"))
    }


def test_the_dashboard_reads_the_metrics_the_code_emits(monkeypatch: pytest.MonkeyPatch) -> None:
    from media_callbacks.observability import NAMESPACE

    emitted = {
        (name, tuple(d.split("=")[0] for d in dims))
        for name, dims in _emitted(_every_declared_metric, monkeypatch)
    }
    for metric_filter in _metric_filters().values():
        [transform] = metric_filter["MetricTransformations"]
        emitted.add((transform["MetricName"], tuple(d["Key"] for d in transform["Dimensions"])))
    body = RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    text, variables = body[0], body[1]
    assert variables["Namespace"] == NAMESPACE
    searched = set(re.findall(r'\{\$\{Namespace\},([\w,]+)\} MetricName=\\"(\w+)\\"', text))
    assert searched == {(",".join(dims), name) for name, dims in emitted}


def test_the_dashboards_log_table_groups_by_fields_every_callback_logs() -> None:
    """Which vendor and kind is no metric dimension: the log table answers it, so each outcome's
    log line must carry the fields it groups by."""
    from media_callbacks.body import parse_json
    from media_callbacks.ingest import Ingestor
    from media_callbacks.normalise import normalise
    from media_callbacks.observability import logger
    from media_callbacks.thresholds import DEFAULT_THRESHOLDS

    data = parse_json((ROOT / "events/umedia/transcode.json").read_bytes())
    out = io.StringIO()
    handler = logger.registered_handler
    stream = handler.setStream(out)  # type: ignore[attr-defined]
    try:
        Ingestor._stored(normalise("umedia", "transcode", data, DEFAULT_THRESHOLDS), "stored")
    finally:
        handler.setStream(stream)  # type: ignore[attr-defined]
    line = json.loads(out.getvalue().splitlines()[-1])
    body = RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(re.sub(r"\$\{!?\w+(\.\w+)?\}", "x", body[0]))["widgets"]
    [query] = [
        w["properties"]["query"]
        for w in widgets
        if w["type"] == "log" and "outcome" in w["properties"]["query"]
    ]
    grouped = re.search(r"stats count\(\*\) as \w+ by ([\w, ]+)", query)
    assert grouped is not None
    fields = [f.strip() for f in grouped.group(1).split(",")]
    assert fields == ["outcome", "vendor", "kind"]
    assert {field: line[field] for field in fields} == {
        "outcome": "stored", "vendor": "umedia", "kind": "transcode"
    }  # fmt: skip
    assert "SOURCE '${CallbackLogGroup}'" in body[0]
    assert body[1]["CallbackLogGroup"] == {"Ref": "CallbackFunctionLogGroup"}


def test_the_dashboards_decisions_table_groups_by_fields_every_decision_logs() -> None:
    """Decisions are no metric either: the decision function's log line carries what the
    dashboard's decisions table groups by."""
    from decision_handler.root import _publish
    from media_callbacks.observability import logger

    class Sns:
        def publish(self, **_: Any) -> dict[str, str]:
            return {"MessageId": "m-1"}

    message = {"decision_id": "d-1", "vendor": "shumei", "task_id": "t-1", "revision": 2,
               "decision": "clear", "decided_by": "vendor_review"}  # fmt: skip
    out = io.StringIO()
    handler = logger.registered_handler
    stream = handler.setStream(out)  # type: ignore[attr-defined]
    try:
        _publish(Sns(), "arn:aws:sns:us-east-1:123456789012:decisions")(message)
    finally:
        handler.setStream(stream)  # type: ignore[attr-defined]
    line = json.loads(out.getvalue().splitlines()[-1])
    body = RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    widgets = json.loads(re.sub(r"\$\{!?\w+(\.\w+)?\}", "x", body[0]))["widgets"]
    [query] = [
        w["properties"]["query"]
        for w in widgets
        if w["type"] == "log" and "decision_id" in w["properties"]["query"]
    ]
    grouped = re.search(
        r"filter ispresent\((\w+)\) \| stats count\(\*\) as \w+ by ([\w, ]+)", query
    )
    assert grouped is not None
    fields = [grouped.group(1)] + [f.strip() for f in grouped.group(2).split(",")]
    assert {field: line[field] for field in fields} == {
        "decision_id": "d-1", "decision": "clear", "decided_by": "vendor_review", "vendor": "shumei"
    }  # fmt: skip
    assert body[1]["DecisionLogGroup"] == {"Ref": "DecisionFunctionLogGroup"}


def test_the_dashboard_shows_every_function_and_queue() -> None:
    body = RESOURCES["OpsDashboard"]["Properties"]["DashboardBody"]["Fn::Sub"]
    text, variables = body[0], body[1]
    for function in FUNCTIONS:
        assert "${" + function + "}" in text, function
    shown = {
        v["Fn::GetAtt"][0] for v in variables.values() if isinstance(v, dict) and "Fn::GetAtt" in v
    }
    assert set(of_type("AWS::SQS::Queue")) <= shown


def test_the_http_front_door_accepts_http_and_reaches_the_api_over_https_only() -> None:
    door = RESOURCES["HttpFrontDoor"]
    assert door["Condition"] == "FrontDoorOn"
    assert TEMPLATE["Parameters"]["EnableHttpFrontDoor"]["Default"] == "false"
    config = door["Properties"]["DistributionConfig"]
    [origin] = config["Origins"]
    assert "${CallbackApi}.execute-api" in origin["DomainName"]["Fn::Sub"]
    assert origin["OriginPath"] == "/v1"
    assert origin["CustomOriginConfig"]["OriginProtocolPolicy"] == "https-only"
    assert origin["CustomOriginConfig"]["OriginSSLProtocols"] == ["TLSv1.2"]
    behavior = config["DefaultCacheBehavior"]
    assert behavior["ViewerProtocolPolicy"] == "allow-all"  # http and https in
    assert "POST" in behavior["AllowedMethods"]
    caching_disabled = "4135ea2d-6df8-44a3-9df3-4b5a84be39ad"
    all_viewer_except_host = "b689b0a8-53d0-40ab-baf2-68738e2966ac"  # query strings and headers
    assert behavior["CachePolicyId"] == caching_disabled
    assert behavior["OriginRequestPolicyId"] == all_viewer_except_host
    assert "ForwardedValues" not in behavior  # no legacy settings that could cache


def test_the_front_door_outputs_http_callback_urls_only_when_enabled() -> None:
    outputs = {k: v for k, v in TEMPLATE["Outputs"].items() if k.startswith("Http")}
    assert {"HttpUMediaTranscodeCallbackUrl", "HttpCtyunCallbackUrl"} <= set(outputs)
    for output in outputs.values():
        assert output["Condition"] == "FrontDoorOn"
        assert output["Value"]["Fn::Sub"].startswith("http://${HttpFrontDoor.DomainName}")


# The most AWS calls IngestRetryFunction makes for one record: the result's UpdateItem, the
# rejected body's PutItem and its second try without headers (media_callbacks.ingest.reject),
# then ChangeMessageVisibility for the backoff (retry_handler.app).
CALLS_PER_RETRIED_RECORD = 4


def retry_consumer() -> tuple[int, int, float, int, int]:
    """IngestRetryFunction's timeout, batch size and batching window; the queue's visibility
    timeout and maxReceiveCount, as the template sets them."""
    function = FUNCTIONS["IngestRetryFunction"]["Properties"]
    mapping = function["Events"]["RetryQueue"]["Properties"]
    queue = RESOURCES["IngestRetryQueue"]["Properties"]
    timeout = function.get("Timeout", TEMPLATE["Globals"]["Function"]["Timeout"])
    window = mapping.get("MaximumBatchingWindowInSeconds", 0)
    receives = queue["RedrivePolicy"]["maxReceiveCount"]
    return timeout, mapping["BatchSize"], window, queue["VisibilityTimeout"], receives


def test_the_retry_consumer_sets_every_backoff_when_each_aws_call_takes_its_worst_case() -> None:
    """In a slow outage every call may take the SDK's whole budget. Each record of a batch must
    still be hidden for its backoff before the function times out and before the queue shows it
    again; else it comes back after the visibility timeout, every receive counts, and it is
    dead-lettered within minutes instead of after the documented backoff."""
    from media_callbacks.aws import worst_case_seconds

    timeout, batch, window, visibility, _ = retry_consumer()
    last_backoff_set = window + batch * CALLS_PER_RETRIED_RECORD * worst_case_seconds()
    assert last_backoff_set + 5 <= timeout  # 5 s for the code itself and a cold start's imports
    assert visibility >= 6 * timeout  # as Lambda recommends for SQS sources


def test_a_message_the_table_never_takes_is_dead_lettered_after_the_documented_backoff() -> None:
    """The delays the consumer sets, receive after receive, add up to what DEPLOY.md says."""
    from media_callbacks.retry import backoff_seconds
    from media_callbacks.settings import Settings

    *_, receives = retry_consumer()
    base = Settings(table_name="table").retry_backoff_seconds
    delays = [backoff_seconds(n, base) for n in range(1, receives + 1)]
    assert delays[:3] == [30, 60, 120]
    minutes = round(sum(delays) / 60)
    deploy = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
    assert f"about {minutes} minutes after its first attempt" in deploy
    assert f"After {receives} attempts" in deploy


def test_the_retry_queue_has_a_dead_letter_queue() -> None:
    queue = RESOURCES["IngestRetryQueue"]["Properties"]
    assert queue["RedrivePolicy"]["deadLetterTargetArn"] == {
        "Fn::GetAtt": ["IngestRetryDeadLetterQueue", "Arn"]
    }
    callback = FUNCTIONS["CallbackFunction"]["Properties"]
    assert callback["Environment"]["Variables"]["INGEST_QUEUE_URL"] == {"Ref": "IngestRetryQueue"}
    assert {
        "SQSSendMessagePolicy": {"QueueName": {"Fn::GetAtt": ["IngestRetryQueue", "QueueName"]}}
    } in callback["Policies"]
    consumer = FUNCTIONS["IngestRetryFunction"]["Properties"]["Events"]["RetryQueue"]["Properties"]
    assert consumer["ScalingConfig"]["MaximumConcurrency"] >= 2


def test_a_256_kib_body_that_does_not_compress_fits_the_retry_queue() -> None:
    """Otherwise a table outage answers such a callback 503 instead of queueing it."""
    import random

    from media_callbacks.delivery import Delivery
    from media_callbacks.retry import encode

    body = random.Random(1).randbytes(256 * 1024)
    headers = {f"X-Header-{i}": "v" * 100 for i in range(80)}  # API Gateway's 10 KiB of headers
    message = encode(
        Delivery("POST /callbacks/ctyun", "ctyun", None, body, "t", "r", headers=headers)
    )
    for queue in ("IngestRetryQueue", "IngestRetryDeadLetterQueue"):
        assert len(message.encode()) < RESOURCES[queue]["Properties"]["MaximumMessageSize"]
    assert len(message.encode()) > 256 * 1024  # the old default would have refused it


@pytest.mark.parametrize(
    ("name", "prefixes"),
    [
        ("AlertFunction", ["ALERT#*"]),
        ("CallbackFunction", ["TASK#*", "REJECTED#*"]),
        ("IngestRetryFunction", ["TASK#*", "REJECTED#*"]),
        ("EvidenceFunction", ["TASK#*"]),
    ],
)
def test_each_function_reaches_only_its_own_keys(name: str, prefixes: list[str]) -> None:
    """The partition keys each function writes (media_callbacks.keys) and no other: the alert
    function cannot touch a result, the callback function cannot forge an idempotency record."""
    [table_access] = [
        s
        for s in _statements(FUNCTIONS[name])
        if any(a.startswith("dynamodb:") for a in s["Action"])
    ]
    assert table_access["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": prefixes}
    }
    if name == "AlertFunction":
        assert "dynamodb:Query" not in table_access["Action"]


def test_lookups_and_health_are_throttled_below_the_callbacks() -> None:
    settings = {
        s["ResourcePath"]: s for s in RESOURCES["CallbackApi"]["Properties"]["MethodSettings"]
    }
    callbacks = settings["/*"]["ThrottlingRateLimit"]
    for path in ("/~1tasks~1{vendor}~1{task_id}", "/~1health"):
        assert settings[path]["ThrottlingRateLimit"] <= callbacks / 10
        assert settings[path]["ThrottlingBurstLimit"] < settings["/*"]["ThrottlingBurstLimit"]


def test_the_optional_waf_rate_limits_per_source_ip_and_redacts_the_token() -> None:
    acl = RESOURCES["CallbackWebAcl"]
    assert acl["Condition"] == "WafOn"
    [rate] = [r for r in acl["Properties"]["Rules"] if "RateBasedStatement" in r["Statement"]]
    assert rate["Statement"]["RateBasedStatement"]["AggregateKeyType"] == "IP"
    assert rate["Action"] == {"Block": {}}
    # nothing but the flood is blocked: managed rules only count
    assert all(
        "Count" in r.get("OverrideAction", {"Count": {}})
        for r in acl["Properties"]["Rules"]
        if r is not rate
    )
    redacted = RESOURCES["CallbackWebAclLogging"]["Properties"]["RedactedFields"]
    assert {"QueryString": {}} in redacted
    assert {"SingleHeader": {"Name": "x-callback-token"}} in redacted
    association = RESOURCES["CallbackWebAclAssociation"]["Properties"]
    assert association["WebACLArn"] == {"Fn::GetAtt": ["CallbackWebAcl", "Arn"]}


def test_a_slow_table_still_leaves_time_to_queue_the_callback() -> None:
    """Secret, table and retry queue may each time out with every retry and the answer (202 or
    503) still comes before API Gateway gives up at 29 s (3 attempts of 2 + 5 s could not)."""
    from media_callbacks.aws import worst_case_seconds

    timeout = FUNCTIONS["CallbackFunction"]["Properties"]["Timeout"]
    assert 3 * worst_case_seconds() < timeout - 2
    assert timeout < 29


def test_signed_vendors_learn_the_front_door_and_custom_domains_from_a_stage_variable() -> None:
    """The function cannot name the distribution in its environment (a cycle): the stage
    variable `publicBaseUrls` carries it, with the PublicBaseUrls parameter's custom domains."""
    variables = RESOURCES["CallbackApi"]["Properties"]["Variables"]["publicBaseUrls"]["Fn::Join"]
    separator, (front_door, custom) = variables
    assert separator == ","
    assert front_door["Fn::If"][0] == "FrontDoorOn"
    assert front_door["Fn::If"][1] == {"Fn::Sub": "http://${HttpFrontDoor.DomainName}"}
    assert custom == {"Ref": "PublicBaseUrls"}


def test_the_evidence_bucket_is_private_encrypted_versioned_tls_only_and_kept() -> None:
    bucket = RESOURCES["EvidenceBucket"]
    props = bucket["Properties"]
    assert bucket["DeletionPolicy"] == "Retain"
    rule = props["BucketEncryption"]["ServerSideEncryptionConfiguration"][0]
    assert rule["ServerSideEncryptionByDefault"]["SSEAlgorithm"] in ("AES256", "aws:kms")
    assert props["VersioningConfiguration"] == {"Status": "Enabled"}
    assert all(props["PublicAccessBlockConfiguration"].values())
    assert len(props["PublicAccessBlockConfiguration"]) == 4
    [deny] = RESOURCES["EvidenceBucketPolicy"]["Properties"]["PolicyDocument"]["Statement"]
    assert (deny["Effect"], deny["Condition"]) == (
        "Deny",
        {"Bool": {"aws:SecureTransport": "false"}},
    )
    retention = next(
        r for r in props["LifecycleConfiguration"]["Rules"] if r["Id"] == "evidence-retention"
    )
    assert retention["Status"] == {"Fn::If": ["EvidenceExpires", "Enabled", "Disabled"]}
    assert retention["ExpirationInDays"]["Fn::If"][1] == {"Ref": "EvidenceRetentionDays"}


def test_the_evidence_function_writes_only_evidence_keys() -> None:
    statements = _statements(FUNCTIONS["EvidenceFunction"])
    [s3] = [s for s in statements if s["Action"] == "s3:PutObject"]
    assert s3["Resource"] == {"Fn::Sub": "${EvidenceBucket.Arn}/evidence/*"}


def test_loopback_evidence_is_opened_for_the_local_deployment_only() -> None:
    """The template's default keeps 127.0.0.1 refused; samconfig's `local` environment (make
    run) opens it, and no other environment does."""
    import tomllib

    parameter = TEMPLATE["Parameters"]["EvidenceAllowLoopback"]
    assert parameter["Default"] == "false"
    env = FUNCTIONS["EvidenceFunction"]["Properties"]["Environment"]["Variables"]
    assert env["EVIDENCE_ALLOW_LOOPBACK"] == {"Ref": "EvidenceAllowLoopback"}
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    for name, section in config.items():
        if not isinstance(section, dict) or "deploy" not in section:
            continue
        overrides = section["deploy"]["parameters"].get("parameter_overrides", "")
        assert ("EvidenceAllowLoopback=true" in overrides) == (name == "local"), name


def _resolved(value: Any, **parameters: str) -> Any:
    """`!If` over a condition that compares one parameter with `!Equals`, for given values."""
    if not (isinstance(value, dict) and "Fn::If" in value):
        return value["Ref"] if isinstance(value, dict) and "Ref" in value else value
    condition, when_true, when_false = value["Fn::If"]
    ref, wanted = TEMPLATE["Conditions"][condition]["Fn::Equals"]
    chosen = when_true if parameters[ref["Ref"]] == wanted else when_false
    if isinstance(chosen, dict) and "Ref" in chosen:
        return parameters[chosen["Ref"]]
    return chosen


def test_no_function_is_traced_unless_tracing_is_enabled() -> None:
    """Lambda's own sampling keeps every request up to 1 a second (5 USD per million callbacks
    at most traffic): tracing is a switch, off by default, and a new value publishes versions."""
    parameter = TEMPLATE["Parameters"]["EnableTracing"]
    assert parameter["Default"] == "false"
    mode = TEMPLATE["Globals"]["Function"]["Tracing"]
    assert _resolved(mode, EnableTracing="false") == "PassThrough"
    assert _resolved(mode, EnableTracing="true") == "Active"
    for name, function in FUNCTIONS.items():
        assert "Tracing" not in function["Properties"], name
        assert "${EnableTracing}" in function["Properties"]["VersionDescription"]["Fn::Sub"]


def test_lambdas_own_log_lines_are_kept_only_while_debugging() -> None:
    config = TEMPLATE["Globals"]["Function"]["LoggingConfig"]
    assert config["LogFormat"] == "JSON"
    levels = TEMPLATE["Parameters"]["LogLevel"]["AllowedValues"]
    lambdas = {"DEBUG": "DEBUG", "INFO": "INFO", "WARNING": "WARN", "ERROR": "ERROR"}
    for level in levels:  # Powertools takes Lambda's level over its own: the two must agree
        assert _resolved(config["ApplicationLogLevel"], LogLevel=level) == lambdas[level]
        system = _resolved(config["SystemLogLevel"], LogLevel=level)
        assert system == ("INFO" if level == "DEBUG" else "WARN")


def test_the_access_log_is_kept_at_the_infrequent_access_price() -> None:
    group = RESOURCES["ApiAccessLogGroup"]
    assert group["Properties"]["LogGroupClass"] == "INFREQUENT_ACCESS"
    assert group["UpdateReplacePolicy"] == "Retain"  # an older stack's group keeps its logs
    # the metric filters and EMF need the standard class: the functions' groups keep it
    for name in ("CallbackFunctionLogGroup", "IngestRetryFunctionLogGroup"):
        assert "LogGroupClass" not in RESOURCES[name]["Properties"]
