"""`make run`: template.yaml deployed on an AWS emulator on this machine, no AWS account and no
Docker (docs/LOCAL.md).

PORT (default 4566; 0 picks a free port) serves the emulator's AWS APIs and, under
/_aws/execute-api/, the stack's REST API. CALLBACK_TOKEN (default local-dev-token) is the token,
CALLBACK_KEYS (optional) the JSON form of the callback secret. REVIEWER_EMAIL (default
reviewer@example.com) and REVIEWER_PASSWORD (default: a new one, printed once) are the review
desk's reviewer it creates. The last line printed is `ready <API base URL>`; Ctrl-C stops
everything it started.
"""

from __future__ import annotations

import json
import os
import signal
import threading
import time
from pathlib import Path

from local_stack import deploy, emulator
from local_stack.console import LogTail, console
from local_stack.stack import (
    ALERT_QUEUE_NAME,
    DECISION_QUEUE_NAME,
    REVIEWER_EMAIL,
    SAM_LOCAL_ENV,
    STATE,
    LocalStack,
    client,
    create_reviewer,
    load,
    log_groups,
    reviewer_password,
    sam_local_env,
    secret_text,
    set_secret,
    subscribe_alert_queue,
    subscribe_decision_queue,
)


def port_setting(variable: str, default: int) -> int:
    raw = os.environ.get(variable, str(default)).strip()
    if not raw.isdigit() or int(raw) > 65535:
        raise SystemExit(f"{variable}={raw!r}: expected a port number (0 picks a free port)")
    return emulator.free_port(int(raw), variable)


def bring_up(endpoint: str, template: Path) -> LocalStack:
    """Deploy, then deploy again with the local API's URL as a public base URL (signed vendors'
    URLs start with it; its API id is only known once the API exists)."""
    started = time.monotonic()
    console("deploy: sam deploy --config-env local (stack media-callbacks-local) ...")
    deploy.deploy(template, endpoint)
    stack = load(endpoint)
    deploy.deploy(template, endpoint, PublicBaseUrls=stack.api)
    console(f"deploy: done in {time.monotonic() - started:.0f} s")
    return stack


def announce_reviewer(stack: LocalStack, email: str, password: str, queue_url: str) -> None:
    console(f"review desk   {stack.outputs['ReviewPageUrl']}")
    console(f"  reviewer {email}, password {password}")
    console(f"  decisions queue {DECISION_QUEUE_NAME}: {queue_url}")


def announce(stack: LocalStack, queue_url: str, shown: str) -> None:
    outputs = stack.outputs
    console(f"AWS emulator  {stack.endpoint}  (region {emulator.REGION}, any credentials)")
    console(f"  table {outputs['ResultsTableName']}, topic {outputs['ModerationAlertTopicArn']}")
    console(f"  alerts queue {ALERT_QUEUE_NAME}: {queue_url}")
    console(f"  evidence bucket {outputs['EvidenceBucketName']} (frames from 127.0.0.1 allowed)")
    console('  variables for the docs\' commands: eval "$(make -s stack-env ENV=local)"')
    console(f"callback API  {stack.api}  (token: {shown})")
    console(
        f'  try: curl -s -X POST "{stack.api}/callbacks/umedia/transcode?token={shown}" '
        "--data-binary @events/umedia/transcode.json"
    )


def main() -> None:
    port = port_setting("PORT", 4566)
    custom_token = os.environ.get("CALLBACK_TOKEN")
    token = custom_token or "local-dev-token"
    shown = "$CALLBACK_TOKEN" if custom_token else token  # a token of the user's is never printed
    secret = secret_text(token, os.environ.get("CALLBACK_KEYS"))
    template = deploy.build(console)
    endpoint = f"http://{emulator.HOST}:{port}"
    process = emulator.start(port, deploy.WORK / f"emulator-{port}.log")
    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    tail = None
    try:
        emulator.wait_healthy(endpoint, process)
        stack = bring_up(endpoint, template)
        set_secret(stack, secret)
        queue_url = subscribe_alert_queue(stack)
        decisions_url = subscribe_decision_queue(stack)
        email = os.environ.get("REVIEWER_EMAIL") or REVIEWER_EMAIL
        custom_password = os.environ.get("REVIEWER_PASSWORD")
        password = custom_password or reviewer_password()
        create_reviewer(stack, email, password)
        reviewer = {"email": email, "password": password}
        STATE.write_text(json.dumps({"endpoint": endpoint, "api": stack.api, "reviewer": reviewer}))
        SAM_LOCAL_ENV.write_text(json.dumps(sam_local_env(stack), indent=2))
        tail = LogTail(client("logs", endpoint), log_groups(endpoint))
        tail.start()
        announce(stack, queue_url, shown)
        # printed once: a password of the user's own is never printed
        announce_reviewer(stack, email, "$REVIEWER_PASSWORD" if custom_password else password,
                          decisions_url)  # fmt: skip
        print(f"ready {stack.api}", flush=True)
        while not stop.wait(1):
            if process.poll() is not None:
                raise SystemExit(f"the emulator stopped (exit {process.returncode})")
    finally:
        console("stopping")
        if tail is not None:
            tail.stop()
        if STATE.exists() and endpoint in STATE.read_text():
            STATE.unlink(missing_ok=True)
        emulator.stop(process)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:  # Ctrl-C while building: what was started is stopped already
        raise SystemExit(130) from None
