"""The three layers stay apart: ``streams/`` declares, ``passes/`` reads, ``front_door/`` asks.

Every import of the package is read from its source (those inside functions and
``TYPE_CHECKING`` blocks included), and an import that points up a layer fails here.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import pytest
from singer_sdk import Stream

from tap_magento.streams import STREAM_TYPES
from tap_magento.tap import TapMagento

PACKAGE = Path(__file__).resolve().parent.parent / "tap_magento"
# Modules below every layer: values and helpers any layer may use; they use no layer.
SHARED = {
    "choices",
    "custom_attributes",
    "deletions",
    "input_errors",
    "progress",
    "run_window",
    "schemas",
    "sdk_internals",
    "search_criteria",
    "timestamps",
}
# What each layer may import from the package (besides itself).
ALLOWED = {
    "front_door": {"shared"},
    "passes": {"front_door", "shared"},
    "streams": {"passes", "front_door", "shared"},
    "shared": {"shared"},
    "sandbox": {"shared"},
    "command line": {"streams", "passes", "front_door", "shared", "sandbox"},
}
# Outside imports a layer must not make.
FORBIDDEN_OUTSIDE = {
    "front_door": ("singer_sdk.streams", "singer_sdk.RESTStream"),
    "passes": ("singer_sdk.streams", "singer_sdk.RESTStream", "requests"),
    "streams": ("requests", "singer_sdk.streams.rest", "singer_sdk.RESTStream"),
}


def layer_of(module: str) -> str:
    """``tap_magento.front_door.client`` -> ``front_door``."""
    parts = module.split(".")[1:]
    if not parts or parts[0] in {"tap", "settings", "inputs", "availability", "target_pipe"}:
        return "command line"
    if parts[0] in {"__main__", "__init__"}:
        return "command line"
    if parts[0] in {"front_door", "passes", "streams", "sandbox"}:
        return parts[0]
    assert parts[0] in SHARED, f"tap_magento.{parts[0]} belongs to no layer: add it to one"
    return "shared"


def module_name(path: Path) -> str:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
    return ".".join(parts)


def imports_of(path: Path, package: str | None = None) -> list[str]:
    """Every module ``path`` imports, absolute (``from . import x`` resolved against the
    module's package)."""
    tree = ast.parse(path.read_text())
    if package is None:
        package = module_name(path) if path.name == "__init__.py" else module_name(path.parent)
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                base = ".".join(package.split(".")[: len(package.split(".")) - node.level + 1])
                base = f"{base}.{node.module}" if node.module else base
            found.append(base)
            found += [f"{base}.{alias.name}" for alias in node.names]
    return found


SOURCES = sorted(PACKAGE.rglob("*.py"))


def _crossings() -> list[str]:
    wrong = []
    for path in SOURCES:
        importer = module_name(path)
        layer = layer_of(importer)
        for imported in imports_of(path):
            for forbidden in FORBIDDEN_OUTSIDE.get(layer, ()):
                if imported == forbidden or imported.startswith(f"{forbidden}."):
                    wrong.append(f"{importer} ({layer}) imports {imported}")
            if not imported.startswith("tap_magento.") or imported == "tap_magento.schemas":
                continue
            target = layer_of(imported)
            if target != layer and target not in ALLOWED[layer]:
                wrong.append(f"{importer} ({layer}) imports {imported} ({target})")
    return wrong


def test_no_import_crosses_a_layer_upward() -> None:
    assert _crossings() == []


@pytest.mark.parametrize(
    ("importer", "imported", "layer"),
    [
        ("tap_magento.front_door.client", "tap_magento.passes.spec", "front_door"),
        ("tap_magento.front_door.client", "tap_magento.streams.lists", "front_door"),
        ("tap_magento.passes.reader", "tap_magento.streams.base", "passes"),
        ("tap_magento.streams.lists", "tap_magento.tap", "streams"),
        ("tap_magento.timestamps", "tap_magento.front_door.errors", "shared"),
    ],
)
def test_the_check_catches_an_upward_import(importer: str, imported: str, layer: str) -> None:
    # The rule the test applies, on imports the package must never have.
    assert layer_of(importer) == layer
    target = layer_of(imported)
    assert target != layer and target not in ALLOWED[layer]


def test_the_check_reads_imports_inside_functions_and_type_checking_blocks(
    tmp_path: Path,
) -> None:
    source = tmp_path / "example.py"
    source.write_text(
        "from typing import TYPE_CHECKING\n"
        "if TYPE_CHECKING:\n"
        "    from tap_magento.streams.base import MagentoStream\n"
        "def later():\n"
        "    import tap_magento.tap\n"
    )
    found = imports_of(source, package="tap_magento")
    assert "tap_magento.streams.base" in found and "tap_magento.tap" in found


def test_the_front_door_exposes_one_client() -> None:
    from tap_magento.front_door.client import StoreClient

    public = {name for name in vars(StoreClient) if not name.startswith("_")}
    assert public == {"ask", "clock", "stop"}


def _depth(cls: type) -> int:
    """The longest chain of base classes from ``cls`` down to the SDK's ``Stream``."""
    if cls is Stream:
        return 0
    return 1 + max(_depth(base) for base in cls.__bases__ if issubclass(base, Stream))


def test_no_stream_class_is_more_than_three_levels_below_the_sdks() -> None:
    depths = {stream_type.__name__: _depth(stream_type) for stream_type in STREAM_TYPES}
    assert max(depths.values()) <= 3, depths
    assert len(depths) == 67


def test_child_streams_inherit_no_transport() -> None:
    tap = TapMagento(config=bearer_config_for_discovery())
    for stream in tap.streams.values():
        assert not hasattr(stream, "requests_session") and not hasattr(stream, "url_base")


def bearer_config_for_discovery() -> dict[str, object]:
    # A store that is never asked: discovery builds the streams only.
    return {"store_url": "https://shop.example.com", "access_token": "t"}


def test_stream_kinds_are_told_apart_in_one_module() -> None:
    places = []
    for path in SOURCES:
        for node in ast.walk(ast.parse(path.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Name)
                and node.func.id == "isinstance"
                and len(node.args) == 2
                and re.search(r"\w*Stream\b", ast.unparse(node.args[1]))
            ):
                places.append(str(path.relative_to(PACKAGE)))
    assert set(places) == {"streams/kinds.py"}


def test_fmt_skip_is_rare_in_the_package() -> None:
    skips = sum(path.read_text().count("# fmt: skip") for path in SOURCES)
    assert skips < 20
