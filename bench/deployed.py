"""The deployed local stack's latency (make bench, after bench/run.py): `python -m local_stack`
on a free port, then its first callback (cold: a new function worker) and a few hundred warm
ones, against the same route with a wrong token as the baseline of the same run (API Gateway,
a Lambda invocation and the token check, answered 401: no parsing, no table write). Not
/health: the emulator adds about 50 ms to an invocation that logs nothing (docs/LOCAL.md).

Figures only, no verdict: the emulator is not Lambda (docs/LOCAL.md); they show what our code
adds to a round trip through the real template, and catch a regression in it.

It also reads the REPORT lines the emulator writes for each invocation of CallbackFunction
(billed duration, at the template's memory size): the median cold (first callback of a fresh
stack, BENCH_DEPLOYED_COLD_STARTS stacks) and warm one. With BENCH_KEEP_FIGURES=1 it keeps them
in bench/figures.json, which `make cost` prices (then paste make cost's tables into
docs/DEPLOY.md): a figure moves from run to run with the machine's load, so the priced one
changes only when asked.
"""

from __future__ import annotations

import json
import os
import re
import statistics
import subprocess
import sys
import time
import urllib.error
import urllib.request
import uuid
from pathlib import Path

from import_roots import pythonpath  # scripts/: make bench puts the import roots on the path

ROOT = Path(__file__).resolve().parents[1]
FIGURES = ROOT / "bench" / "figures.json"
TOKEN = "bench-token"
WARM = int(os.environ.get("BENCH_DEPLOYED_CALLBACKS", "300"))
COLD_STARTS = int(os.environ.get("BENCH_DEPLOYED_COLD_STARTS", "3"))
KEEP = os.environ.get("BENCH_KEEP_FIGURES") == "1"


def say(line: str) -> None:
    print(line, flush=True)


def start() -> tuple[subprocess.Popen[str], str]:
    env = {**os.environ, "PORT": "0", "CALLBACK_TOKEN": TOKEN, "PYTHONUNBUFFERED": "1"}
    env["PYTHONPATH"] = pythonpath()
    process = subprocess.Popen(
        [sys.executable, "-m", "local_stack"], cwd=ROOT, env=env, text=True,
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
    )  # fmt: skip
    for line in process.stdout or ():
        if line.startswith("ready "):
            return process, line.split()[1]
    raise SystemExit("the local stack did not start")


def timed(url: str, body: bytes, expected: int) -> float:
    request = urllib.request.Request(url, data=body, method="POST")
    started = time.perf_counter()
    try:
        with urllib.request.urlopen(request, timeout=60) as response:
            response.read()
            status = response.status
    except urllib.error.HTTPError as error:
        error.read()
        status = error.code
    if status != expected:
        raise SystemExit(f"{url}: {status}, expected {expected}")
    return (time.perf_counter() - started) * 1000


def callback(api: str, token: str = TOKEN) -> float:
    """One umedia transcode callback of a task of its own: stored (200), or 401 refused."""
    payload = json.loads((ROOT / "events" / "umedia" / "transcode.json").read_text())
    payload["task_id"] = f"bench-{uuid.uuid4().hex[:12]}"
    url = f"{api}/callbacks/umedia/transcode?token={token}"
    return timed(url, json.dumps(payload).encode(), 200 if token == TOKEN else 401)


def percentile(samples: list[float], share: float) -> float:
    ordered = sorted(samples)
    return ordered[min(len(ordered) - 1, int(share * len(ordered)))]


def reports(api: str) -> list[tuple[float, int]]:
    """(billed ms, memory MB) of each CallbackFunction invocation, oldest first, from the
    REPORT lines in the emulator's CloudWatch Logs."""
    import boto3

    endpoint = "/".join(api.split("/")[:3])  # http://127.0.0.1:<port>
    logs = boto3.client(
        "logs", endpoint_url=endpoint, region_name="us-east-1",
        aws_access_key_id="test", aws_secret_access_key="test",
    )  # fmt: skip
    groups = logs.describe_log_groups()["logGroups"]
    [group] = [g["logGroupName"] for g in groups if "CallbackFunction" in g["logGroupName"]]
    events = []
    for page in logs.get_paginator("filter_log_events").paginate(logGroupName=group):
        events += [e for e in page["events"] if e["message"].startswith("REPORT ")]
    found = []
    for event in sorted(events, key=lambda e: e["timestamp"]):
        billed = re.search(r"Billed Duration: ([\d.]+) ms", event["message"])
        memory = re.search(r"Memory Size: (\d+) MB", event["message"])
        if billed and memory:
            found.append((float(billed.group(1)), int(memory.group(1))))
    return found


def keep_figures(colds: list[float], billed: list[tuple[float, int]], stored: int) -> None:
    """The median cold (first) and warm stored callback's billed ms, and the refused ones'."""
    [memory] = {mb for _, mb in billed}
    figures = {
        "source": "BENCH_KEEP_FIGURES=1 make bench: REPORT lines of the deployed local stack",
        "measured": time.strftime("%Y-%m-%d"),
        "memory_mb": memory,
        "callback_billed_ms": {
            "cold": statistics.median(colds),
            "warm": statistics.median(ms for ms, _ in billed[1:stored]),
        },
        "refused_billed_ms": statistics.median(ms for ms, _ in billed[stored:]),
    }
    if KEEP:
        FIGURES.write_text(json.dumps(figures, indent=2) + "\n")
    ms = figures["callback_billed_ms"]
    say(f"  billed (REPORT lines, {memory} MB): cold {ms['cold']:.0f} ms (median of "
        f"{len(colds)} starts), warm p50 {ms['warm']:.1f} ms, "
        f"refused p50 {figures['refused_billed_ms']:.1f} ms"
        + (f" -> {FIGURES.name}" if KEEP else " (BENCH_KEEP_FIGURES=1 keeps them)"))  # fmt: skip


def run(warm: int) -> tuple[float, list[float], list[float], list[tuple[float, int]]]:
    """A fresh local stack: its cold first callback, `warm` stored and `warm` refused ones,
    and the billed duration of each invocation."""
    process, api = start()
    try:
        cold = callback(api)
        stored = [callback(api) for _ in range(warm)]
        refused = [callback(api, token="wrong") for _ in range(warm)]
        time.sleep(2)  # the last REPORT lines reach the emulator's logs
        return cold, stored, refused, reports(api)
    finally:
        process.terminate()
        process.wait(timeout=60)


def main() -> int:
    say("deployed local stack: python -m local_stack (the template on the emulator) ...")
    cold, warm, refused, billed = run(WARM)
    # a cold start is one sample per stack: a few more stacks for its median
    colds = [billed[0][0]] + [run(0)[3][0][0] for _ in range(COLD_STARTS - 1)]
    p50, p99 = statistics.median(warm), percentile(warm, 0.99)
    r50, r99 = statistics.median(refused), percentile(refused, 0.99)
    say(f"Deployed local stack, {WARM} sequential callbacks each (ms)")
    say(f"  cold first callback (umedia transcode, stored)  {cold:7.1f}")
    say(f"  warm callback, stored       p50 {p50:6.1f}  p99 {p99:6.1f}")
    say(f"  warm callback, wrong token  p50 {r50:6.1f}  p99 {r99:6.1f}  (baseline)")
    say(f"  stored / refused            p50 ratio {p50 / r50:4.2f}")
    keep_figures(colds, billed, 1 + WARM)
    return 0


if __name__ == "__main__":
    sys.exit(main())
