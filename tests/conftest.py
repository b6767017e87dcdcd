"""Fixtures only: a sandbox store per test, and retries that wait a hundredth of real time.

What tests share besides fixtures lives in ``tests/support.py``.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace

import pytest

from tap_magento import retry
from tap_magento.passes import parallel
from tap_magento.sandbox.server import SandboxServer
from tests.support import make_server

# Retries in tests wait a hundredth of the real schedule (retry.RULES); a store's own
# Retry-After is still obeyed to the second. The real schedule is checked in test_retries.
TEST_WAIT_SCALE = 0.01


@pytest.fixture(autouse=True)
def quick_retries(monkeypatch: pytest.MonkeyPatch) -> None:
    scaled = {
        cause: replace(rule, first_wait=rule.first_wait * TEST_WAIT_SCALE,
                       max_wait=rule.max_wait * TEST_WAIT_SCALE)
        for cause, rule in retry.RULES.items()
    }  # fmt: skip
    monkeypatch.setattr(retry, "RULES", scaled)


@pytest.fixture(autouse=True)
def small_slices(monkeypatch: pytest.MonkeyPatch) -> None:
    """Passes read in parallel (the default) cut into slices of two pages at most, so that the
    small stores of the tests are read in several slices too. (In-process runs only.)"""
    monkeypatch.setattr(parallel, "MAX_SLICE_PAGES", 2)


@pytest.fixture
def server() -> Iterator[SandboxServer]:
    with make_server() as running:
        yield running
