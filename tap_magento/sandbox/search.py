"""How the sandbox answers a searchCriteria query, following docs/magento-rest.md.

Filters in a group are OR-ed, groups are AND-ed; every condition type Magento knows; sort orders;
``pageSize``/``currentPage`` paging with either past-the-end behaviour; an optional maximum page
size; ``total_count`` exact, capped or inflated; and the ``fields`` parameter.
"""

from __future__ import annotations

import bisect
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal

PastEnd = Literal["repeat", "empty"]
TotalCount = Literal["exact", "capped", "inflated"]


class InputError(Exception):
    """A request Magento answers with 400 and ``{"message": ..., "parameters": ...}``."""

    def __init__(self, message: str, parameters: Any = None) -> None:
        super().__init__(message)
        self.message = message
        self.parameters = parameters


@dataclass
class SearchBehaviour:
    """The store-wide switches that differ between Magento versions and configurations."""

    past_end: PastEnd = "empty"  # 2.4.x; "repeat" is 2.3.x and older
    max_page_size: int | None = None  # webapi/validation/input_limit_enabled + maximum_page_size
    default_page_size: int = 20  # used only when input limits are enabled
    total_count: TotalCount = "exact"
    inflate_by: int = 37
    # Deep pages are SQL OFFSET (docs/magento-rest.md, "Paging"): pages deeper than this fail
    # with 503, as big stores run out of memory; and each row skipped to reach a page costs
    # this many seconds.
    max_page_depth: int | None = None
    offset_row_seconds: float = 0.0
    # A slow store: every list request takes this long, plus this much per row it answers.
    latency_seconds: float = 0.0
    latency_row_seconds: float = 0.0


@dataclass(frozen=True)
class Condition:
    field: str
    value: str
    condition_type: str


@dataclass(frozen=True)
class Query:
    groups: tuple[tuple[Condition, ...], ...]
    sort_orders: tuple[tuple[str, str], ...]
    page_size: int | None
    current_page: int | None


def parse_brackets(params: Mapping[str, str]) -> dict[str, Any]:
    """``a[b][0][c]=v`` query parameters to nested dicts (list indexes stay string keys)."""
    tree: dict[str, Any] = {}
    for name, value in params.items():
        parts = re.findall(r"[^\[\]]+", name)
        node = tree
        for part in parts[:-1]:
            node = node.setdefault(part, {})
            if not isinstance(node, dict):
                break
        else:
            node[parts[-1]] = value
    return tree


def _pick(node: Mapping[str, Any], *names: str) -> Any:
    for name in names:
        if name in node:
            return node[name]
    return None


def _ordered(node: Any) -> list[Any]:
    if not isinstance(node, dict):
        return []
    return [node[k] for k in sorted(node, key=lambda k: int(k) if k.isdigit() else 0)]


def parse_query(params: Mapping[str, str]) -> Query:
    """Read searchCriteria in either camelCase or snake_case spelling."""
    criteria = _pick(parse_brackets(params), "searchCriteria", "search_criteria") or {}
    groups = []
    for group in _ordered(_pick(criteria, "filterGroups", "filter_groups")):
        conditions = tuple(
            Condition(
                field=str(_pick(f, "field") or ""),
                value=str(_pick(f, "value") or ""),
                condition_type=str(_pick(f, "conditionType", "condition_type") or "eq"),
            )
            for f in _ordered(_pick(group, "filters"))
        )
        if conditions:
            groups.append(conditions)
    sorts = tuple(
        (str(_pick(s, "field")), str(_pick(s, "direction") or "ASC").upper())
        for s in _ordered(_pick(criteria, "sortOrders", "sort_orders"))
    )
    return Query(
        groups=tuple(groups),
        sort_orders=sorts,
        page_size=parse_int(_pick(criteria, "pageSize", "page_size")),
        current_page=parse_int(_pick(criteria, "currentPage", "current_page")),
    )


def parse_int(value: Any) -> int | None:
    """An integer parameter as Magento's service layer reads it (400 when it is not one)."""
    if value in (None, ""):
        return None
    try:
        return int(value)
    except (TypeError, ValueError) as exc:  # TypeError: pageSize[0]=... gives a dict
        raise InputError(
            'The "%value" value\'s type is invalid. The "%type" type was expected. Verify and '
            "try again.",
            {"value": value, "type": "int"},
        ) from exc


# --- conditions -------------------------------------------------------------------------------


def _comparable(field_value: Any, literal: str) -> tuple[Any, Any]:
    """Compare like MySQL: numerically for numeric columns, as text otherwise."""
    if isinstance(field_value, bool):
        field_value = int(field_value)
    if isinstance(field_value, (int, float)):
        try:
            return field_value, float(literal)
        except ValueError:
            return str(field_value).lower(), literal.lower()
    # MySQL's default collations compare text case-insensitively, as they sort it.
    return ("" if field_value is None else str(field_value)).lower(), literal.lower()


def _like(pattern: str) -> re.Pattern[str]:
    regex = "".join(".*" if c == "%" else "." if c == "_" else re.escape(c) for c in pattern)
    return re.compile(f"^{regex}$", re.IGNORECASE | re.DOTALL)


def _in_set(field_value: Any, literal: str) -> bool:
    return str(field_value) in {v.strip() for v in literal.split(",")}


def _compare(op: Callable[[Any, Any], bool]) -> Callable[[Any, str], bool]:
    def check(field_value: Any, literal: str) -> bool:
        if field_value is None:
            return False  # SQL: NULL compared with anything is not true
        left, right = _comparable(field_value, literal)
        try:
            return op(left, right)
        except TypeError:
            return op(str(left), str(right))

    return check


CONDITIONS: dict[str, Callable[[Any, str], bool]] = {
    "eq": _compare(lambda a, b: a == b),
    "neq": _compare(lambda a, b: a != b),
    "gt": _compare(lambda a, b: a > b),
    "lt": _compare(lambda a, b: a < b),
    "gteq": _compare(lambda a, b: a >= b),
    "moreq": _compare(lambda a, b: a >= b),
    "from": _compare(lambda a, b: a >= b),
    "lteq": _compare(lambda a, b: a <= b),
    "to": _compare(lambda a, b: a <= b),
    "like": lambda v, lit: v is not None and bool(_like(lit).match(str(v))),
    "nlike": lambda v, lit: v is not None and not _like(lit).match(str(v)),
    "in": lambda v, lit: v is not None and _in_set(v, lit),
    "nin": lambda v, lit: v is not None and not _in_set(v, lit),
    "null": lambda v, _lit: v is None,
    "notnull": lambda v, _lit: v is not None,
    "finset": lambda v, lit: v is not None and lit in str(v).split(","),
    "nfinset": lambda v, lit: v is None or lit not in str(v).split(","),
}


def matches(condition: Condition, field_value: Any) -> bool:
    # Magento does not reject an unknown condition type; it ends up as equality
    # (docs/magento-rest.md, "searchCriteria").
    check = CONDITIONS.get(condition.condition_type, CONDITIONS["eq"])
    return check(field_value, condition.value)


# --- running a query --------------------------------------------------------------------------

ValueOf = Callable[[Any, str], Any]
Interval = tuple[int, int]


def run_query(
    rows: Iterable[Any],
    query: Query,
    value_of: ValueOf,
    behaviour: SearchBehaviour,
) -> tuple[list[Any], int]:
    """Filter, sort and page ``rows``; return (the page's rows, total_count to report)."""
    return page_of(select(rows, query, value_of), query, behaviour)


def select(rows: Iterable[Any], query: Query, value_of: ValueOf) -> Selection:
    """The rows a query's filters keep, in its sort order (every page of it, unpaged)."""
    return Selection(SortedRows(rows, query.sort_orders, value_of), query.groups)


class SortedRows:
    """Rows in one sort order, with an index on the first sort field, as a database keeps.

    Range conditions on that field are answered by bisecting instead of testing every row, so
    a keyset query (``updated_at >= T AND (updated_at > T OR id > I)``) costs what it costs
    MySQL: the rows it returns plus those sharing the cursor's second.
    """

    def __init__(
        self, rows: Iterable[Any], sort_orders: tuple[tuple[str, str], ...], value_of: ValueOf
    ) -> None:
        self.value_of = value_of
        self.rows = list(rows)
        for field, direction in reversed(sort_orders):  # stable sorts: last key first
            keys = {id(row): _sort_key(value_of(row, field)) for row in self.rows}
            self.rows.sort(key=lambda row: keys[id(row)], reverse=direction == "DESC")
        self.indexed: str | None = None
        self.keys: list[tuple[int, Any]] = []
        if sort_orders and sort_orders[0][1] == "ASC":
            self.indexed = sort_orders[0][0]
            self.keys = [_sort_key(value_of(row, self.indexed)) for row in self.rows]
        # NULLs sort first and match no comparison; the rest are numbers (1) or text (2).
        self.first_not_null = bisect.bisect_right(self.keys, _sort_key(None))
        self.kind = self.keys[self.first_not_null][0] if self.first_not_null < len(self.keys) else 0

    def interval(self, condition: Condition) -> Interval | None:
        """The rows ``condition`` keeps, as one index range; None when the index cannot tell."""
        kind = RANGE_KINDS.get(condition.condition_type)
        key = self._literal_key(condition.value) if condition.field == self.indexed else None
        if kind is None or key is None:
            return None
        keys = self.keys
        if kind == "eq":
            return bisect.bisect_left(keys, key), bisect.bisect_right(keys, key)
        if kind == "gt":
            return bisect.bisect_right(keys, key), len(keys)
        if kind == "gteq":
            return bisect.bisect_left(keys, key), len(keys)
        if kind == "lt":
            return self.first_not_null, bisect.bisect_left(keys, key)
        return self.first_not_null, bisect.bisect_right(keys, key)  # lteq

    def _literal_key(self, literal: str) -> tuple[int, Any] | None:
        """The condition's value as an index key, compared as the column's values are."""
        if self.kind == 1:
            try:
                return (1, float(literal))
            except ValueError:
                return None
        return (2, literal.lower()) if self.kind == 2 else None


# Condition types a sorted index answers as one range, by the comparison they make.
RANGE_KINDS = {
    "eq": "eq",
    "gt": "gt",
    "gteq": "gteq",
    "moreq": "gteq",
    "from": "gteq",
    "lt": "lt",
    "lteq": "lteq",
    "to": "lteq",
}


class Selection:
    """The rows a query keeps, in order: an index range less the rows other filters reject.

    ``descending``: the rows read from the end, as a database reads an index backwards for a
    query sorted DESC on every field (``ordered`` is then sorted ASC on them).
    """

    def __init__(
        self,
        ordered: SortedRows,
        groups: tuple[tuple[Condition, ...], ...],
        descending: bool = False,
    ) -> None:
        self.descending = descending
        self.rows = ordered.rows
        low, high = 0, len(self.rows)
        unindexed: list[tuple[tuple[Condition, ...], list[Interval]]] = []
        for group in groups:
            covered = [(c, ordered.interval(c)) for c in group]
            intervals = [iv for _, iv in covered if iv is not None]
            rest = tuple(c for c, iv in covered if iv is None)
            if not rest and len(intervals) == 1:
                low, high = max(low, intervals[0][0]), min(high, intervals[0][1])
            else:
                unindexed.append((rest, intervals))
        self.low, self.high = low, max(low, high)
        # A row passes an OR group when the index puts it in one of the group's ranges or
        # another of its filters matches: only rows outside those ranges need testing.
        self.rejected: set[int] = set()
        for rest, intervals in unindexed:
            for start, stop in _outside(self.low, self.high, intervals):
                for i in range(start, stop):
                    row = self.rows[i]
                    if i not in self.rejected and not any(
                        matches(c, ordered.value_of(row, c.field)) for c in rest
                    ):
                        self.rejected.add(i)
        self.total = self.high - self.low - len(self.rejected)

    def __len__(self) -> int:
        return self.total

    def __getitem__(self, span: slice) -> list[Any]:
        start, stop, _ = span.indices(self.total)
        if self.descending:
            start, stop = self.total - stop, self.total - start
        if not self.rejected:
            rows = self.rows[self.low + start : self.low + stop]
        else:
            kept = (i for i in range(self.low, self.high) if i not in self.rejected)
            rows = [self.rows[i] for i in itertools.islice(kept, start, stop)]
        return rows[::-1] if self.descending else rows


def _outside(low: int, high: int, intervals: list[Interval]) -> list[Interval]:
    """The parts of [low, high) that none of ``intervals`` covers."""
    gaps, position = [], low
    for start, stop in sorted(intervals):
        if start > position:
            gaps.append((position, min(start, high)))
        position = max(position, stop)
    if position < high:
        gaps.append((position, high))
    return [(a, b) for a, b in gaps if a < b]


def page_of(selected: Selection, query: Query, behaviour: SearchBehaviour) -> tuple[list[Any], int]:
    """One page of selected rows, with Magento's paging quirks; and the total_count to report."""
    page_size = _page_size(query, behaviour)
    total = len(selected)
    if page_size is None:
        return selected[:], total
    page = max(query.current_page or 1, 1)  # currentPage=0 is treated as 1 (#25619)
    last_page = max((total + page_size - 1) // page_size, 1)
    if page > last_page:
        if behaviour.past_end == "empty":
            return [], _reported_total(total, page_size, behaviour)
        page = last_page  # Magento 2.3 and older answer with the last page again (#3787)
    start = (page - 1) * page_size
    return selected[start : start + page_size], _reported_total(total, page_size, behaviour)


def _page_size(query: Query, behaviour: SearchBehaviour) -> int | None:
    """The rows one page holds; None: every row, as MySQL without LIMIT."""
    if query.page_size is not None and query.page_size < 0:
        # SearchCriteriaValidator (docs/magento-rest.md, "Page size").
        raise InputError("Minimum SearchCriteria pageSize is %min", {"min": 0})
    if query.page_size == 0:
        return None  # the collection adds no LIMIT for a page size of 0: every row
    limit = behaviour.max_page_size
    if limit is None:
        return query.page_size  # no input limits: no pageSize means everything at once
    if query.page_size is None:
        return behaviour.default_page_size
    if query.page_size > limit:
        raise InputError("Maximum SearchCriteria pageSize is %max", {"max": limit})
    return query.page_size


def _reported_total(total: int, page_size: int, behaviour: SearchBehaviour) -> int:
    if behaviour.total_count == "capped":
        return min(total, page_size)
    if behaviour.total_count == "inflated":
        return total + behaviour.inflate_by
    return total


def _sort_key(value: Any) -> tuple[int, Any]:
    if value is None:
        return (0, 0)  # MySQL sorts NULL first in ascending order
    if isinstance(value, (int, float)):
        return (1, value)
    return (2, str(value).lower())  # MySQL's default collations are case-insensitive


def echo_criteria(query: Query) -> dict[str, Any]:
    """The ``search_criteria`` part of a response: the request, in snake_case."""
    echo: dict[str, Any] = {
        "filter_groups": [
            {
                "filters": [
                    {"field": c.field, "value": c.value, "condition_type": c.condition_type}
                    for c in group
                ]
            }
            for group in query.groups
        ],
    }
    if query.sort_orders:
        echo["sort_orders"] = [{"field": f, "direction": d} for f, d in query.sort_orders]
    if query.page_size is not None:
        echo["page_size"] = query.page_size
    if query.current_page is not None:
        echo["current_page"] = query.current_page
    return echo


# --- the fields parameter ---------------------------------------------------------------------


def parse_fields(spec: str) -> dict[str, Any]:
    """``items[entity_id,updated_at],total_count`` -> {"items": {...}, "total_count": {}}."""
    tree, rest = _parse_field_list(spec)
    if rest:
        raise InputError("Invalid fields parameter.")
    return tree


def _parse_field_list(spec: str) -> tuple[dict[str, Any], str]:
    tree: dict[str, Any] = {}
    while spec:
        match = re.match(r"\s*([A-Za-z0-9_]+)", spec)
        if not match:
            break
        name, spec = match.group(1), spec[match.end() :]
        tree[name] = {}
        if spec.startswith("["):
            tree[name], spec = _parse_field_list(spec[1:])
            spec = spec[1:] if spec.startswith("]") else spec
        if spec.startswith(","):
            spec = spec[1:]
        elif spec.startswith("]") or not spec:
            break
    return tree, spec


def trim_fields(value: Any, tree: dict[str, Any]) -> Any:
    if not tree:
        return value
    if isinstance(value, list):
        return [trim_fields(item, tree) for item in value]
    if isinstance(value, dict):
        return {k: trim_fields(v, tree[k]) for k, v in value.items() if k in tree}
    return value
