"""The review desk in template.yaml: what the emulator accepts but does not enforce (resource
policy, throttling, IAM) is held here, on the template itself (docs/LOCAL.md)."""

from __future__ import annotations

from typing import Any

from inprocess.template import load_template

TEMPLATE = load_template()
RESOURCES: dict[str, Any] = TEMPLATE["Resources"]
REVIEW_ROUTES = {
    ("/review/queue", "get"),
    ("/review/tasks/{vendor}/{task_id}", "get"),
    ("/review/tasks/{vendor}/{task_id}/claim", "post"),
    ("/review/tasks/{vendor}/{task_id}/decision", "post"),
}


def events(function: str) -> dict[str, Any]:
    found: dict[str, Any] = RESOURCES[function]["Properties"]["Events"]
    return found


def statements(function: str) -> list[dict[str, Any]]:
    found: list[dict[str, Any]] = []
    for policy in RESOURCES[function]["Properties"]["Policies"]:
        found += policy.get("Statement", []) if isinstance(policy, dict) else []
    return found


def test_the_review_routes_take_a_token_of_the_reviewers_pool_and_the_page_none() -> None:
    authorizer = RESOURCES["CallbackApi"]["Properties"]["Auth"]["Authorizers"]["ReviewerPool"]
    assert authorizer["UserPoolArn"] == {"Fn::GetAtt": ["ReviewerUserPool", "Arn"]}
    guarded: set[tuple[str, str]] = set()
    open_: set[tuple[str, str]] = set()
    for event in events("ReviewFunction").values():
        props = event["Properties"]
        route = (props["Path"], props["Method"])
        (guarded if props.get("Auth", {}).get("Authorizer") == "ReviewerPool" else open_).add(route)
    assert guarded == REVIEW_ROUTES
    assert open_ == {("/review", "get"), ("/review/app.js", "get"), ("/review/app.css", "get")}
    assert RESOURCES["ReviewersGroup"]["Properties"]["GroupName"] == "reviewers"
    pool = RESOURCES["ReviewerUserPool"]["Properties"]
    assert pool["AdminCreateUserConfig"]["AllowAdminCreateUserOnly"] is True
    client = RESOURCES["ReviewPageClient"]["Properties"]
    assert client["GenerateSecret"] is False


def test_the_resource_policy_lets_the_review_routes_through() -> None:
    custom = RESOURCES["CallbackApi"]["Properties"]["Auth"]["ResourcePolicy"]["CustomStatements"]
    [desk] = [s for s in custom if isinstance(s, dict) and s.get("Sid") == "ReviewDeskFromAnywhere"]
    assert desk["Effect"] == "Allow"
    assert set(desk["Resource"]) == {
        "execute-api:/*/GET/review", "execute-api:/*/GET/review/*", "execute-api:/*/POST/review/*",
    }  # fmt: skip


def test_the_decision_route_is_throttled_below_the_stage() -> None:
    settings = RESOURCES["CallbackApi"]["Properties"]["MethodSettings"]
    stage = next(s for s in settings if s["ResourcePath"] == "/*")
    [decision] = [s for s in settings if s["ResourcePath"].endswith("~1decision")]
    assert decision["HttpMethod"] == "POST"
    assert decision["ResourcePath"] == "/~1review~1tasks~1{vendor}~1{task_id}~1decision"
    assert decision["ThrottlingRateLimit"] < stage["ThrottlingRateLimit"]
    assert decision["ThrottlingBurstLimit"] < stage["ThrottlingBurstLimit"]


def test_the_review_function_reads_what_it_shows_and_writes_only_decisions_and_claims() -> None:
    granted = statements("ReviewFunction")
    actions = {
        a for s in granted for a in ([s["Action"]] if isinstance(s["Action"], str) else s["Action"])
    }
    assert actions == {
        "dynamodb:GetItem", "dynamodb:BatchGetItem", "dynamodb:Query", "dynamodb:PutItem",
        "s3:GetObject", "s3:ListBucket",
    }  # fmt: skip
    [write] = [s for s in granted if s["Action"] == "dynamodb:PutItem"]
    assert write["Condition"] == {
        "ForAllValues:StringLike": {"dynamodb:LeadingKeys": ["DECISION#*", "CLAIM#*"]}
    }
    for statement in granted:
        if str(statement["Action"]).startswith("dynamodb") or isinstance(statement["Action"], list):
            assert "dynamodb:LeadingKeys" in str(statement["Condition"]), statement["Sid"]
    [read] = [s for s in granted if s["Sid"] == "ReadResultsDecisionsClaims"]
    assert read["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [
        "TASK#*", "DECISION#*", "CLAIM#*",
    ]  # fmt: skip
    [frames] = [s for s in granted if s["Action"] == "s3:GetObject"]
    assert frames["Resource"] == {"Fn::Sub": "${EvidenceBucket.Arn}/evidence/*"}
    assert "DECISION_TOPIC_ARN" not in str(RESOURCES["ReviewFunction"]["Properties"])


def test_decisions_are_published_by_their_own_stream_consumer_with_a_dead_letter_queue() -> None:
    [stream] = events("DecisionFunction").values()
    props = stream["Properties"]
    patterns = [f["Pattern"] for f in props["FilterCriteria"]["Filters"]]
    assert any('"prefix": "DECISION#"' in p and '"INSERT"' in p for p in patterns)
    assert any('"vendor_review"' in p and '"OldImage": {"flagged"' in p for p in patterns)
    assert props["DestinationConfig"]["OnFailure"]["Destination"] == {
        "Fn::GetAtt": ["DecisionDeadLetterQueue", "Arn"]
    }
    [records] = [s for s in statements("DecisionFunction") if "Condition" in s]
    assert records["Condition"]["ForAllValues:StringLike"]["dynamodb:LeadingKeys"] == [
        "PUBLISHED#*"
    ]
    assert RESOURCES["ModerationDecisionTopic"]["Type"] == "AWS::SNS::Topic"
