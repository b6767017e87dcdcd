"""Magento searchCriteria: filters, sort orders and paging as URL query parameters."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Literal

# Every condition type Magento's SQL layer understands. Anything else is not rejected by the
# store: it silently degrades to equality (docs/magento-rest.md), so we refuse it here instead.
CONDITION_TYPES = frozenset(
    {
        "eq",
        "neq",
        "like",
        "nlike",
        "in",
        "nin",
        "null",
        "notnull",
        "gt",
        "lt",
        "gteq",
        "lteq",
        "moreq",
        "from",
        "to",
        "finset",
        "nfinset",
    }
)

Direction = Literal["ASC", "DESC"]


@dataclass(frozen=True)
class Filter:
    """One condition on one field, e.g. ``updated_at gteq 2024-05-01 00:00:00``."""

    field: str
    value: str
    condition_type: str = "eq"

    def __post_init__(self) -> None:
        if self.condition_type not in CONDITION_TYPES:
            msg = (
                f"Unknown searchCriteria condition type {self.condition_type!r}; "
                f"Magento would silently treat it as 'eq'. Use one of {sorted(CONDITION_TYPES)}."
            )
            raise ValueError(msg)


@dataclass(frozen=True)
class FilterGroup:
    """Filters OR-ed together. Groups are AND-ed with each other."""

    filters: tuple[Filter, ...]


@dataclass(frozen=True)
class SortOrder:
    field: str
    direction: Direction = "ASC"


def all_of(*filters: Filter) -> tuple[FilterGroup, ...]:
    """Filter groups meaning ``filter1 AND filter2 AND ...`` (one filter per group)."""
    return tuple(FilterGroup((f,)) for f in filters)


def after(fields: Sequence[str], values: Sequence[str]) -> tuple[FilterGroup, ...]:
    """Records that sort strictly after ``values`` on ``fields`` (a keyset cursor).

    ``(a, b) > (A, B)`` is ``a > A OR (a = A AND b > B)``, but groups can only be AND-ed
    (docs/magento-rest.md), so it is written in conjunctive form: ``a >= A AND (a > A OR b > B)``.
    With three fields: ``a >= A AND (a > A OR b >= B) AND (a > A OR b > B OR c > C)``.
    """
    if len(fields) != len(values) or not fields:
        msg = f"a cursor needs one value per field, got {list(fields)} and {list(values)}"
        raise ValueError(msg)
    last = len(fields) - 1
    return tuple(
        FilterGroup(
            (
                *(Filter(fields[j], values[j], "gt") for j in range(i)),
                Filter(fields[i], values[i], "gt" if i == last else "gteq"),
            )
        )
        for i in range(len(fields))
    )


def search_criteria_params(
    filter_groups: Sequence[FilterGroup],
    sort_orders: Sequence[SortOrder],
    page_size: int | None,
    current_page: int | None,
) -> dict[str, str]:
    """Encode a search as Magento's bracketed ``searchCriteria[...]`` query parameters."""
    if current_page is not None and current_page < 1:
        # currentPage=0 is silently treated as 1 by Magento (#25619): page 1 would be read twice.
        msg = f"searchCriteria pages start at 1, got {current_page}"
        raise ValueError(msg)
    params: dict[str, str] = {}
    for g, group in enumerate(filter_groups):
        for f, condition in enumerate(group.filters):
            prefix = f"searchCriteria[filterGroups][{g}][filters][{f}]"
            params[f"{prefix}[field]"] = condition.field
            params[f"{prefix}[value]"] = condition.value
            params[f"{prefix}[conditionType]"] = condition.condition_type
    for i, order in enumerate(sort_orders):
        params[f"searchCriteria[sortOrders][{i}][field]"] = order.field
        params[f"searchCriteria[sortOrders][{i}][direction]"] = order.direction
    if page_size is not None:
        params["searchCriteria[pageSize]"] = str(page_size)
    if current_page is not None:
        params["searchCriteria[currentPage]"] = str(current_page)
    return params


def filter_value(value: Any) -> str:
    """A setting's value as searchCriteria sends it: lists comma-separated, booleans 1/0."""
    if isinstance(value, bool):
        return "1" if value else "0"
    if isinstance(value, list):
        return ",".join(filter_value(item) for item in value)
    return str(value)
