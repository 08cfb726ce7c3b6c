"""`make run`: the whole receiver on this machine, no AWS account and no Docker.

PORT (default 3000) serves the callback API; AWS_EMULATOR_PORT (default 5000) serves the
emulated AWS APIs (moto); CALLBACK_TOKEN (default local-dev-token) is the token. Port 0 picks a
free port; the "ready" line says which.
"""

from __future__ import annotations

import os
import signal
import threading

from local_stack.emulator import (
    ALERT_QUEUE_NAME,
    REGION,
    create_resources,
    function_environment,
    start_server,
)
from local_stack.http_front import console, make_server, serve_in_thread

HOST = "127.0.0.1"


def main() -> None:
    port = int(os.environ.get("PORT", "3000"))
    emulator_port = int(os.environ.get("AWS_EMULATOR_PORT", "5000"))
    custom_token = os.environ.get("CALLBACK_TOKEN")
    token = custom_token or "local-dev-token"
    shown = "$CALLBACK_TOKEN" if custom_token else token  # a token of the user's is never printed
    moto, endpoint = start_server(HOST, emulator_port)
    resources = create_resources(endpoint, token)
    os.environ.update(
        function_environment(resources, POWERTOOLS_LOG_LEVEL=os.environ.get("LOG_LEVEL", "ERROR"))
    )
    os.environ.pop("CALLBACK_TOKEN", None)  # the function reads it from the emulated secret

    from callback_handler.app import lambda_handler  # after the environment is in place

    http = make_server(HOST, port, lambda_handler)
    serve_in_thread(http)
    api = f"http://{HOST}:{http.server_address[1]}"
    console(f"AWS emulator  {endpoint}  (region {REGION}, any credentials)")
    console(f"  table {resources.table_name}, topic {resources.topic_arn}")
    console(f"  alerts queue {ALERT_QUEUE_NAME}: {resources.alert_queue_url}")
    console(f"callback API  {api}  (token: {shown})")
    console(f"  try: curl -s -X POST \"{api}/callbacks/umedia/transcode?token={shown}\" "
            "-H 'Content-Type: application/json' -d @events/umedia/transcode.json")  # fmt: skip
    console(f"ready api={api} emulator={endpoint}")

    stop = threading.Event()
    for sig in (signal.SIGINT, signal.SIGTERM):
        signal.signal(sig, lambda *_: stop.set())
    stop.wait()
    console("stopping")
    http.shutdown()
    moto.stop()


if __name__ == "__main__":
    main()
