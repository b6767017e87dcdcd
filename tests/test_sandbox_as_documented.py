"""The sandbox store as a newcomer meets it through the README and docs/: the four ways in as
written, records the official schema declares, filters that find what the records say."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from tap_magento.sandbox.server import SandboxServer
from tap_magento.schemas import __file__ as schemas_init
from tests.support import STREAMS, SyncResult, bearer_config, run_cli, sync, write_json

REPO = Path(__file__).resolve().parent.parent
SCHEMAS = Path(schemas_init).parent
JSON_BLOCK = re.compile(r"^ *```json\n(.*?)^ *```", re.M | re.S)


def json_blocks(page: Path) -> list[Any]:
    """The JSON code blocks of a page, parsed (a page's examples are meant to be copied)."""
    return [json.loads(block) for block in JSON_BLOCK.findall(page.read_text())]


def readme_configs() -> list[dict[str, Any]]:
    """The README's example configs, one per way to authenticate."""
    return [b for b in json_blocks(REPO / "README.md") if isinstance(b, dict) and "store_url" in b]


def undeclared(value: Any, schema: dict[str, Any], path: str = "") -> list[str]:
    """Paths in ``value`` that ``schema`` declares no property for."""
    if isinstance(value, dict) and "properties" in schema:
        found = []
        for name, inner in value.items():
            if name not in schema["properties"]:
                found.append(f"{path}.{name}")
            else:
                found += undeclared(inner, schema["properties"][name], f"{path}.{name}")
        return found
    if isinstance(value, list):
        return [p for item in value for p in undeclared(item, schema.get("items", {}), path)]
    return []


def test_the_readme_shows_each_of_the_four_ways_in() -> None:
    ways = [
        {"consumer_key", "consumer_secret", "access_token", "access_token_secret"},
        {"access_token"},
        {"username", "password"},
        {"username", "password", "totp_secret"},  # an admin with two-factor authentication
        {"ims_client_id", "ims_client_secret", "ims_org_id"},
    ]
    given = [set(c) - {"store_url", "start_date"} for c in readme_configs()]
    assert given == ways


@pytest.mark.parametrize(
    "config", readme_configs(), ids=["oauth", "bearer", "admin", "admin-2fa", "ims"]
)
def test_each_readme_config_reads_the_sandbox_as_written(tmp_path: Path, config) -> None:
    # The README's config, placeholders and all, with store_url: sandbox.
    done = run_cli(
        "--config", write_json(tmp_path, "config.json", {**config, "store_url": "sandbox"})
    )
    assert done.returncode == 0, done.stderr[-3000:]
    problems = [
        line for line in done.stderr.splitlines() if "| WARNING" in line or "| ERROR" in line
    ]
    assert problems == []
    records = SyncResult.parse(done.stdout).records
    assert len(records["orders"]) == 500 and len(records["customers"]) == 150
    assert "start_date" not in config or all(
        o["updated_at"] >= config["start_date"].replace("Z", "+00:00") for o in records["orders"]
    )


# What the tap's schemas leave out of the official one: a gift wrapping's image itself.
LEFT_OUT = {"gift_wrappings": {".image_base64_content"}}


def test_every_sandbox_record_is_declared_by_the_official_schema(server: SandboxServer) -> None:
    found = {}
    for stream in STREAMS:
        schema = json.loads((SCHEMAS / f"{stream}.json").read_text())
        paths = {p for record in server.store.records(stream) for p in undeclared(record, schema)}
        paths -= LEFT_OUT.get(stream, set())
        if paths:
            found[stream] = sorted(paths)
    assert found == {}


def test_the_checker_finds_a_field_the_schema_lacks() -> None:
    schema = {"properties": {"items": {"type": "array", "items": {"properties": {"sku": {}}}}}}
    assert undeclared({"items": [{"sku": "a", "created_at": "x"}]}, schema) == [".items.created_at"]


def test_the_documented_stream_filters_find_some_records_and_only_matching_ones(
    server: SandboxServer,
) -> None:
    (example,) = [b for b in json_blocks(REPO / "docs" / "choosing.md") if "stream_filters" in b]
    filters = example["stream_filters"]
    result = sync(bearer_config(server, stream_filters=filters), streams=list(filters))
    for stream, conditions in filters.items():
        wanted = [r for r in server.store.records(stream) if all(_holds(r, c) for c in conditions)]
        assert 0 < len(wanted) < len(server.store.records(stream)), stream
        assert len(result.records[stream]) == len(wanted), stream
        assert all(all(_holds(r, c) for c in conditions) for r in result.records[stream]), stream


def _holds(record: dict[str, Any], condition: dict[str, Any]) -> bool:
    """An eq or in condition, as Magento applies it (values compared as text)."""
    value = str(record[condition["field"]])
    wanted = condition["value"]
    if condition.get("condition_type", "eq") == "in":
        return value in {str(v) for v in wanted}
    return value == str(wanted)
