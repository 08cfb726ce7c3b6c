"""The AWS emulator of the local run: MiniStack (pinned in requirements-emulator.txt, in its own
venv) served by hypercorn on 127.0.0.1 behind local_stack.guard, as a child process group that
stopping the run ends (the Lambda workers it starts included).

MiniStack runs Python functions as local worker processes with its own interpreter: the
functions see the emulator venv's botocore as Lambda's runtime provides boto3, and the layer as
`sam build` made it for this machine.
"""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PYTHON = ROOT / ".venv-emulator" / "bin" / "python"
HOST = "127.0.0.1"
REGION = "us-east-1"
# Credentials the emulator accepts (it checks none unless AUTH=true): never real ones.
CREDENTIALS = {"AWS_ACCESS_KEY_ID": "test", "AWS_SECRET_ACCESS_KEY": "test"}


def free_port(port: int, variable: str) -> int:
    """`port` if it can be listened on (a port left in TIME-WAIT by the previous run can), or a
    free one for 0; SystemExit with one line when something listens on it."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            raise SystemExit(
                f"port {port} ({variable}) is in use on {HOST}: stop what uses it, or run "
                f"`{variable}=<another port> make run` (0 picks a free one)"
            ) from None
        return int(probe.getsockname()[1])


def environment(port: int) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTHON"))}
    return env | {
        "GATEWAY_PORT": str(port),
        "BIND_HOST": HOST,  # loopback only
        "IOT_MTLS_ENABLED": "0",  # else an IoT listener on 0.0.0.0:8883
        "SFTP_ENABLED": "0",
        "LOG_LEVEL": "WARNING",
        "MINISTACK_REGION": REGION,
        "PYTHONPATH": str(ROOT / "local"),  # local_stack.emulator_app and its guard
        "PYTHONDONTWRITEBYTECODE": "1",
    }


def start(port: int, log: Path) -> subprocess.Popen[bytes]:
    """The emulator on 127.0.0.1:`port`, its output in `log`."""
    if not PYTHON.exists():
        raise SystemExit("the emulator is not installed: run `make run` (it sets it up)")
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("wb") as out:
        return subprocess.Popen(  # noqa: S603 (our own venv's interpreter)
            [str(PYTHON), "-m", "hypercorn", "local_stack.emulator_app:app",
             "--bind", f"{HOST}:{port}", "--keep-alive", "75", "--log-level", "WARNING"],
            env=environment(port), stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            start_new_session=True, cwd=log.parent,
        )  # fmt: skip


def wait_healthy(endpoint: str, process: subprocess.Popen[bytes], seconds: float = 60) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise SystemExit(f"the emulator stopped at start (exit {process.returncode})")
        try:
            with urllib.request.urlopen(f"{endpoint}/_ministack/health", timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise SystemExit(f"the emulator did not answer on {endpoint} within {seconds:.0f} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    """The emulator and every process it started (Lambda workers)."""
    try:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(timeout=10)
    except (ProcessLookupError, subprocess.TimeoutExpired):
        try:
            os.killpg(process.pid, signal.SIGKILL)
        except ProcessLookupError:
            return
