"""The searchCriteria builder, and the sandbox's reading of it (docs/magento-rest.md)."""

from __future__ import annotations

import pytest
import requests
from hypothesis import given, settings
from hypothesis import strategies as st

from tap_magento.sandbox.search import (
    Condition,
    InputError,
    Query,
    SearchBehaviour,
    matches,
    parse_fields,
    parse_query,
    run_query,
    trim_fields,
)
from tap_magento.search_criteria import (
    Filter,
    FilterGroup,
    SortOrder,
    after,
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


# --- keyset cursors ---------------------------------------------------------------------------


def test_cursor_after_two_fields_is_conjunctive_filter_groups() -> None:
    params = search_criteria_params(
        after(("updated_at", "entity_id"), ("2024-05-01 10:00:00", "42")), (), None, None
    )
    prefix = "searchCriteria[filterGroups]"
    assert params == {
        f"{prefix}[0][filters][0][field]": "updated_at",
        f"{prefix}[0][filters][0][value]": "2024-05-01 10:00:00",
        f"{prefix}[0][filters][0][conditionType]": "gteq",
        f"{prefix}[1][filters][0][field]": "updated_at",
        f"{prefix}[1][filters][0][value]": "2024-05-01 10:00:00",
        f"{prefix}[1][filters][0][conditionType]": "gt",
        f"{prefix}[1][filters][1][field]": "entity_id",
        f"{prefix}[1][filters][1][value]": "42",
        f"{prefix}[1][filters][1][conditionType]": "gt",
    }


def test_cursor_with_a_value_missing_is_refused() -> None:
    with pytest.raises(ValueError, match="one value per field"):
        after(("updated_at", "entity_id"), ("2024-05-01 10:00:00",))


KEYS = st.tuples(st.integers(0, 4), st.sampled_from("abcAB"), st.integers(0, 4))


@settings(max_examples=200, deadline=None)
@given(rows=st.lists(KEYS, max_size=40, unique=True), cursor=KEYS)
def test_cursor_groups_keep_exactly_the_rows_sorted_after_it(rows, cursor) -> None:
    """Checked against the lexicographic order itself, through the sandbox's evaluation."""
    records = [{"a": a, "b": b, "c": c} for a, b, c in rows]
    groups = after(("a", "b", "c"), tuple(str(v) for v in cursor))
    query = parse_query(search_criteria_params(groups, [SortOrder(f) for f in "abc"], None, None))
    kept, total = run_query(records, query, lambda r, f: r.get(f), BEHAVIOUR)

    def position(r: dict) -> tuple:
        return (r["a"], r["b"].lower(), r["c"])  # MySQL's collation ignores case

    expected = sorted(
        (r for r in records if position(r) > (cursor[0], cursor[1].lower(), cursor[2])),
        key=position,
    )
    assert [position(r) for r in kept] == [position(r) for r in expected]
    assert total == len(expected)


CONDITION_TYPES_ON_NUMBERS = ["eq", "neq", "gt", "lt", "gteq", "lteq", "moreq", "from", "to",
                              "in", "null", "notnull"]  # fmt: skip


CONDITIONS_ON_NUMBERS = st.tuples(
    st.sampled_from(["n", "m"]), st.sampled_from(CONDITION_TYPES_ON_NUMBERS), st.integers(0, 9)
)


@settings(max_examples=300, deadline=None)
@given(
    values=st.lists(st.one_of(st.none(), st.integers(0, 9)), max_size=30),
    groups=st.lists(st.lists(CONDITIONS_ON_NUMBERS, min_size=1, max_size=3), max_size=3),
)
def test_index_assisted_selection_equals_testing_every_row(values, groups) -> None:
    """The sandbox bisects its sort index for range filters: same rows as a full scan."""
    rows = [{"id": i, "n": v, "m": (i * 7) % 10} for i, v in enumerate(values)]
    query = Query(
        groups=tuple(tuple(Condition(f, str(v), t) for f, t, v in g) for g in groups),
        sort_orders=(("n", "ASC"), ("id", "ASC")),
        page_size=None,
        current_page=None,
    )
    kept, total = run_query(rows, query, lambda r, f: r.get(f), BEHAVIOUR)
    scanned = [
        r
        for r in rows
        if all(any(matches(c, r.get(c.field)) for c in group) for group in query.groups)
    ]
    assert sorted(r["id"] for r in kept) == sorted(r["id"] for r in scanned)
    assert total == len(scanned)
    order = [((0, 0) if r["n"] is None else (1, r["n"]), r["id"]) for r in kept]
    assert order == sorted(order)
