"""What a release tag must agree with: the version in pyproject.toml and a CHANGELOG section.

    python scripts/check_release.py --tag v0.1.0    # exit 1, saying why, unless they agree
    python scripts/check_release.py --notes         # that version's CHANGELOG section

The version has one home, ``[project] version`` in pyproject.toml; the tap reports it from
the installed package's metadata (``tap-magento --version``, ``--about``).
"""

from __future__ import annotations

import argparse
import re
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
SECTION = re.compile(r"^## \[(?P<version>[^\]]+)\][^\n]*\n(?P<body>.*?)(?=^## \[|\Z)", re.M | re.S)


VERSION = re.compile(r'^version = "([^"]+)"$', re.M)  # [project] version (tomllib is 3.11+)


def version() -> str:
    found = VERSION.search((REPO / "pyproject.toml").read_text())
    assert found is not None, "pyproject.toml has no [project] version"
    return found.group(1)


def notes(wanted: str) -> str | None:
    """The CHANGELOG's section for ``wanted``, without its heading."""
    for found in SECTION.finditer(_changelog()):
        if found.group("version") == wanted:
            return found.group("body").strip() + "\n"
    return None


def problems(tag: str) -> list[str]:
    current = version()
    found = []
    if tag != f"v{current}":
        found.append(f"the tag {tag} is not v{current}, the version in pyproject.toml")
    if notes(current) is None:
        found.append(f"CHANGELOG.md has no section ## [{current}]")
    elif not re.search(
        rf"^## \[{re.escape(current)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", _changelog(), re.M
    ):
        found.append(f"CHANGELOG.md's ## [{current}] has no release date (YYYY-MM-DD)")
    return found


def _changelog() -> str:
    return (REPO / "CHANGELOG.md").read_text()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tag", help="the git tag being released, e.g. v0.1.0")
    parser.add_argument("--notes", action="store_true", help="print the version's section")
    args = parser.parse_args(argv)
    if args.notes:
        text = notes(version())
        if text is None:
            print(f"CHANGELOG.md has no section ## [{version()}]", file=sys.stderr)
            return 1
        print(text, end="")
        return 0
    found = problems(args.tag or "")
    for problem in found:
        print(f"Not a release: {problem}.", file=sys.stderr)
    return 1 if found else 0


if __name__ == "__main__":
    sys.exit(main())
