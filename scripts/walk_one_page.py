"""Follow one page of orders from the SDK's sync loop to its records: calls, modules, layers.

    python scripts/walk_one_page.py

Syncs ``orders`` from the bundled sandbox store in this process, three pages of one order, with
``sys.setprofile`` watching every call into the tap and the SDK. One page is what happens from
the start of the second page's request to the start of the third's. The script prints the
distinct functions and modules that page passes through, how deep the stream classes go below
the SDK's ``Stream``, and the calls that cross between the three layers (streams, passes, the
front door), in order: a call down is a step down, its return the step back up; a call from a
lower layer into a higher one climbs back up. The SDK's calls into the stream for each record
(``post_process``, writing the RECORD) are the SDK's own loop, and not counted as crossings.
"""

from __future__ import annotations

import io
import sys
from collections.abc import Callable
from pathlib import Path
from types import FrameType
from typing import Any

from singer_sdk import Stream

from tap_magento.sandbox.auth import SandboxAuth
from tap_magento.sandbox.server import SandboxServer
from tap_magento.sandbox.store import SandboxStore, StoreSize
from tap_magento.tap import TapMagento

PACKAGE = str(Path(__file__).resolve().parent.parent / "tap_magento")
SDK = str(Path(sys.modules[Stream.__module__].__file__ or "").parent.parent)

# Which layer a module of the tap belongs to, old layout and new.
LAYERS = {
    "front_door": "front_door",
    "connection": "front_door",
    "auth": "front_door",
    "retry": "front_door",
    "diagnosis": "front_door",
    "errors": "front_door",
    "php_output": "front_door",
    "stopping": "front_door",
    "redaction": "front_door",
    "client": "streams",
    "families": "streams",
    "streams": "streams",
    "children": "streams",
    "deletion_detection": "streams",
    "sdk_internals": "streams",
    "passes": "passes",
}


def layer_of(filename: str) -> str | None:
    if filename.startswith(SDK) and "/singer_sdk/" in filename:
        return "sdk"
    if not filename.startswith(PACKAGE) or "/sandbox/" in filename:
        return None
    part = Path(filename).relative_to(PACKAGE).parts[0].removesuffix(".py")
    return LAYERS.get(part, "shared")


def module_of(filename: str) -> str:
    if "/singer_sdk/" in filename:
        return "singer_sdk/" + filename.split("/singer_sdk/", 1)[1]
    return "tap_magento/" + str(Path(filename).relative_to(PACKAGE))


class Watch:
    """Every call into the tap or the SDK, in the order made, with its caller's layer."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, str, str | None]] = []  # (module, function, caller layer)

    def __call__(self, frame: FrameType, event: str, arg: Any) -> Callable[..., Any] | None:
        if event != "call":
            return self
        code = frame.f_code
        qualified = getattr(code, "co_qualname", code.co_name)  # Python 3.11 and later
        if qualified == "Session.send" and code.co_filename.endswith("requests/sessions.py"):
            self.calls.append(("requests/sessions.py", "Session.send", None))
            return self
        layer = layer_of(code.co_filename)
        if layer is None:
            return self
        caller = frame.f_back
        caller_layer = layer_of(caller.f_code.co_filename) if caller else None
        name = getattr(code, "co_qualname", code.co_name)
        self.calls.append((module_of(code.co_filename), name, caller_layer))
        return self


def main() -> None:
    server = SandboxServer(SandboxStore(StoreSize(orders=3)), auth=SandboxAuth()).start()
    config = {"store_url": server.url, "access_token": server.auth.credentials.access_token,
              "page_size": 1, "max_parallel_requests": 1}  # fmt: skip
    try:
        tap = TapMagento(config=config)
        for name, stream in tap.streams.items():
            stream.selected = name == "orders"
        watch = Watch()
        stdout, sys.stdout = sys.stdout, io.TextIOWrapper(io.BytesIO())
        sys.setprofile(watch)
        try:
            tap.sync_all()
        finally:
            sys.setprofile(None)
            sys.stdout = stdout
    finally:
        server.stop()
    sends = [i for i, (module, name, _) in enumerate(watch.calls) if name == "Session.send"]
    page = watch.calls[sends[1] : sends[2]] if len(sends) > 2 else []
    # Work done before the page's request (building it) belongs to the page too.
    start = sends[1]
    while start > sends[0] and watch.calls[start - 1][1] not in {"PassReader.records"}:
        start -= 1
    page = watch.calls[start : sends[2]]
    functions = {(m, name) for m, name, _ in page if m.startswith(("tap_", "singer_"))}
    modules = {module for module, _ in functions}
    ours = {m for m in modules if m.startswith("tap_magento/")}
    tap_functions = [f for f in functions if f[0].startswith("tap_magento/")]
    print(
        f"one page: {len(functions)} distinct functions in {len(modules)} modules; the tap's "
        f"own: {len(tap_functions)} functions in {len(ours)} modules"
    )
    crossings: list[str] = []
    upward = 0
    rank = {"streams": 0, "passes": 1, "front_door": 2}
    for module, function, caller in page:
        path = str(Path(PACKAGE).parent / module)
        callee = layer_of(path) if module.startswith("tap_") else "sdk"
        if caller in rank and callee in rank and caller != callee:
            step = f"{caller} -> {callee}"
            if "-v" in sys.argv:
                print(f"    {step}: {module} {function}")
            upward += rank[callee] < rank[caller]
            if not crossings or crossings[-1] != step:
                crossings.append(step)
    print(f"calls between streams, passes and the front door, in order: {', '.join(crossings)}")
    print(f"calls from a lower layer back up into a higher one: {upward}")
    depth = max(_depth(type(s)) for s in tap.streams.values())
    print(f"deepest stream class: {depth} levels below singer_sdk.Stream")
    for module in sorted(ours):
        print(f"  {module}")


def _depth(cls: type) -> int:
    """The longest chain of base classes from ``cls`` down to the SDK's ``Stream``."""
    if cls is Stream:
        return 0
    chains = [_depth(base) for base in cls.__bases__ if issubclass(base, Stream)]
    return 1 + max(chains) if chains else 0


if __name__ == "__main__":
    main()
