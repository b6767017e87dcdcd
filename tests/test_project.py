"""Generated files stay in step with their sources: schemas, meta.json, the README settings."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


def _run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, *args], capture_output=True, text=True, cwd=REPO, check=False
    )


def test_committed_schemas_match_the_official_openapi() -> None:
    """From the compressed reference in the repository: nothing outside it is needed."""
    done = _run("scripts/generate_schemas.py", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_meta_json_matches_what_about_says() -> None:
    done = _run("scripts/write_meta.py", "--check")
    assert done.returncode == 0, done.stdout + done.stderr


def test_readme_settings_table_is_the_about_markdown() -> None:
    about = _run("-m", "tap_magento", "--about", "--format=markdown").stdout
    table = about[about.index("| Setting |") :].split("\n\n")[0].strip()
    assert table in (REPO / "README.md").read_text()


def test_readme_names_every_stream() -> None:
    import json

    readme = (REPO / "README.md").read_text()
    reference = (REPO / "docs" / "streams.md").read_text()
    for stream in json.loads((REPO / "meta.json").read_text())["streams"]:
        assert f"`{stream['name']}`" in readme, stream["name"]  # the list in brief
        assert f"| {stream['name']} |" in reference, stream["name"]  # a row of the tables


def test_meltano_yml_declares_every_setting_as_the_hub_definition_does() -> None:
    import yaml

    done = _run("scripts/write_project.py", "--check")
    assert done.returncode == 0, done.stdout + done.stderr
    hub = yaml.safe_load((REPO / "hub" / "extractors" / "tap-magento.yml").read_text())
    project = yaml.safe_load((REPO / "meltano.yml").read_text())
    extractor = next(p for p in project["plugins"]["extractors"] if p["name"] == "tap-magento")
    assert extractor["pip_url"] == "-e ."  # the project installs the checkout it lives in
    assert extractor["capabilities"] == hub["capabilities"]
    assert extractor["settings_group_validation"] == hub["settings_group_validation"]
    # Meltano keeps a secret as a sensitive string; everything else as the Hub has it.
    as_hub = [s | {"kind": "password"} if s.get("sensitive") else s for s in extractor["settings"]]
    assert as_hub == hub["settings"]
    kinds = {s["name"]: s["kind"] for s in extractor["settings"]}
    assert kinds["flattening_enabled"] == "boolean" and kinds["stream_maps"] == "object"
    assert kinds["batch_config.encoding.format"] == "options"


def test_every_test_docs_magento_rest_cites_exists() -> None:
    """docs/magento-rest.md names the test pinning each behaviour; a renamed test breaks it."""
    import re

    doc = (REPO / "docs" / "magento-rest.md").read_text()
    cited = re.findall(r"`(test_\w+\.py)(?:::(test_\w+))?`", doc)
    assert len(cited) > 30
    for module, name in cited:
        source = (REPO / "tests" / module).read_text()
        assert not name or f"def {name}(" in source, f"{module}::{name}"


def test_no_two_installed_distributions_provide_the_same_module() -> None:
    """One clean install: e.g. the ``backoff`` distribution beside singer-sdk's python-backoff
    would overwrite the ``backoff`` module, whichever was installed last."""
    from collections import defaultdict
    from importlib import metadata

    providers: dict[str, set[str]] = defaultdict(set)
    for distribution in metadata.distributions():
        for file in distribution.files or []:
            top = file.parts[0] if file.parts else ""
            if len(file.parts) == 1 and top.endswith(".py"):
                providers[top.removesuffix(".py")].add(distribution.metadata["Name"])
            elif (
                len(file.parts) > 1
                and not top.endswith((".dist-info", ".data"))
                and top
                not in {
                    "..",
                    "__pycache__",
                }
            ):
                providers[top].add(distribution.metadata["Name"])
    assert {module: names for module, names in providers.items() if len(names) > 1} == {}
