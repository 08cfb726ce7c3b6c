"""The deployed local stack's latency (make bench, after bench/run.py): `python -m local_stack`
on a free port, then its first callback (cold: a new function worker) and a few hundred warm
ones, against the same route with a wrong token as the baseline of the same run (API Gateway,
a Lambda invocation and the token check, answered 401: no parsing, no table write). Not
/health: the emulator adds about 50 ms to an invocation that logs nothing (docs/LOCAL.md).

Figures only, no verdict: the emulator is not Lambda (docs/LOCAL.md); they show what our code
adds to a round trip through the real template, and catch a regression in it.
"""

from __future__ import annotations

import json
import os
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
TOKEN = "bench-token"
WARM = int(os.environ.get("BENCH_DEPLOYED_CALLBACKS", "300"))


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


def main() -> int:
    say("deployed local stack: python -m local_stack (the template on the emulator) ...")
    process, api = start()
    try:
        cold = callback(api)
        warm = [callback(api) for _ in range(WARM)]
        refused = [callback(api, token="wrong") for _ in range(WARM)]
    finally:
        process.terminate()
        process.wait(timeout=60)
    p50, p99 = statistics.median(warm), percentile(warm, 0.99)
    r50, r99 = statistics.median(refused), percentile(refused, 0.99)
    say(f"Deployed local stack, {WARM} sequential callbacks each (ms)")
    say(f"  cold first callback (umedia transcode, stored)  {cold:7.1f}")
    say(f"  warm callback, stored       p50 {p50:6.1f}  p99 {p99:6.1f}")
    say(f"  warm callback, wrong token  p50 {r50:6.1f}  p99 {r99:6.1f}  (baseline)")
    say(f"  stored / refused            p50 ratio {p50 / r50:4.2f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
