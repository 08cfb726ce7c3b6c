"""Adding a reviewer (`make reviewer`, scripts/reviewers.py) on moto's Cognito, with the pool,
group and app client as the template declares them: the reviewer signs in with
USER_PASSWORD_AUTH and the ID token names them and the group, which is what the review
function reads from the authorizer's claims."""

from __future__ import annotations

import base64
import json
from typing import Any

import boto3
import pytest

from inprocess.template import load_template
from reviewers import add_reviewer, main

RESOURCES = load_template()["Resources"]


@pytest.fixture
def pool(aws: dict[str, Any]) -> tuple[Any, str, str]:
    cognito = boto3.client("cognito-idp")
    props = RESOURCES["ReviewerUserPool"]["Properties"]
    pool_id = cognito.create_user_pool(
        PoolName="reviewers", UsernameAttributes=props["UsernameAttributes"],
        AdminCreateUserConfig=props["AdminCreateUserConfig"], Policies=props["Policies"],
    )["UserPool"]["Id"]  # fmt: skip
    cognito.create_group(
        UserPoolId=pool_id, GroupName=RESOURCES["ReviewersGroup"]["Properties"]["GroupName"]
    )
    client = RESOURCES["ReviewPageClient"]["Properties"]
    client_id = cognito.create_user_pool_client(
        UserPoolId=pool_id, ClientName="review-page", GenerateSecret=client["GenerateSecret"],
        ExplicitAuthFlows=client["ExplicitAuthFlows"],
    )["UserPoolClient"]["ClientId"]  # fmt: skip
    return cognito, pool_id, client_id


def claims(token: str) -> dict[str, Any]:
    part = token.split(".")[1]
    decoded: dict[str, Any] = json.loads(base64.urlsafe_b64decode(part + "=" * (-len(part) % 4)))
    return decoded


def test_a_reviewer_with_a_password_signs_in_and_the_token_names_the_group(
    pool: tuple[Any, str, str],
) -> None:
    cognito, pool_id, client_id = pool
    user_id = add_reviewer(cognito, pool_id, "alice@example.com", "Alice-Reviews-2026")
    answer = cognito.initiate_auth(
        AuthFlow="USER_PASSWORD_AUTH", ClientId=client_id,
        AuthParameters={"USERNAME": "alice@example.com", "PASSWORD": "Alice-Reviews-2026"},
    )  # fmt: skip
    token = claims(answer["AuthenticationResult"]["IdToken"])
    assert token["sub"] == user_id
    assert token["email"] == "alice@example.com"
    assert token["cognito:groups"] == ["reviewers"]


def test_a_reviewer_without_a_password_gets_cognitos_invitation_and_must_choose_one(
    pool: tuple[Any, str, str], capsys: pytest.CaptureFixture[str]
) -> None:
    cognito, pool_id, _ = pool
    assert main(["bob@example.com"], cognito=cognito, pool_id=pool_id) == 0
    assert "bob@example.com" in capsys.readouterr().out
    user = cognito.admin_get_user(UserPoolId=pool_id, Username="bob@example.com")
    assert user["UserStatus"] == "FORCE_CHANGE_PASSWORD"
    groups = cognito.admin_list_groups_for_user(UserPoolId=pool_id, Username="bob@example.com")
    assert [g["GroupName"] for g in groups["Groups"]] == ["reviewers"]


def test_adding_someone_twice_keeps_one_user_in_the_group(pool: tuple[Any, str, str]) -> None:
    cognito, pool_id, _ = pool
    first = add_reviewer(cognito, pool_id, "carol@example.com", "Carol-Reviews-2026")
    assert add_reviewer(cognito, pool_id, "carol@example.com") == first
    users = cognito.list_users_in_group(UserPoolId=pool_id, GroupName="reviewers")["Users"]
    assert len(users) == 1


def test_an_email_that_is_not_one_is_refused(pool: tuple[Any, str, str]) -> None:
    cognito, pool_id, _ = pool
    with pytest.raises(SystemExit, match="expected an email address"):
        main(["alice"], cognito=cognito, pool_id=pool_id)
