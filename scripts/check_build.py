"""Check that `make build` left bytecode Lambda can use as is, for every module it ships.

Lambda's file system is read-only: a module without a valid .pyc is compiled again on every cold
start. compileall --invalidation-mode unchecked-hash writes .pyc files that Python loads without
comparing them to the source's timestamp (which a zip does not keep reliably).
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

BUILD = Path(".aws-sam/build")
UNCHECKED_HASH = 0b01  # PEP 552 flags: hash-based, do not check the source


def main() -> int:
    if not BUILD.is_dir():
        print(f"no {BUILD}: run `make build` first", file=sys.stderr)
        return 1
    tag = sys.implementation.cache_tag
    sources = [p for p in BUILD.rglob("*.py") if "__pycache__" not in p.parts]
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
    functions = sorted(p.name for p in BUILD.iterdir() if p.is_dir())
    print(f"{len(sources)} modules in {', '.join(functions)}: {len(sources) - len(problems)} "
          f"with {tag} unchecked-hash bytecode")  # fmt: skip
    for problem in problems[:20]:
        print("  " + problem, file=sys.stderr)
    return 1 if problems or not sources else 0


if __name__ == "__main__":
    sys.exit(main())
