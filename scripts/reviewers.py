"""Add a reviewer to the review desk: a user of the stack's user pool, in the group `reviewers`.

    make reviewer EMAIL=alice@example.com            (the dev stack; ENV=prod, ENV=local)

Cognito emails the new reviewer a temporary password; the review page asks for their own at
the first sign-in. With PASSWORD=... (the local run does this) the password is set at once and
is the reviewer's own, so nothing is mailed. Adding someone who exists already only puts them in
the group. Needs cognito-idp AdminCreateUser, AdminSetUserPassword and AdminAddUserToGroup on
the pool.
"""

from __future__ import annotations

import argparse
import os
import sys
from typing import Any

GROUP = "reviewers"


def add_reviewer(cognito: Any, pool_id: str, email: str, password: str | None = None) -> str:
    """The reviewer `email` in the pool's group `reviewers`; their user id (`sub`) back."""
    attributes = [{"Name": "email", "Value": email}, {"Name": "email_verified", "Value": "true"}]
    # with a password of their own nothing is mailed; else Cognito mails a temporary one
    invitation = (
        {"MessageAction": "SUPPRESS"} if password else {"DesiredDeliveryMediums": ["EMAIL"]}
    )
    try:
        created = cognito.admin_create_user(
            UserPoolId=pool_id, Username=email, UserAttributes=attributes, **invitation
        )["User"]
    except cognito.exceptions.UsernameExistsException:
        created = cognito.admin_get_user(UserPoolId=pool_id, Username=email)
        created["Attributes"] = created.get("UserAttributes", [])
    if password:
        cognito.admin_set_user_password(
            UserPoolId=pool_id, Username=email, Password=password, Permanent=True
        )
    cognito.admin_add_user_to_group(UserPoolId=pool_id, Username=email, GroupName=GROUP)
    found = {a["Name"]: a["Value"] for a in created.get("Attributes", [])}
    return str(found.get("sub") or created.get("Username"))


def main(argv: list[str], cognito: Any = None, pool_id: str | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("email", help="the reviewer's email (their user name)")
    parser.add_argument(
        "--env", default="dev", help="samconfig.toml environment (dev, prod, local)"
    )
    args = parser.parse_args(argv)
    if "@" not in args.email:
        raise SystemExit(f"EMAIL={args.email!r}: expected an email address")
    if cognito is None or pool_id is None:
        cognito, pool_id = _pool(args.env)
    password = os.environ.get("PASSWORD") or None
    user_id = add_reviewer(cognito, pool_id, args.email, password)
    how = "with the password given" if password else "with the temporary password Cognito mails"
    print(f"reviewer {args.email} (user id {user_id}) added to {GROUP}: sign in {how}")
    return 0


def _pool(env: str) -> tuple[Any, str]:
    import boto3

    from stack_env import outputs, stack_and_region

    stack, region = stack_and_region(env)
    if env == "local":
        from local_stack.stack import client, load, running_endpoint

        return client("cognito-idp", running_endpoint()), load(running_endpoint()).outputs[
            "ReviewerUserPoolId"
        ]
    found = outputs(boto3.client("cloudformation", region_name=region), stack)
    return boto3.client("cognito-idp", region_name=region), found["ReviewerUserPoolId"]


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
