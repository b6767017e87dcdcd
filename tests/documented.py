"""The commands the README and docs/ show, as a reader copies them: code blocks by page, the
programs each line runs, and the few substitutions a machine without the internet needs."""

from __future__ import annotations

import os
import re
import shlex
import subprocess
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
FENCE = re.compile(r"^( *)```(\w*)\s*$")
HEADING = re.compile(r"^#{1,6} (.+?)\s*$")
ASSIGNMENT = re.compile(r"^[A-Z_][A-Z0-9_]*=")
# What the docs write that only a reader's machine has: a real store, a clone at a path.
STORE = ("https://shop.example.com", "sandbox")
CLONE = "/path/to/tap-magento"


@dataclass(frozen=True)
class Block:
    page: Path
    heading: str  # the nearest heading above it
    language: str
    text: str

    @property
    def name(self) -> str:
        return f"{self.page.relative_to(REPO).as_posix()} ({self.heading})"

    @property
    def programs(self) -> list[str]:
        """The program each command of the block runs (``A=1 meltano run`` runs meltano)."""
        found = []
        for line in self.text.splitlines():
            words = shlex.split(line, comments=True)
            starts = [0, *(i + 1 for i, w in enumerate(words) if w in {"&&", "|", ";"})]
            for start in starts:
                command = words[start:]
                while command and ASSIGNMENT.match(command[0]):
                    command = command[1:]
                if command:
                    found.append(command[0])
        return found

    def runs(self, program: str) -> bool:
        return program in self.programs


def code_blocks(page: Path) -> list[Block]:
    blocks, heading = [], ""
    lines = page.read_text().splitlines()
    index = 0
    while index < len(lines):
        line = lines[index]
        fence = FENCE.match(line)
        if fence is None:
            found = HEADING.match(line)
            heading = found.group(1) if found else heading
            index += 1
            continue
        indent, language = len(fence.group(1)), fence.group(2)
        end = next(i for i in range(index + 1, len(lines)) if FENCE.match(lines[i]))
        text = "\n".join(line[indent:] for line in lines[index + 1 : end]) + "\n"
        blocks.append(Block(page, heading, language, text))
        index = end + 1
    return blocks


def shell_blocks(program: str) -> list[Block]:
    """Every bash block of the README and docs/ that runs ``program``, in page order."""
    return [
        block
        for page in PAGES
        for block in code_blocks(page)
        if block.language == "bash" and block.runs(program)
    ]


def run_block(
    block: Block, cwd: Path, env: dict[str, str], substitutions: dict[str, str], timeout: float
) -> subprocess.CompletedProcess[str]:
    """The block as a bash script that stops at the first command that fails."""
    script = block.text
    for written, here in {STORE[0]: STORE[1], **substitutions}.items():
        script = script.replace(written, here)
    return subprocess.run(
        ["bash", "-c", "set -euo pipefail\n" + script],
        cwd=cwd,
        env={**os.environ, **env},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
