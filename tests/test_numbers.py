"""Numbers stay exact from the store's JSON to the RECORD: Magento's prices are decimals.

An answer is decoded with floats when every number in it has at most 15 significant digits
(a float gives those back exactly), and with Decimals when it holds a longer one. Either way
the RECORD holds the store's value, not a float's approximation of it.
"""

from __future__ import annotations

import contextlib
import decimal
import gc
import json
from pathlib import Path

import msgspec
import pytest

from tap_magento.passes.decoding import decoded
from tap_magento.sandbox.server import Fault, SandboxServer
from tests.support import bearer_config, catalog_selecting, run_tap

ORDER = (
    '{"entity_id": 1, "increment_id": "000000001", "updated_at": "2026-01-01 00:00:00", '
    '"base_grand_total": %s, "base_to_global_rate": %s, "grand_total": %s}'
)


def _emitted_order(server: SandboxServer, tmp_path: Path, values: tuple[str, str, str]) -> str:
    page = '{"items": [' + ORDER % values + '], "total_count": 1}'
    server.faults.add(Fault(path="/V1/orders", status=200, body=page, times=None))
    config = bearer_config(server, max_parallel_requests=1, start_date="2020-01-01T00:00:00Z")
    done = run_tap(tmp_path, config, "--catalog", catalog_selecting(server, tmp_path, "orders"))
    assert done.returncode == 0, done.stderr
    (line,) = [
        line
        for line in done.stdout.splitlines()
        if line.startswith('{"type":"RECORD"') and '"stream":"orders"' in line
    ]
    return line


@pytest.mark.parametrize(
    "values",
    [
        ("1234567890.123456789", "1.2345678901234567", "0.1"),  # decoded with Decimals
        ("12.3400", "0.1", "99999999999.9999"),  # decoded with floats
    ],
    ids=["long-numbers", "short-numbers"],
)
def test_every_number_reaches_the_record_with_the_stores_value(
    server: SandboxServer, tmp_path: Path, values: tuple[str, str, str]
) -> None:
    record = json.loads(_emitted_order(server, tmp_path, values), parse_float=decimal.Decimal)
    emitted = tuple(
        record["record"][name]
        for name in ("base_grand_total", "base_to_global_rate", "grand_total")
    )
    assert emitted == tuple(decimal.Decimal(value) for value in values)


def test_a_long_number_is_written_digit_for_digit(server: SandboxServer, tmp_path: Path) -> None:
    line = _emitted_order(server, tmp_path, ("1234567890.123456789", "1.5", "2.5"))
    assert '"base_grand_total":1234567890.123456789' in line


@pytest.mark.parametrize(
    ("text", "exact"),
    [
        (b'{"a": 0.1, "b": "SKU-1"}', False),
        (b'{"a": 123456789012345.6}', True),  # 16 digits and a point
        (b'{"a": 0.1, "phone": "00491511234567890"}', True),  # a long string: Decimals too
    ],
)
def test_an_answer_with_a_long_run_of_digits_is_decoded_with_decimals(
    text: bytes, exact: bool
) -> None:
    body = decoded(text)
    assert isinstance(body["a"], decimal.Decimal) is exact


@pytest.mark.parametrize("text", [b'{"items": [{"a": 1.5}]}', b'{"items": [{"a": 1.5'])
def test_decoding_leaves_the_garbage_collector_as_it_found_it(text: bytes) -> None:
    # The collector is off while a page is decoded: left off, a sync of hours would keep
    # every reference cycle it makes (a retry's traceback) to the end.
    assert gc.isenabled()
    with contextlib.suppress(msgspec.DecodeError):
        decoded(text)
    assert gc.isenabled()
