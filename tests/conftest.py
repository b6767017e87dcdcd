"""Fixtures only: a sandbox store per test, and slices small enough for small stores.

What tests share besides fixtures lives in ``tests/support.py``.
"""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from tap_magento.passes import parallel
from tap_magento.sandbox.server import SandboxServer
from tests.support import make_server


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passes read in parallel (the default) cut into slices of two pages at most, so that the
    small stores of the tests are read in several slices too. (In-process runs only.)"""
    monkeypatch.setattr(parallel, "MAX_SLICE_PAGES", 2)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with make_server() as running:
        yield running
