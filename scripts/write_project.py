"""Write the tap-magento extractor's capabilities and settings into meltano.yml, from the tap.

    python scripts/write_project.py           # write meltano.yml
    python scripts/write_project.py --check   # exit 1 if meltano.yml differs

The settings are the Hub definition's (``scripts/write_hub.py``: ``--about``, the SDK's own
settings included), so ``meltano config set tap-magento flattening_enabled true`` stores a
boolean and ``TAP_MAGENTO_STREAM_MAPS`` reaches the tap. The rest of meltano.yml (the project,
the loaders, the extractor's config) is kept as it is. The file is written as Meltano writes it
(its YAML: no line wrapping, plain scalars where YAML allows them), so that ``meltano config
set`` changes the lines it sets and no others (``tests/test_meltano_docs.py`` checks).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml

sys.path.insert(0, str(Path(__file__).resolve().parent))
from write_hub import AUTHENTICATION, settings
from write_meta import about

REPO = Path(__file__).resolve().parent.parent
PROJECT_FILE = REPO / "meltano.yml"
HEADER = (
    "# A working Meltano project for tap-magento (docs/meltano.md). The extractor's capabilities\n"
    "# and settings are written by scripts/write_project.py from `tap-magento --about`: edit the\n"
    "# tap, not them. The loaders are defined in full, so `meltano install` needs only PyPI.\n"
)


# The order Meltano writes a plugin's and a setting's fields in.
PLUGIN_FIELDS = ("name", "namespace", "variant", "pip_url", "executable", "capabilities",
                 "settings_group_validation", "settings", "config", "select")  # fmt: skip
SETTING_FIELDS = ("name", "kind", "value", "label", "description", "sensitive", "options")


class _MeltanoDumper(yaml.SafeDumper):
    """YAML as Meltano's writer (ruamel.yaml) emits it: strings never folded, and a string
    that needs quotes and holds an apostrophe in double quotes."""

    def choose_scalar_style(self) -> str:
        style = super().choose_scalar_style()
        analysis = self.analysis
        if (
            style == "'"
            and not self.event.style
            and analysis.allow_double_quoted
            and ("'" in self.event.value or "\n" in self.event.value)
        ):
            return '"'
        return style


def render(project: dict[str, Any]) -> str:
    info = about()
    extractors = project["plugins"]["extractors"]
    index = next(i for i, p in enumerate(extractors) if p["name"] == "tap-magento")
    extractor = extractors[index] | {
        "capabilities": sorted(info["capabilities"]),
        "settings_group_validation": AUTHENTICATION,
        "settings": [_as_meltano_writes_it(setting) for setting in settings(info)],
    }
    extractors[index] = _ordered(extractor, PLUGIN_FIELDS)
    text = yaml.dump(
        project, Dumper=_MeltanoDumper, sort_keys=False, width=sys.maxsize, allow_unicode=True
    )
    return HEADER + text


def _as_meltano_writes_it(setting: dict[str, Any]) -> dict[str, Any]:
    """A Hub setting as Meltano keeps it in meltano.yml: a password is a sensitive string."""
    if setting["kind"] == "password":
        setting = {**setting, "kind": "string"}
    return _ordered(setting, SETTING_FIELDS)


def _ordered(entry: dict[str, Any], order: tuple[str, ...]) -> dict[str, Any]:
    known = {name: entry[name] for name in order if name in entry}
    return known | {name: value for name, value in entry.items() if name not in known}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="fail if the file differs")
    args = parser.parse_args(argv)
    current = PROJECT_FILE.read_text()
    text = render(yaml.safe_load(current))
    if args.check:
        if current != text:
            print(f"meltano.yml is out of date: run python {sys.argv[0]}.")
            return 1
        print("meltano.yml is up to date.")
        return 0
    PROJECT_FILE.write_text(text)
    print("Wrote meltano.yml")
    return 0


if __name__ == "__main__":
    sys.exit(main())
