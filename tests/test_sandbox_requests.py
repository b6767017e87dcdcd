"""The sandbox store answers whatever a client sends as Magento would, and never crashes."""

from __future__ import annotations

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tap_magento.sandbox.store import StoreSize
from tests.support import make_server

SEARCH_ROUTES = ["/rest/V1/orders", "/rest/V1/products", "/rest/default/V1/customers/search",
                 "/rest/V1/coupons/search", "/rest/V1/inventory/source-items"]  # fmt: skip
NUMBERS = st.one_of(
    st.integers(-5, 400).map(str), st.sampled_from(["", "abc", "1.5", "1e3", " 7", "-0", "0x10"])
)
TEXT = st.text(st.characters(blacklist_categories=("Cs",)), max_size=12)
CRITERIA = st.dictionaries(
    st.sampled_from([
        "searchCriteria[pageSize]", "searchCriteria[currentPage]", "search_criteria[page_size]",
        "searchCriteria[filterGroups][0][filters][0][field]",
        "searchCriteria[filterGroups][0][filters][0][value]",
        "searchCriteria[filterGroups][0][filters][0][conditionType]",
        "searchCriteria[filterGroups][x][filters][y][field]",
        "searchCriteria[sortOrders][0][field]", "searchCriteria[sortOrders][0][direction]",
        "searchCriteria", "searchCriteria[pageSize][0]", "fields",
    ]),
    st.one_of(NUMBERS, TEXT, st.sampled_from(["updated_at", "entity_id", "in", "like", "gteq",
                                              "items[entity_id]", "DESC", "%", "null"])),
    max_size=6,
)  # fmt: skip


@pytest.fixture(scope="module")
def store_server():
    with make_server(StoreSize(orders=40, products=10, customers=10, sales_rules=3)) as server:
        yield server


def _get(server, path: str, params: dict[str, str]) -> requests.Response:
    token = server.auth.credentials.access_token
    return requests.get(server.url + path, params=params, timeout=30,
                        headers={"Authorization": f"Bearer {token}"})  # fmt: skip


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(route=st.sampled_from(SEARCH_ROUTES), params=CRITERIA)
def test_any_search_request_gets_a_magento_answer(store_server, route, params) -> None:
    store_server.internal_errors.clear()
    response = _get(store_server, route, params)
    assert response.status_code in {200, 400}, (response.status_code, response.text)
    assert isinstance(response.json(), dict)
    assert store_server.internal_errors == []


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(params=st.dictionaries(st.sampled_from(["scopeId", "qty", "pageSize", "currentPage"]),
                              st.one_of(NUMBERS, TEXT), max_size=4))  # fmt: skip
def test_any_low_stock_request_gets_a_magento_answer(store_server, params) -> None:
    store_server.internal_errors.clear()
    response = _get(store_server, "/rest/V1/stockItems/lowStock/", params)
    assert response.status_code in {200, 400}, (response.status_code, response.text)
    assert store_server.internal_errors == []


def test_page_size_zero_answers_every_row(store_server) -> None:
    body = _get(store_server, "/rest/V1/orders", {"searchCriteria[pageSize]": "0"}).json()
    assert len(body["items"]) == body["total_count"] == 40


@pytest.mark.parametrize(
    ("value", "message"),
    [("-5", "Minimum SearchCriteria pageSize is 0"),
     ("abc", 'The "abc" value\'s type is invalid. The "int" type was expected.')],
)  # fmt: skip
def test_a_page_size_magento_refuses_is_a_400_with_its_message(
    store_server, value, message
) -> None:
    response = _get(store_server, "/rest/V1/orders", {"searchCriteria[pageSize]": value})
    assert response.status_code == 400
    body = response.json()
    text = body["message"]
    for name, filled in body.get("parameters", {}).items():
        text = text.replace(f"%{name}", str(filled))
    assert text.startswith(message), text
