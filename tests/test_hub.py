"""Our Meltano Hub definition (hub/extractors/tap-magento.yml): valid by the Hub's own schemas,
in step with ``--about``, and accepted by real Meltano, which installs the tap from it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml
from jsonschema import Draft7Validator
from referencing import Registry, Resource

from tests.documented import CLONE, run_block, shell_blocks
from tests.pipelines import MELTANO_ENV, REPO, meltano_executable

HUB_FILE = REPO / "hub" / "extractors" / "tap-magento.yml"
# The SDK's settings, declared with their kinds so Meltano passes them typed (issue 30); an
# object the SDK describes field by field as its dotted leaves, as the Hub's SDK taps do.
SDK_SETTING_KINDS = {
    "flattening_enabled": "boolean",
    "flattening_max_depth": "integer",
    "flattening_max_key_length": "integer",
    "flattening_separator": "string",
    "stream_maps": "object",
    "stream_map_config": "object",
    "batch_config.encoding.format": "options",
    "batch_config.encoding.compression": "options",
    "batch_config.storage.root": "string",
    "batch_config.storage.prefix": "string",
    "faker_config.seed": "string",
    "faker_config.locale": "string",
}
SCHEMAS = REPO / "reference" / "meltano-hub-schemas"


def _definition() -> dict[str, Any]:
    return yaml.safe_load(HUB_FILE.read_text())  # type: ignore[no-any-return]


def _about() -> dict[str, Any]:
    done = subprocess.run([sys.executable, "-m", "tap_magento", "--about", "--format=json"],
                          capture_output=True, text=True, check=True)  # fmt: skip
    return json.loads(done.stdout)  # type: ignore[no-any-return]


def _validator() -> Draft7Validator:
    """The Hub's extractor schema, its ``$ref``s resolved to the vendored files."""
    resources = []
    for path in SCHEMAS.rglob("*.schema.json"):
        resource = Resource.from_contents(json.loads(path.read_text()))
        relative = path.relative_to(SCHEMAS).as_posix()
        # Each file under its $id, its path, and the path a ``../common/`` reference from
        # ``plugin_definitions/`` resolves to.
        for uri in {relative, path.name, f"../{relative}", f"../common/{path.name}"}:
            resources.append((uri, resource))
    registry: Registry = Registry().with_resources(resources)
    schema = json.loads((SCHEMAS / "plugin_definitions" / "extractors.schema.json").read_text())
    return Draft7Validator(schema, registry=registry)


def test_the_hub_definition_validates_against_the_hub_s_schemas() -> None:
    errors = [
        f"{list(e.absolute_path)}: {e.message}" for e in _validator().iter_errors(_definition())
    ]
    assert errors == []


def test_the_validator_refuses_what_the_hub_would() -> None:
    # A broken definition must fail, or the test above proves nothing.
    broken = {**_definition(), "quality": "platinum", "capabilities": ["teleport"]}
    broken["settings"] = [*broken["settings"], {"name": "x", "kind": "secret"}]
    messages = " ".join(e.message for e in _validator().iter_errors(broken))
    assert "'platinum' is not one of" in messages
    assert "'teleport' is not one of" in messages
    assert "'secret' is not one of" in messages


def test_the_hub_definition_is_in_step_with_about() -> None:
    done = subprocess.run([sys.executable, str(REPO / "scripts" / "write_hub.py"), "--check"],
                          capture_output=True, text=True, check=False)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    about, hub = _about(), _definition()
    assert sorted(hub["capabilities"]) == sorted(about["capabilities"])
    settings = {s["name"]: s for s in hub["settings"]}
    tap_settings = json.loads((REPO / "meta.json").read_text())["settings"]
    assert set(settings) == {s["name"] for s in tap_settings} | set(SDK_SETTING_KINDS)
    assert {name: settings[name]["kind"] for name in SDK_SETTING_KINDS} == SDK_SETTING_KINDS
    for setting in tap_settings:
        hub_setting = settings[setting["name"]]
        assert hub_setting["label"] and hub_setting["description"] == setting["description"]
        if setting["secret"]:
            assert hub_setting["kind"] == "password" and hub_setting["sensitive"] is True
    assert settings["start_date"]["kind"] == "date_iso8601"
    assert settings["deletions_as"]["kind"] == "options"
    # One group per way to authenticate, each with store_url.
    groups = hub["settings_group_validation"]
    assert len(groups) == 4 and all("store_url" in group for group in groups)
    assert ["store_url", "access_token"] in groups


@pytest.mark.slow
def test_the_new_project_commands_add_one_extractor_whose_test_passes(tmp_path: Path) -> None:
    """docs/meltano.md's "A new Meltano project", run as written in an empty folder."""
    (block,) = [b for b in shell_blocks("meltano") if b.text.startswith("meltano init")]
    # The definition as the docs give it, but installing this checkout: no network here.
    local = tmp_path / "definition" / "hub" / "extractors" / "tap-magento.yml"
    local.parent.mkdir(parents=True)
    local.write_text(yaml.safe_dump(_definition() | {"pip_url": f"-e {REPO}"}))
    meltano = Path(meltano_executable()).parent
    env = {**MELTANO_ENV, "PATH": f"{meltano}:/usr/bin:/bin"}
    done = run_block(block, tmp_path, env, {CLONE: str(tmp_path / "definition")}, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert "may read 47 of 47 streams" in done.stdout + done.stderr  # invoke --test passed

    project = tmp_path / "my-project"
    plugins = yaml.safe_load((project / "meltano.yml").read_text())["plugins"]
    named = [(kind, p["name"]) for kind, listed in plugins.items() for p in listed]
    assert named == [("extractors", "tap-magento")]  # one plugin: no utility beside it
    listed = subprocess.run(
        [str(meltano / "meltano"), "config", "list", "tap-magento", "--all"],
        cwd=project, capture_output=True, text=True, timeout=300, check=False,
        env={**os.environ, **env},
    )  # fmt: skip
    assert listed.returncode == 0, listed.stderr[-3000:]
    for setting in _definition()["settings"]:
        assert setting["name"] in listed.stdout, setting["name"]
