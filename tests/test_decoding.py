"""A page is split into its records' JSON; what the pass reads of each is decoded at once, the
rest only when the record is emitted, and nothing of the store's answer is lost on the way."""

from __future__ import annotations

import decimal
import json

import pytest
from singer_sdk.exceptions import FatalAPIError

from tap_magento.passes.decoding import PageDecoder

ORDERS = [
    {
        "entity_id": 7,
        "updated_at": "2026-01-02 03:04:05",
        "items": [{"sku": "A", "price": 1.5, "extension_attributes": {"x": [1, None]}}],
        "customer_note": 'quote " and ] inside',
    },
    {"entity_id": 9, "updated_at": "2026-01-02 03:04:06", "grand_total": 12.34},
]


def _page_json(items: object, **rest: object) -> bytes:
    return json.dumps({"items": items, "search_criteria": {"page_size": 2}, **rest}).encode()


def test_the_index_holds_only_the_fields_the_pass_reads_and_each_record_decodes_whole() -> None:
    decoder = PageDecoder(["entity_id", "updated_at"], "/V1/orders")
    page = decoder.page(_page_json(ORDERS, total_count=40))
    assert page.records == [
        {"entity_id": 7, "updated_at": "2026-01-02 03:04:05"},
        {"entity_id": 9, "updated_at": "2026-01-02 03:04:06"},
    ]
    assert page.total_count == 40
    assert [page.record(position) for position in range(2)] == ORDERS
    assert page.json(1).decoded() == ORDERS[1]


def test_a_field_a_record_lacks_is_left_out_of_its_index() -> None:
    page = PageDecoder(["entity_id", "increment_id"], "/V1/orders").page(_page_json(ORDERS))
    assert page.records == [{"entity_id": 7}, {"entity_id": 9}]
    assert page.total_count is None


def test_a_page_with_a_long_number_decodes_its_records_and_index_exactly() -> None:
    text = (
        b'{"items": [{"entity_id": 1, "rate": 1.2345678901234567, "updated_at": "x"}], '
        b'"total_count": 1}'
    )
    page = PageDecoder(["entity_id", "rate"], "/V1/orders").page(text)
    assert page.records == [{"entity_id": 1, "rate": decimal.Decimal("1.2345678901234567")}]
    assert page.record(0)["rate"] == decimal.Decimal("1.2345678901234567")


@pytest.mark.parametrize("items", [None, []])
def test_a_page_without_records_is_empty(items: object) -> None:
    page = PageDecoder(["entity_id"], "/V1/orders").page(_page_json(items, total_count=0))
    assert page.records == [] and page.texts == []


@pytest.mark.parametrize(
    ("text", "said"),
    [
        (b"[1, 2]", "answered list, not a search result"),
        (b'"maintenance"', "answered str, not a search result"),
        (b'{"items": [1, 2]}', "got `int` - at `$.items[0]`"),
        (b'{"items": {"a": 1}}', "Expected `array | null`, got `object`"),
    ],
)
def test_an_answer_that_is_not_a_search_result_says_so(text: bytes, said: str) -> None:
    with pytest.raises(FatalAPIError, match="is this Magento") as failure:
        PageDecoder(["entity_id"], "/V1/orders").page(text)
    assert said in str(failure.value)
    assert str(failure.value).startswith("/V1/orders answered")
