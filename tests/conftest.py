"""Fixtures: a sandbox store per test, and slices small enough for small stores; and the
order the suite runs in.

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


# The files that take longest (real Meltano, PostgreSQL and dbt), run first: CI runs files on
# two workers, a file on one, in the order collected; the longest started last left one worker
# running it alone for minutes while the other had nothing left.
LONGEST_FIRST = (
    "test_meltano_docs.py",
    "test_pipelines.py",
    "test_dbt.py",
    "test_secrets.py",
    "test_big_stores.py",
    "test_hub.py",
)


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    def rank(item: pytest.Item) -> int:
        name = item.path.name
        return LONGEST_FIRST.index(name) if name in LONGEST_FIRST else len(LONGEST_FIRST)

    items.sort(key=rank)  # stable: each file's tests keep their order
