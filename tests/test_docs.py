"""The README and docs/: every relative link leads to a file that exists, and every #anchor to a
heading that exists in it, so a moved section cannot leave a dead link behind."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
PAGES = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
LINK = re.compile(r"\[[^\]]*\]\(([^)\s]+)\)")
HEADING = re.compile(r"^#{1,6} (.+?)\s*$", re.M)
FENCE = re.compile(r"^```.*?^```", re.M | re.S)
DOC_PAGES = ["configuration", "streams", "incremental", "deletions", "choosing", "performance",
             "misbehaving-stores", "meltano", "migrating", "sandbox", "development"]  # fmt: skip


def slug(heading: str) -> str:
    """GitHub's anchor for a heading: lower case, punctuation dropped, spaces as hyphens."""
    text = re.sub(r"[`*_]|\[([^\]]*)\]\([^)]*\)", r"\1", heading).strip().lower()
    return re.sub(r"[^\w\- ]", "", text).replace(" ", "-")


def anchors(page: Path) -> set[str]:
    text = FENCE.sub("", page.read_text())
    return {slug(heading) for heading in HEADING.findall(text)}


def links(page: Path) -> list[str]:
    return LINK.findall(FENCE.sub("", page.read_text()))


@pytest.mark.parametrize("page", PAGES, ids=lambda page: page.relative_to(REPO).as_posix())
def test_every_relative_link_and_anchor_exists(page: Path) -> None:
    dead = []
    for target in links(page):
        if re.match(r"[a-z]+:", target):
            continue  # http(s), mailto: not checked offline
        path, _, anchor = target.partition("#")
        destination = (page.parent / path).resolve() if path else page
        if not destination.exists():
            dead.append(f"{target}: no such file")
        elif anchor and destination.suffix == ".md" and anchor not in anchors(destination):
            dead.append(f"{target}: no heading #{anchor} in {destination.name}")
    assert dead == []


def test_the_checker_finds_a_dead_anchor(tmp_path: Path) -> None:
    page = tmp_path / "page.md"
    page.write_text("# Title\n\n## When the store's front end gets in the way\n")
    assert "when-the-stores-front-end-gets-in-the-way" in anchors(page)
    assert "when-the-store-misbehaves" not in anchors(page)


def test_the_readme_fits_on_a_screen_and_links_every_docs_page() -> None:
    readme = (REPO / "README.md").read_text()
    assert len(readme.splitlines()) <= 250
    for name in DOC_PAGES:
        assert f"(docs/{name}.md)" in readme, name
        assert (REPO / "docs" / f"{name}.md").exists(), name


def test_the_hook_lists_name_every_hook() -> None:
    hooks = re.findall(r"^\s+- id: ([\w-]+)$", (REPO / ".pre-commit-config.yaml").read_text(), re.M)
    assert "project-drift" in hooks and "hub-drift" in hooks
    for page in (REPO / "README.md", REPO / "docs" / "development.md"):
        text = page.read_text()
        assert [hook for hook in hooks if f"`{hook}`" not in text] == [], page.name
