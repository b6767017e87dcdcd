"""Releases: one version, a tag that must agree with it, a CHANGELOG section for it, and a
workflow that pins its actions and asks for no more permissions than each job needs."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import yaml

REPO = Path(__file__).resolve().parent.parent
SCRIPT = REPO / "scripts" / "check_release.py"
WORKFLOW = REPO / ".github" / "workflows" / "release.yml"


def _check(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True, text=True,
                          check=False)  # fmt: skip


def _version() -> str:
    found = re.search(r'^version = "([^"]+)"$', (REPO / "pyproject.toml").read_text(), re.M)
    assert found is not None
    return found.group(1)


def test_a_tag_must_agree_with_the_version_and_a_dated_changelog_section() -> None:
    version = _version()
    wrong = _check("--tag", "v99.0.0")
    assert wrong.returncode == 1
    assert f"the tag v99.0.0 is not v{version}" in wrong.stderr
    changelog = (REPO / "CHANGELOG.md").read_text()
    dated = re.search(rf"^## \[{re.escape(version)}\] - \d{{4}}-\d{{2}}-\d{{2}}$", changelog, re.M)
    right = _check("--tag", f"v{version}")
    if dated:
        assert right.returncode == 0, right.stderr
    else:  # not released yet: tagging it now is refused until the section has its date
        assert right.returncode == 1
        assert f"## [{version}] has no release date" in right.stderr


def test_the_changelog_has_the_version_s_section_as_release_notes() -> None:
    changelog = (REPO / "CHANGELOG.md").read_text()
    releases = re.findall(
        r"^## \[(\d+\.\d+\.\d+)\] - (\d{4}-\d{2}-\d{2}|unreleased)$", changelog, re.M
    )
    assert releases and releases[0][0] == _version()  # the newest section is this version
    assert "## [Unreleased]" in changelog
    notes = _check("--notes")
    assert notes.returncode == 0 and "### Added" in notes.stdout
    assert "## [" not in notes.stdout  # that section alone


def test_the_tap_reports_the_one_version() -> None:
    done = subprocess.run([sys.executable, "-m", "tap_magento", "--version"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    assert f"tap-magento v{_version()}" in done.stdout + done.stderr


def test_the_release_workflow_pins_its_actions_and_limits_permissions() -> None:
    workflow = yaml.safe_load(WORKFLOW.read_text())
    assert workflow["permissions"] == {}
    for name, job in workflow["jobs"].items():
        assert "permissions" in job, name
        for step in job["steps"]:
            if "uses" in step:
                assert re.fullmatch(r"[\w./-]+@[0-9a-f]{40}", step["uses"]), step["uses"]
    jobs = workflow["jobs"]
    assert jobs["publish"]["permissions"] == {"id-token": "write"}  # trusted publishing
    assert "secrets." not in WORKFLOW.read_text()
    assert jobs["github-release"]["permissions"] == {"contents": "write"}
    assert jobs["build"]["permissions"] == {"contents": "read"}
    steps = " ".join(str(step.get("run", "")) for step in jobs["build"]["steps"])
    assert "check_release.py --tag" in steps and ".ci/release-build" in steps
