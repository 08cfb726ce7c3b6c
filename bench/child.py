"""One cold process, as Lambda's init plus first invocation: run by bench/run.py, not by hand.

    python -S bench/child.py <what> <event.json>

`what` is callback, alert (the functions from the build output) or floor-dynamodb, floor-sns
(boto3 alone). Prints one JSON line: the monotonic time when the response was ready (the clock
is system-wide, so the parent can subtract its spawn time), status and peak RSS; then exits
without tearing the interpreter down, as Lambda keeps a container after its first response.
"""

from __future__ import annotations

import json
import os
import resource
import sys
import time


class Context:
    function_name = os.environ.get("AWS_LAMBDA_FUNCTION_NAME", "bench")
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = f"arn:aws:lambda:us-east-1:123456789012:function:{function_name}"
    aws_request_id = "bench-request"

    @staticmethod
    def get_remaining_time_in_millis() -> int:
        return 10_000


def peak_rss_kib() -> int:
    """VmHWM: this process's own peak (ru_maxrss can carry the parent's from before exec)."""
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmHWM:"):
                return int(line.split()[1])
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def main() -> None:
    what, event_path = sys.argv[1], sys.argv[2]
    with open(event_path, encoding="utf-8") as handle:
        event = json.load(handle)
    status: object
    if what == "callback":
        from callback_handler.app import lambda_handler

        status = lambda_handler(event, Context())["statusCode"]
    elif what == "alert":
        from alert_handler.app import lambda_handler as alert_handler

        status = alert_handler(event, Context())
    elif what == "floor-dynamodb":
        import boto3

        boto3.client("dynamodb").put_item(TableName=event["table"], Item=event["item"])
        status = 200
    elif what == "floor-sns":
        import boto3

        boto3.client("sns").publish(TopicArn=event["topic"], Message=event["message"])
        status = 200
    else:
        raise SystemExit(f"unknown: {what}")
    done = time.monotonic()
    rss_kib = peak_rss_kib()
    sys.stderr.write(json.dumps({"done": done, "status": status, "rss_kib": rss_kib}) + "\n")
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(0)


if __name__ == "__main__":
    main()
