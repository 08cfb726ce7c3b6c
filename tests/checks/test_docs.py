"""The docs say what the code does: the cost table is the script's, every output and parameter is
documented, every variable a command uses is set somewhere, `make help` lists every target."""

from __future__ import annotations

import re
from pathlib import Path

from cost import report
from inprocess.template import load_template
from stack_env import variable

ROOT = Path(__file__).resolve().parents[2]
TEMPLATE = load_template()
DEPLOY = (ROOT / "docs" / "DEPLOY.md").read_text(encoding="utf-8")
# set by the shell or the user's AWS setup, or named in the text as the reader's own
GIVEN = {"PATH", "PWD", "AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN",
         "QUEUE_ARN", "FUNCTION_ARN"}  # fmt: skip


def code_blocks(text: str) -> list[str]:
    return re.findall(r"```(?:bash|sh)\n(.*?)```", text, re.DOTALL)


def test_the_cost_table_is_what_make_cost_prints() -> None:
    table = re.search(r"<!-- make cost -->\n(.*?)\n<!-- /make cost -->", DEPLOY, re.DOTALL)
    assert table is not None
    assert table.group(1) == report(), "run `make cost` and paste its table into DEPLOY.md"


def test_every_output_and_parameter_is_documented() -> None:
    configuration = (ROOT / "docs" / "CONFIGURATION.md").read_text(encoding="utf-8")
    for output in TEMPLATE["Outputs"]:
        if output.startswith("Http"):  # listed as `HttpUMediaTranscodeCallbackUrl, ...`
            continue
        assert f"`{output}`" in DEPLOY, output
    for parameter in TEMPLATE["Parameters"]:
        assert f"`{parameter}`" in DEPLOY + configuration, parameter


def test_every_variable_the_commands_use_is_set_somewhere() -> None:
    from stack_env import LOCAL_VARIABLES

    exported = {"STACK", "AWS_DEFAULT_REGION"} | {variable(key) for key in TEMPLATE["Outputs"]}
    exported |= set(LOCAL_VARIABLES)  # make stack-env ENV=local
    for name in (
        "README.md",
        *(
            f"docs/{n}"
            for n in (
                "DEPLOY.md",
                "ALERTS.md",
                "CONFIGURATION.md",
                "ARCHITECTURE.md",
                "PERFORMANCE.md",
                "LOCAL.md",
            )
        ),
    ):
        blocks = code_blocks((ROOT / name).read_text(encoding="utf-8"))
        assigned = {m for block in blocks for m in re.findall(r"\b([A-Z][A-Z0-9_]*)=", block)}
        used = {m for block in blocks for m in re.findall(r"\$\{?([A-Z][A-Z0-9_]*)", block)}
        unset = used - exported - assigned - GIVEN
        assert not unset, f"{name}: {sorted(unset)} used but never set"


def test_make_help_lists_every_target() -> None:
    makefile = (ROOT / "Makefile").read_text(encoding="utf-8")
    phony = {t for line in re.findall(r"^\.PHONY: (.*)$", makefile, re.M) for t in line.split()}
    helped = set(re.findall(r'@echo "make (\S+)', makefile))
    assert phony - {"help"} <= helped


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]", "", heading.strip().lower())
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def test_every_link_to_a_section_finds_its_heading() -> None:
    pages = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
    anchors = {
        page.name: {slug(h) for h in re.findall(r"^#+ (.*)$", page.read_text(), re.MULTILINE)}
        for page in pages
    }
    broken = []
    for page in pages:
        for target, anchor in re.findall(r"\]\(([\w./]*?)#([\w-]+)\)", page.read_text()):
            name = Path(target).name if target else page.name
            if anchor not in anchors.get(name, set()):
                broken.append(f"{page.name}: {target}#{anchor}")
    assert not broken
