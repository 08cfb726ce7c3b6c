"""Check what `sam build` left in .aws-sam/build: bytecode Lambda can use as is for every module,
and native extensions for Lambda's architecture (arm64).

Lambda's file system is read-only: a module without a valid .pyc is compiled again on every cold
start. compileall --invalidation-mode unchecked-hash writes .pyc files that Python loads without
comparing them to the source's timestamp (which a zip does not keep reliably). An extension built
for another machine (an x86_64 wheel in an arm64 function) fails at import. The operator's tools
(scripts/, e.g. replay.py) run from a checkout: none may ship in the layer or a function.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BUILD = Path(".aws-sam/build")
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, do not check the source
ELF_MACHINES = {183: "arm64", 62: "x86_64"}  # e_machine of an ELF header
OPERATOR_TOOLS = frozenset(p.stem for p in Path(__file__).parent.glob("*.py"))  # scripts/


def bytecode_problems(sources: list[Path]) -> list[str]:
    tag = sys.implementation.cache_tag
    problems = []
    for source in sources:
        compiled = Path(importlib.util.cache_from_source(str(source)))
        if not compiled.exists():
            problems.append(f"missing {compiled}")
            continue
        header = compiled.read_bytes()[:8]
        if header[:4] != importlib.util.MAGIC_NUMBER:
            problems.append(f"{compiled}: compiled by another Python than {tag}")
        elif int.from_bytes(header[4:8], "little") != UNCHECKED_HASH:
            problems.append(f"{compiled}: not unchecked-hash")
    return problems


def architecture_problems(build: Path, arch: str) -> tuple[int, list[str]]:
    extensions = sorted(build.rglob("*.so"))
    problems = []
    for extension in extensions:
        machine = int.from_bytes(extension.read_bytes()[18:20], "little")
        found = ELF_MACHINES.get(machine, f"machine {machine}")
        if found != arch:
            problems.append(f"{extension}: built for {found}, not {arch}")
    return len(extensions), problems


def operator_tool_problems(build: Path, tools: frozenset[str] = OPERATOR_TOOLS) -> list[str]:
    """Modules of scripts/ in our package of the layer or at the top of a function's code."""
    ours = [*build.glob("*/python/media_callbacks/**/*.py"), *build.glob("*/*.py")]
    return [f"{path}: an operator tool (scripts/)" for path in sorted(ours) if path.stem in tools]


def main(argv: list[str]) -> int:
    build = Path(argv[0]) if argv else BUILD
    arch = argv[1] if len(argv) > 1 else "arm64"
    if not build.is_dir():
        print(f"no {build}: run `make build` first", file=sys.stderr)
        return 1
    sources = [p for p in build.rglob("*.py") if "__pycache__" not in p.parts]
    problems = bytecode_problems(sources)
    extensions, wrong_arch = architecture_problems(build, arch)
    tools = operator_tool_problems(build)
    functions = sorted(p.name for p in build.iterdir() if p.is_dir())
    compiled_ok = len(sources) - len(problems)
    arch_ok = extensions - len(wrong_arch)
    print(
        f"{len(sources)} modules in {', '.join(functions)}: {compiled_ok} with "
        f"{sys.implementation.cache_tag} unchecked-hash bytecode; {arch_ok} of {extensions} "
        f"native extensions for {arch}"
    )
    for problem in (problems + wrong_arch + tools)[:20]:
        print("  " + problem, file=sys.stderr)
    return 1 if problems or wrong_arch or tools or not sources else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
