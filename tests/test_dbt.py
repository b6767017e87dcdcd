"""The dbt package, built for real: the sandbox store loaded through Meltano into PostgreSQL and
built with the project's dbt-postgres utility, and the same store's Singer output loaded into
DuckDB and built with dbt-duckdb. Each checks the order count, the sum of ``base_grand_total``
and the number of sold lines against the Singer output; a refund larger than its invoice makes
``dbt test`` fail.

The Singer output is ``meltano invoke tap-magento`` of the same store, unchanged between the
two reads. dbt-duckdb comes from ``TAP_MAGENTO_DBT`` (``.ci/run`` installs it beside dbt-core in
a virtualenv of its own); the PostgreSQL build goes through ``meltano install``'s dbt-postgres.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

import pytest

from tap_magento.sandbox.server import SandboxServer
from tests.pipelines import MeltanoProject, Postgres, dbt_executable, postgres_server
from tests.support import make_server

pytestmark = pytest.mark.slow

REPO = Path(__file__).resolve().parent.parent
SOURCE_SCHEMA = "magento_raw"  # where target-postgres loads, and the package reads from
BUILT_SCHEMA = "analytics"


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> MeltanoProject:
    return MeltanoProject.create(tmp_path_factory.mktemp("dbt-project"))


@pytest.fixture(scope="module")
def store() -> Iterator[SandboxServer]:
    with make_server() as server:
        yield server


def _env(store: SandboxServer, postgres: Postgres) -> dict[str, str]:
    return {
        "TAP_MAGENTO_STORE_URL": store.url,
        "TAP_MAGENTO_ACCESS_TOKEN": store.auth.credentials.access_token,
        "TARGET_POSTGRES_HOST": postgres.host,
        "TARGET_POSTGRES_PORT": str(postgres.port),
        "TARGET_POSTGRES_USER": postgres.user,
        "TARGET_POSTGRES_PASSWORD": postgres.password,
        "TARGET_POSTGRES_DATABASE": postgres.database,
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": SOURCE_SCHEMA,
    }


@pytest.fixture(scope="module")
def singer_output(project: MeltanoProject, store: SandboxServer, postgres: Postgres) -> Path:
    done = project.run("invoke", "tap-magento", env=_env(store, postgres), timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    path = project.root / "magento.singer"
    path.write_text(done.stdout)
    return path


def expected(singer: Path) -> tuple[int, Decimal, int]:
    """From the Singer output: orders, the sum of their base_grand_total, and the sold lines
    (order lines that are no other line's child)."""
    orders: dict[int, Decimal] = {}
    lines: set[int] = set()
    for line in singer.read_text().splitlines():
        message = json.loads(line, parse_float=Decimal)
        if message["type"] != "RECORD":
            continue
        record = message["record"]
        if message["stream"] == "orders":
            orders[record["entity_id"]] = record["base_grand_total"]
        elif message["stream"] == "order_items" and record["parent_item_id"] is None:
            lines.add(record["item_id"])
    return len(orders), sum(orders.values(), Decimal(0)), len(lines)


@pytest.fixture(scope="module")
def built(
    project: MeltanoProject, store: SandboxServer, postgres: Postgres
) -> subprocess.CompletedProcess[str]:
    """The pipeline as the README gives it: extract, load into PostgreSQL, build."""
    return project.run(
        "run", "tap-magento", "target-postgres", "dbt-postgres:build",
        env=_env(store, postgres), timeout=1200,
    )  # fmt: skip


def test_meltano_runs_tap_target_and_dbt_build_into_postgres(
    built: subprocess.CompletedProcess[str],
    store: SandboxServer,
    postgres: Postgres,
    singer_output: Path,
) -> None:
    assert built.returncode == 0, (built.stdout + built.stderr)[-5000:]
    assert "Completed successfully" in built.stdout + built.stderr

    orders, total, lines = expected(singer_output)
    assert orders == len(store.store.records("orders")) and lines > orders  # configurables too
    row = postgres.query(f"SELECT count(*), sum(base_grand_total) FROM {BUILT_SCHEMA}.fct_orders")
    assert (int(row[0][0]), Decimal(row[0][1])) == (orders, total)
    assert int(postgres.scalar(f"SELECT count(*) FROM {BUILT_SCHEMA}.fct_order_lines")) == lines
    # Every stream has its staging model, children included.
    views = postgres.scalar(
        "SELECT count(*) FROM information_schema.views "
        f"WHERE table_schema = '{BUILT_SCHEMA}' AND table_name LIKE 'stg_magento__%'"
    )
    assert int(views) == 67


def test_a_refund_larger_than_its_invoice_fails_dbt_test(
    project: MeltanoProject,
    store: SandboxServer,
    postgres: Postgres,
    built: subprocess.CompletedProcess[str],
) -> None:
    assert built.returncode == 0, built.stderr[-3000:]
    env = _env(store, postgres)
    order_id, invoiced = postgres.query(
        f"SELECT order_id, base_grand_total FROM {SOURCE_SCHEMA}.invoices ORDER BY order_id LIMIT 1"
    )[0]
    broken = Decimal(invoiced) + 100
    postgres.query(
        f"INSERT INTO {SOURCE_SCHEMA}.credit_memos (entity_id, order_id, store_id, created_at, "
        "updated_at, grand_total, base_grand_total) VALUES (999999, "
        f"{order_id}, 1, now(), now(), {broken}, {broken})"
    )
    try:
        built = project.run("invoke", "dbt-postgres:run", env=env, timeout=600)
        assert built.returncode == 0, (built.stdout + built.stderr)[-3000:]
        tested = project.run("invoke", "dbt-postgres:test", env=env, timeout=600)
        output = tested.stdout + tested.stderr
        assert tested.returncode != 0, output[-3000:]
        failures = [line for line in output.splitlines() if "FAIL " in line]
        assert len(failures) == 1, failures
        assert "assert_refunds_do_not_exceed_invoiced" in failures[0]
    finally:
        postgres.query(f"DELETE FROM {SOURCE_SCHEMA}.credit_memos WHERE entity_id = 999999")


def test_dbt_build_on_duckdb_from_the_singer_output(singer_output: Path, tmp_path: Path) -> None:
    dbt = Path(dbt_executable())
    database = tmp_path / "warehouse.duckdb"
    python = dbt.parent / "python"
    loaded = subprocess.run(
        [str(python), str(REPO / "dbt" / "load_duckdb.py"), str(singer_output), str(database)],
        capture_output=True, text=True, timeout=600, check=False,
    )  # fmt: skip
    assert loaded.returncode == 0, loaded.stderr[-3000:]
    project = tmp_path / "dbt"
    shutil.copytree(REPO / "dbt", project, ignore=shutil.ignore_patterns("target"))
    env = {**os.environ, "DBT_TARGET": "duckdb", "DBT_DUCKDB_PATH": str(database)}
    env.pop("TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA", None)
    built = subprocess.run(
        [str(dbt), "build", "--profiles-dir", str(project), "--project-dir", str(project)],
        capture_output=True, text=True, timeout=900, check=False, env=env,
    )  # fmt: skip
    assert built.returncode == 0, built.stdout[-5000:]

    orders, total, lines = expected(singer_output)
    check = (
        "import duckdb, sys, json; c = duckdb.connect(sys.argv[1], read_only=True); print(json.dumps("
        "[str(v) for v in c.execute('SELECT count(*), sum(base_grand_total), (SELECT count(*) "
        "FROM analytics.fct_order_lines) FROM analytics.fct_orders').fetchone()]))"
    )
    numbers = subprocess.run(
        [str(python), "-c", check, str(database)],
        capture_output=True, text=True, timeout=120, check=True,
    )  # fmt: skip
    count, summed, line_count = json.loads(numbers.stdout)
    assert (int(count), Decimal(summed).quantize(Decimal("0.01")), int(line_count)) == (
        orders, total.quantize(Decimal("0.01")), lines,
    )  # fmt: skip
