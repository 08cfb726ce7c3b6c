"""Write template.yaml with some parameters' defaults changed, so linters that evaluate
conditions with the defaults (checkov) also see the optional resources.

    python scripts/template_variant.py OUT.yaml EnableHttpFrontDoor=true [Name=value ...]
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def main() -> int:
    out, *overrides = sys.argv[1:]
    text = Path("template.yaml").read_text(encoding="utf-8")
    for override in overrides:
        name, value = override.split("=", 1)
        pattern = rf"(\n  {re.escape(name)}:\n(?:    .*\n)*?    Default: )[^\n]*"
        text, found = re.subn(pattern, rf'\g<1>"{value}"', text, count=1)
        if not found:
            print(f"no parameter {name} with a Default in template.yaml", file=sys.stderr)
            return 1
    Path(out).parent.mkdir(parents=True, exist_ok=True)
    Path(out).write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
