"""Write meta.json, the tap's machine-readable description, from what the tap itself reports.

    python scripts/write_meta.py           # write meta.json
    python scripts/write_meta.py --check   # exit 1 if meta.json differs

Settings and capabilities come from ``tap-magento --about --format=json``; streams (endpoint,
keys, replication) from the tap's stream classes.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
META = REPO / "meta.json"

# JSON schema type (or format) -> Meltano setting kind
KINDS = {"string": "string", "integer": "integer", "number": "decimal", "boolean": "boolean",
         "array": "array", "object": "object", "date-time": "date_iso8601"}  # fmt: skip
CONSTRAINTS = ("minimum", "maximum", "exclusiveMinimum", "minLength", "pattern", "minItems",
               "uniqueItems")  # fmt: skip
# Settings every SDK tap has; their own docs live with the SDK.
SDK_SETTINGS = {"stream_maps", "stream_map_config", "faker_config", "flattening_enabled",
                "flattening_max_depth", "flattening_max_key_length", "flattening_separator",
                "batch_config"}  # fmt: skip


def about() -> dict[str, Any]:
    out = subprocess.run(
        [sys.executable, "-m", "tap_magento", "--about", "--format=json"],
        capture_output=True, text=True, check=True,
    )  # fmt: skip
    return json.loads(out.stdout)  # type: ignore[no-any-return]


def setting(name: str, spec: dict[str, Any], required: set[str]) -> dict[str, Any]:
    types = [t for t in spec.get("type", ["string"]) if t != "null"]
    kind = KINDS[spec.get("format", types[0]) if spec.get("format") in KINDS else types[0]]
    entry = {
        "name": name,
        "kind": kind,
        "required": name in required,
        "secret": bool(spec.get("secret")),
        "description": spec.get("description", ""),
    }
    if "default" in spec:
        entry["default"] = spec["default"]
    # What the setting's JSON schema allows beyond its type (a value outside is refused).
    constraints = {k: spec[k] for k in CONSTRAINTS if k in spec}
    if "pattern" in spec.get("items", {}):
        constraints["items_pattern"] = spec["items"]["pattern"]
    if constraints:
        entry["constraints"] = constraints
    return entry


def streams() -> list[dict[str, Any]]:
    from tap_magento.streams import kinds
    from tap_magento.tap import TapMagento

    tap = TapMagento(config={"store_url": "https://shop.example.com"}, validate_config=False)
    described = []
    for stream in tap.streams.values():
        entry: dict[str, Any] = {"name": stream.name}
        if (child := kinds.child(stream)) is not None:
            lists = ", ".join(".".join(path) for path in child.lists)
            entry |= {"parent": child.parent_name, "rows_from": lists}
        else:
            entry["endpoint"] = f"GET {getattr(stream, 'path', '')}"
        entry |= {
            "primary_keys": list(stream.primary_keys or []),
            "replication_method": stream.replication_method,
            "replication_key": stream.replication_key,
        }
        described.append(entry)
    return described


def describe() -> dict[str, Any]:
    info = about()
    settings = info["settings"]
    required = set(settings.get("required", []))
    return {
        "name": info["name"],
        "description": info["description"],
        "capabilities": info["capabilities"],
        "settings": [
            setting(name, spec, required)
            for name, spec in settings["properties"].items()
            if name not in SDK_SETTINGS
        ],
        "streams": streams(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = json.dumps(describe(), indent=2) + "\n"
    if args.check:
        if not META.exists() or META.read_text() != text:
            print("meta.json is out of date: run python scripts/write_meta.py")
            return 1
        return 0
    META.write_text(text)
    print(f"Wrote {META}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
