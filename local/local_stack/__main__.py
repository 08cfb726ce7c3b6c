"""`make run`: the whole receiver on this machine, no AWS account and no Docker.

PORT (default 3000) serves the callback API; AWS_EMULATOR_PORT (default 5000) serves the
emulated AWS APIs (moto); CALLBACK_TOKEN (default local-dev-token) is the token, and
CALLBACK_KEYS (optional) the JSON form of the callback secret, e.g. per-vendor tokens
{"tokens": {"umedia": "..."}}. Port 0 picks a free port; the "ready" line says which.
"""

from __future__ import annotations

import json
import os
import signal
import socket
import threading
from typing import Any

from local_stack.emulator import (
    ALERT_QUEUE_NAME,
    REGION,
    Resources,
    client,
    create_resources,
    function_environment,
    start_server,
)
from local_stack.http_front import console, make_server, serve_in_thread
from local_stack.queue import QueueMapping
from local_stack.stream import Handler, StreamMapping
from local_stack.template import queue_mapping, stream_mapping
from media_callbacks.auth import parse_keys

HOST = "127.0.0.1"


def _note_subject(params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    context["alert_subject"] = params.get("Subject")


def _print_alert(parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    """One console line per alert the alert function publishes."""
    if "MessageId" in parsed:
        console(f"ALERT {context.get('alert_subject')} (message {parsed['MessageId']})")


def secret_text(token: str, keys: str | None) -> str:
    """The emulated callback secret: the token as text, or with CALLBACK_KEYS its JSON form."""
    if not (keys or "").strip():
        return token
    try:
        parse_keys(keys)
        data = json.loads(keys or "")
    except ValueError as exc:
        raise SystemExit(f"CALLBACK_KEYS: {exc}") from None
    if not isinstance(data, dict):
        raise SystemExit('CALLBACK_KEYS: expected a JSON object like {"tokens": {"umedia": "..."}}')
    return json.dumps({"token": token, **data})


def port_setting(variable: str, default: int) -> int:
    """A port from the environment; SystemExit with one line when it is not a free port."""
    raw = os.environ.get(variable, str(default)).strip()
    if not raw.isdigit() or int(raw) > 65535:
        raise SystemExit(f"{variable}={raw!r}: expected a port number (0 picks a free port)")
    port = int(raw)
    if port:
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
            try:
                probe.bind((HOST, port))
            except OSError:
                raise SystemExit(
                    f"port {port} ({variable}) is in use on {HOST}: stop what uses it, or run "
                    f"`{variable}=<another port> make run` (0 picks a free one)"
                ) from None
    return port


DEAD_LETTERS = {  # a stream consumer's on-failure queue, and what its dead letter holds
    "AlertFunction": ("alert_dlq_url", "alert batch"),
    "EvidenceFunction": ("evidence_dlq_url", "evidence record"),
}


def _stream_consumer(
    function: str, handler: Handler, endpoint: str, resources: Resources
) -> StreamMapping:
    """The table stream's event source mapping of `function`, as the template declares it,
    started."""
    dlq_attribute, what = DEAD_LETTERS[function]
    mapping = StreamMapping(
        streams_client=client("dynamodbstreams", endpoint),
        sqs_client=client("sqs", endpoint),
        stream_arn=resources.stream_arn,
        handler=handler,
        mapping=stream_mapping(function),
        on_failure_queue_url=getattr(resources, dlq_attribute),
        on_dead_letter=lambda m: console(
            f"{what} sent to the dead-letter queue after its retries: "
            + json.dumps(m["DDBStreamBatchInfo"])
        ),
        table=(client("dynamodb", endpoint), resources.table_name),
    )
    mapping.start()
    return mapping


def main() -> None:
    port = port_setting("PORT", 3000)
    emulator_port = port_setting("AWS_EMULATOR_PORT", 5000)
    custom_token = os.environ.get("CALLBACK_TOKEN")
    token = custom_token or "local-dev-token"
    shown = "$CALLBACK_TOKEN" if custom_token else token  # a token of the user's is never printed
    moto, endpoint = start_server(HOST, emulator_port)
    resources = create_resources(endpoint, secret_text(token, os.environ.get("CALLBACK_KEYS")))
    os.environ.update(
        function_environment(resources, POWERTOOLS_LOG_LEVEL=os.environ.get("LOG_LEVEL", "ERROR"))
    )
    for name in ("CALLBACK_TOKEN", "CALLBACK_KEYS"):  # the function reads the emulated secret
        os.environ.pop(name, None)

    # Imported after the environment is in place, as Lambda imports them at cold start.
    import alert_handler.app as alerts
    import evidence_handler.app as evidence
    import retry_handler.app as retries
    from callback_handler.app import lambda_handler

    http = make_server(HOST, port, lambda_handler)
    serve_in_thread(http)
    alerts.root.get().sns.meta.events.register("provide-client-params.sns.Publish", _note_subject)
    alerts.root.get().sns.meta.events.register("after-call.sns.Publish", _print_alert)
    mapping = _stream_consumer("AlertFunction", alerts.lambda_handler, endpoint, resources)
    evidence_mapping = _stream_consumer(
        "EvidenceFunction", evidence.lambda_handler, endpoint, resources
    )
    retry_mapping = QueueMapping(
        sqs_client=client("sqs", endpoint),
        queue_url=resources.retry_queue_url,
        handler=retries.lambda_handler,
        mapping=queue_mapping("IngestRetryFunction"),
    )
    retry_mapping.start()
    api = f"http://{HOST}:{http.server_address[1]}"
    console(f"AWS emulator  {endpoint}  (region {REGION}, any credentials)")
    console(f"  table {resources.table_name}, topic {resources.topic_arn}")
    console(f"  alerts queue {ALERT_QUEUE_NAME}: {resources.alert_queue_url}")
    console(f"  alert dead letters: {resources.alert_dlq_url}")
    console(f"  retry queue: {resources.retry_queue_url} (dead letters: {resources.retry_dlq_url})")
    console(f"  evidence bucket: {resources.evidence_bucket} (frames from 127.0.0.1 allowed)")
    console(f"callback API  {api}  (token: {shown})")
    console(
        f'  try: curl -s -X POST "{api}/callbacks/umedia/transcode?token={shown}" '
        "-H 'Content-Type: application/json' --data-binary @events/umedia/transcode.json"
    )
    console(f"ready api={api} emulator={endpoint}")

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    console("stopping")
    mapping.stop()
    evidence_mapping.stop()
    retry_mapping.stop()
    http.shutdown()
    moto.stop()


if __name__ == "__main__":
    main()
