"""Load tap-magento's Singer output into a DuckDB file, one table a stream, as a target would:
for dbt-duckdb, where no Singer target for DuckDB is at hand.

    tap-magento --config config.json > magento.singer
    python dbt/load_duckdb.py magento.singer magento.duckdb

Tables land in the schema ``magento`` (``--schema`` to change it), typed from each SCHEMA
message: integers, numbers, booleans, date-times as TIMESTAMPTZ, text, and lists and objects as
JSON. A record replaces the one with the same primary key. The Singer columns are those
target-postgres writes with ``add_record_metadata``: ``_sdc_extracted_at``, ``_sdc_deleted_at``
(from the record's own, or set for rows an ACTIVATE_VERSION leaves behind), ``_sdc_table_version``.
Needs the ``duckdb`` package (dbt-duckdb installs it).
"""

from __future__ import annotations

import argparse
import datetime
import json
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import duckdb

SINGER_COLUMNS = {
    "_sdc_extracted_at": "TIMESTAMPTZ",
    "_sdc_deleted_at": "TIMESTAMPTZ",
    "_sdc_table_version": "BIGINT",
}
TYPES = {"integer": "BIGINT", "number": "DOUBLE", "boolean": "BOOLEAN", "string": "VARCHAR"}


def column_type(prop: dict[str, Any]) -> str:
    types = prop.get("type", [])
    types = [t for t in ([types] if isinstance(types, str) else types) if t != "null"]
    if len(types) != 1 or types[0] in {"object", "array"}:
        return "JSON"
    if types[0] == "string" and prop.get("format") == "date-time":
        return "TIMESTAMPTZ"
    return TYPES.get(types[0], "JSON")


@dataclass
class Table:
    columns: dict[str, str]
    key: list[str]
    rows: dict[tuple[Any, ...], dict[str, Any]] = field(default_factory=dict)

    def upsert(self, record: dict[str, Any], message: dict[str, Any]) -> None:
        row = {name: record.get(name) for name in self.columns}
        row["_sdc_extracted_at"] = message.get("time_extracted")
        row["_sdc_deleted_at"] = record.get("_sdc_deleted_at")
        row["_sdc_table_version"] = message.get("version")
        key = tuple(row[name] for name in self.key) if self.key else (len(self.rows),)
        self.rows[key] = row

    def activate(self, version: int, now: str) -> None:
        """Rows of an older table version are gone from the store: marked deleted."""
        for row in self.rows.values():
            if row["_sdc_table_version"] != version and row["_sdc_deleted_at"] is None:
                row["_sdc_deleted_at"] = now


def read(lines: Any) -> dict[str, Table]:
    tables: dict[str, Table] = {}
    now = datetime.datetime.now(datetime.timezone.utc).isoformat()
    for line in lines:
        if not line.strip():
            continue
        message = json.loads(line)
        kind, stream = message.get("type"), message.get("stream")
        if kind == "SCHEMA":
            props = message["schema"]["properties"]
            columns = {n: column_type(p) for n, p in props.items() if n not in SINGER_COLUMNS}
            known = tables.get(stream)
            tables[stream] = Table({**columns, **SINGER_COLUMNS}, message.get("key_properties", []),
                                   known.rows if known else {})  # fmt: skip
        elif kind == "RECORD":
            tables[stream].upsert(message["record"], message)
        elif kind == "ACTIVATE_VERSION":
            tables[stream].activate(message["version"], now)
    return tables


def write(tables: dict[str, Table], database: str, schema: str) -> None:
    with duckdb.connect(database) as connection:
        (catalog,) = connection.execute("SELECT current_database()").fetchone() or ("",)
        where = f'"{catalog}"."{schema}"'
        connection.execute(f"CREATE SCHEMA IF NOT EXISTS {where}")
        for stream, table in tables.items():
            columns = ", ".join(f'"{name}" {kind}' for name, kind in table.columns.items())
            connection.execute(f'CREATE OR REPLACE TABLE {where}."{stream}" ({columns})')
            if not table.rows:
                continue
            # Through a JSON lines file: DuckDB reads one far faster than inserts row by row.
            with tempfile.NamedTemporaryFile("w", suffix=".jsonl", delete=False) as rows:
                for row in table.rows.values():
                    rows.write(json.dumps(row) + "\n")
            spec = ", ".join(f"'{name}': '{kind}'" for name, kind in table.columns.items())
            connection.execute(
                f"INSERT INTO {where}.\"{stream}\" SELECT * FROM read_json('{rows.name}', "
                f"format='newline_delimited', columns={{{spec}}})"
            )
            Path(rows.name).unlink()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("singer", help="the tap's output (- for standard input)")
    parser.add_argument("database", help="the DuckDB file to write")
    parser.add_argument("--schema", default="magento")
    args = parser.parse_args()
    if args.singer == "-":
        tables = read(sys.stdin)
    else:
        with Path(args.singer).open(encoding="utf-8") as lines:
            tables = read(lines)
    write(tables, args.database, args.schema)
    rows = sum(len(t.rows) for t in tables.values())
    print(f"Loaded {rows:,} rows into {len(tables)} tables of {args.database}")


if __name__ == "__main__":
    main()
