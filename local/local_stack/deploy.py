"""template.yaml built for this machine and deployed with SAM CLI to the emulator, as
`sam build` and `sam deploy --config-env local` would do it by hand.

The build is the template's own (`sam build`, BuildMethod makefile) with this machine's wheels
(LAMBDA_ARCH) and architecture: the emulator runs functions with its own interpreter, which
cannot import arm64 native extensions here. It is skipped when nothing it reads changed.
"""

from __future__ import annotations

import hashlib
import os
import platform
import shlex
import subprocess
import tomllib
from collections.abc import Callable
from pathlib import Path

from local_stack.emulator import CREDENTIALS, REGION, ROOT

TOOLS = ROOT / ".venv-tools" / "bin"
WORK = ROOT / ".aws-sam" / "local"
INPUTS = ("template.yaml", "layers/common", "functions")
CONFIG_ENV = "local"


def arch() -> tuple[str, str]:
    """(Lambda architecture, wheel platform) of this machine."""
    if platform.machine().lower() in ("aarch64", "arm64"):
        return "arm64", "aarch64"
    return "x86_64", "x86_64"


def inputs_digest(root: Path = ROOT) -> str:
    """What the build reads: the template and every file under the layer and the functions."""
    digest = hashlib.sha256(arch()[0].encode())
    for name in INPUTS:
        path = root / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for file in files:
            if "__pycache__" in file.parts:
                continue
            digest.update(str(file.relative_to(root)).encode() + b"\0" + file.read_bytes())
    return digest.hexdigest()


def sam(args: list[str], env: dict[str, str], cwd: Path = ROOT) -> subprocess.CompletedProcess[str]:
    return subprocess.run(  # noqa: S603 (SAM CLI from the tools venv)
        [str(TOOLS / "sam"), *args], cwd=cwd, env=env, capture_output=True, text=True, check=False
    )


def sam_env(endpoint: str | None = None) -> dict[str, str]:
    env = {**os.environ, "SAM_CLI_TELEMETRY": "0", "PATH": f"{TOOLS}:{os.environ['PATH']}"}
    env.pop("AWS_PROFILE", None)
    if endpoint:
        env |= {"AWS_ENDPOINT_URL": endpoint, "AWS_DEFAULT_REGION": REGION, **CREDENTIALS}
    return env


def build(say: Callable[[str], None], root: Path = ROOT, work: Path = WORK) -> Path:
    """The template of `root` built for this machine under `work` (.aws-sam/local), built only
    when its inputs changed since the last build; the built template's path."""
    lambda_arch, wheels = arch()
    built, stamp = work / "build" / "template.yaml", work / "build.sha256"
    digest = inputs_digest(root)
    if stamp.exists() and stamp.read_text() == digest and built.exists():
        say("build: unchanged since the last run (.aws-sam/local/build)")
        return built
    say(f"build: sam build for {lambda_arch} (the first run takes a few minutes) ...")
    work.mkdir(parents=True, exist_ok=True)
    template = work / "template.yaml"
    template.write_text((root / "template.yaml").read_text().replace("arm64", lambda_arch))
    done = sam(
        ["build", "--template", str(template), "--base-dir", str(root),
         "--build-dir", str(built.parent), "--cache-dir", str(work / "cache"), "--cached"],
        sam_env() | {"LAMBDA_ARCH": wheels}, cwd=root,
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"sam build failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
    stamp.write_text(digest)
    return built


def configured_overrides() -> str:
    """samconfig.toml's [local] parameter overrides."""
    config = tomllib.loads((ROOT / "samconfig.toml").read_text(encoding="utf-8"))
    return str(config[CONFIG_ENV]["deploy"]["parameters"].get("parameter_overrides", ""))


def deploy(template: Path, endpoint: str, **parameters: str) -> None:
    """`sam deploy --config-env local` of the built template to the emulator; `parameters` are
    added to samconfig's overrides."""
    overrides = configured_overrides() + "".join(
        f" {name}={shlex.quote(value)}" for name, value in parameters.items()
    )
    done = sam(
        ["deploy", "--config-file", str(ROOT / "samconfig.toml"), "--config-env", CONFIG_ENV,
         "--template-file", str(template),
         "--parameter-overrides", overrides.strip(), "--no-progressbar"],
        sam_env(endpoint),
    )  # fmt: skip
    if done.returncode != 0:
        raise SystemExit(f"sam deploy failed:\n{done.stdout[-3000:]}{done.stderr[-3000:]}")
