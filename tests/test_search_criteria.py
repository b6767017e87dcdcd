"""The searchCriteria builder, and the sandbox's reading of it (MAGENTO_REST.md semantics)."""

from __future__ import annotations

import pytest
import requests

from tap_magento.sandbox.search import (
    Condition,
    InputError,
    Query,
    SearchBehaviour,
    parse_fields,
    parse_query,
    run_query,
    trim_fields,
)
from tap_magento.search_criteria import (
    Filter,
    FilterGroup,
    SortOrder,
    all_of,
    search_criteria_params,
)


def test_builds_magentos_bracketed_parameters_exactly() -> None:
    params = search_criteria_params(
        (
            FilterGroup((Filter("updated_at", "2024-05-01 00:00:00", "gteq"),)),
            FilterGroup((Filter("status", "pending"), Filter("status", "processing"))),
        ),
        (SortOrder("updated_at"), SortOrder("entity_id", "DESC")),
        page_size=300,
        current_page=2,
    )
    assert params == {
        "searchCriteria[filterGroups][0][filters][0][field]": "updated_at",
        "searchCriteria[filterGroups][0][filters][0][value]": "2024-05-01 00:00:00",
        "searchCriteria[filterGroups][0][filters][0][conditionType]": "gteq",
        "searchCriteria[filterGroups][1][filters][0][field]": "status",
        "searchCriteria[filterGroups][1][filters][0][value]": "pending",
        "searchCriteria[filterGroups][1][filters][0][conditionType]": "eq",
        "searchCriteria[filterGroups][1][filters][1][field]": "status",
        "searchCriteria[filterGroups][1][filters][1][value]": "processing",
        "searchCriteria[filterGroups][1][filters][1][conditionType]": "eq",
        "searchCriteria[sortOrders][0][field]": "updated_at",
        "searchCriteria[sortOrders][0][direction]": "ASC",
        "searchCriteria[sortOrders][1][field]": "entity_id",
        "searchCriteria[sortOrders][1][direction]": "DESC",
        "searchCriteria[pageSize]": "300",
        "searchCriteria[currentPage]": "2",
    }


def test_all_of_puts_each_filter_in_its_own_group() -> None:
    groups = all_of(Filter("a", "1", "gteq"), Filter("a", "9", "lteq"))
    assert [len(g.filters) for g in groups] == [1, 1]


def test_no_filters_and_no_paging_give_no_parameters() -> None:
    assert search_criteria_params((), (), None, None) == {}


@pytest.mark.parametrize("wrong", ["gte", "lte", "greater", ""])
def test_unknown_condition_types_are_refused_not_sent(wrong) -> None:
    with pytest.raises(ValueError, match="silently treat it as 'eq'"):
        Filter("updated_at", "x", wrong)


def test_page_zero_is_refused() -> None:
    with pytest.raises(ValueError, match="start at 1"):
        search_criteria_params((), (), 10, 0)


# --- the sandbox reads what the builder writes ------------------------------------------------

ROWS = [
    {"id": i, "status": s, "n": n, "tags": t}
    for i, s, n, t in [
        (1, "pending", 5, "a,b"), (2, "processing", 10, "b"), (3, "complete", 15, None),
        (4, "pending", 20, "c"), (5, "Canceled", 25, "a"),
    ]
]  # fmt: skip
BEHAVIOUR = SearchBehaviour()


def _ids(groups, sort=(("id", "ASC"),), page_size=None, page=None, behaviour=BEHAVIOUR):
    query = parse_query(
        search_criteria_params(groups, [SortOrder(f, d) for f, d in sort], page_size, page)
    )
    rows, _ = run_query(ROWS, query, lambda r, f: r.get(f), behaviour)
    return [r["id"] for r in rows]


def test_filters_in_a_group_are_ored_and_groups_anded() -> None:
    groups = (
        FilterGroup((Filter("status", "pending"), Filter("status", "complete"))),
        FilterGroup((Filter("n", "10", "gt"),)),
    )
    assert _ids(groups) == [3, 4]


@pytest.mark.parametrize(
    ("condition", "value", "expected"),
    [
        ("eq", "10", [2]), ("neq", "10", [1, 3, 4, 5]), ("gt", "15", [4, 5]),
        ("lt", "15", [1, 2]), ("gteq", "15", [3, 4, 5]), ("lteq", "15", [1, 2, 3]),
        ("moreq", "20", [4, 5]), ("from", "20", [4, 5]), ("to", "10", [1, 2]),
        ("in", "5,25", [1, 5]), ("nin", "5,25", [2, 3, 4]),
    ],
)  # fmt: skip
def test_numeric_condition_types(condition, value, expected) -> None:
    assert _ids(all_of(Filter("n", value, condition))) == expected


@pytest.mark.parametrize(
    ("field", "condition", "value", "expected"),
    [
        ("status", "like", "p%", [1, 2, 4]), ("status", "nlike", "%ing", [3, 5]),
        ("status", "like", "canceled", [5]), ("tags", "null", "", [3]),
        ("tags", "notnull", "", [1, 2, 4, 5]), ("tags", "finset", "b", [1, 2]),
        ("tags", "nfinset", "a", [2, 3, 4]),
    ],
)  # fmt: skip
def test_text_condition_types(field, condition, value, expected) -> None:
    assert _ids(all_of(Filter(field, value, condition))) == expected


def test_unknown_condition_type_degrades_to_equality_in_the_store() -> None:
    query = Query(
        groups=((Condition("n", "10", "gte"),),), sort_orders=(), page_size=None, current_page=None
    )
    rows, _ = run_query(ROWS, query, lambda r, f: r.get(f), BEHAVIOUR)
    assert [r["id"] for r in rows] == [2]  # what a tap sending "gte" would silently get


def test_sort_orders_apply_in_sequence() -> None:
    assert _ids((), sort=(("status", "DESC"), ("id", "DESC"))) == [2, 4, 1, 3, 5]


def test_page_past_the_end_repeats_or_is_empty() -> None:
    repeat = SearchBehaviour(past_end="repeat")
    assert _ids((), page_size=2, page=3, behaviour=repeat) == [5]
    assert _ids((), page_size=2, page=9, behaviour=repeat) == [5]
    assert _ids((), page_size=2, page=9) == []


def test_current_page_zero_is_page_one_in_the_store() -> None:
    query = parse_query({"searchCriteria[pageSize]": "2", "searchCriteria[currentPage]": "0"})
    rows, _ = run_query(ROWS, query, lambda r, f: r.get(f), BEHAVIOUR)
    assert [r["id"] for r in rows] == [1, 2]


def test_snake_case_spelling_is_accepted() -> None:
    query = parse_query({
        "search_criteria[filter_groups][0][filters][0][field]": "n",
        "search_criteria[filter_groups][0][filters][0][value]": "20",
        "search_criteria[filter_groups][0][filters][0][condition_type]": "gteq",
        "search_criteria[page_size]": "1",
    })  # fmt: skip
    rows, total = run_query(ROWS, query, lambda r, f: r.get(f), BEHAVIOUR)
    assert [r["id"] for r in rows] == [4] and total == 2


def test_oversized_page_is_refused_when_input_limits_are_on() -> None:
    with pytest.raises(InputError) as refusal:
        _ids((), page_size=301, page=1, behaviour=SearchBehaviour(max_page_size=300))
    assert refusal.value.message == "Maximum SearchCriteria pageSize is %max"


def test_fields_parameter_trims_nested_items() -> None:
    body = {
        "items": [{"id": 1, "x": 2, "updated_at": "t"}],
        "total_count": 1,
        "search_criteria": {},
    }
    tree = parse_fields("items[id,updated_at],total_count")
    assert trim_fields(body, tree) == {"items": [{"id": 1, "updated_at": "t"}], "total_count": 1}


def test_sandbox_fields_parameter_over_http(server) -> None:
    response = requests.get(
        f"{server.url}/rest/V1/orders",
        params={
            "searchCriteria[pageSize]": "3",
            "fields": "items[entity_id,updated_at],total_count",
        },
        headers={"Authorization": f"Bearer {server.auth.credentials.access_token}"},
        timeout=10,
    )
    body = response.json()
    assert set(body) == {"items", "total_count"}
    assert [set(item) for item in body["items"]] == [{"entity_id", "updated_at"}] * 3


def test_products_need_search_criteria(server) -> None:
    response = requests.get(
        f"{server.url}/rest/V1/products",
        headers={"Authorization": f"Bearer {server.auth.credentials.access_token}"},
        timeout=10,
    )
    assert response.status_code == 400
    assert response.json()["parameters"] == {"fieldName": "searchCriteria"}
