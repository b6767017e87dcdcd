"""Real software we did not write, for the pipeline tests: Meltano and a PostgreSQL server.

``.ci/run`` installs both (Meltano into its own virtualenv, PostgreSQL from Debian's
packages) and sets ``TAP_MAGENTO_REQUIRE_PIPELINES=1``, which turns "not installed here" from
a skip into a failure: CI must run these tests.
"""

from __future__ import annotations

import glob
import json
import os
import pwd
import secrets
import shutil
import socket
import subprocess
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
# Meltano must not try to reach its Hub or send usage statistics: this machine is offline.
MELTANO_ENV = {"MELTANO_SEND_ANONYMOUS_USAGE_STATS": "false", "NO_COLOR": "1"}


def unavailable(reason: str) -> None:
    """Skip, or fail where the pipeline tests are required (CI)."""
    if os.environ.get("TAP_MAGENTO_REQUIRE_PIPELINES") == "1":
        pytest.fail(f"{reason} (TAP_MAGENTO_REQUIRE_PIPELINES=1: this test must run)")
    pytest.skip(f"{reason}; `bash .ci/run` installs it")


def meltano_executable() -> str:
    return _executable("TAP_MAGENTO_MELTANO", "meltano", "Meltano")


def dbt_executable() -> str:
    """dbt with dbt-duckdb (the PostgreSQL build uses the Meltano project's own dbt)."""
    return _executable("TAP_MAGENTO_DBT", "dbt", "dbt with dbt-duckdb")


def _executable(variable: str, program: str, what: str) -> str:
    found = os.environ.get(variable) or shutil.which(program)
    if not found:
        unavailable(f"{what} is not installed")
    assert found is not None
    return found


@dataclass
class MeltanoProject:
    """A copy of the repository's meltano.yml and dbt package in a directory of its own,
    installed as a user would."""

    root: Path
    executable: str

    @classmethod
    def create(cls, root: Path) -> MeltanoProject:
        project = cls(root, meltano_executable())
        text = (REPO / "meltano.yml").read_text()
        assert "pip_url: -e .\n" in text, "the extractor installs the repository it lives in"
        (root / "meltano.yml").write_text(text.replace("pip_url: -e .\n", f"pip_url: -e {REPO}\n"))
        # The dbt package the project's dbt-postgres utility builds.
        shutil.copytree(REPO / "dbt", root / "dbt", ignore=shutil.ignore_patterns("target", "logs"))
        done = project.run("install", timeout=900)
        assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
        return project

    def run(
        self, *args: str, env: dict[str, str] | None = None, timeout: float = 300
    ) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [self.executable, *args],
            cwd=self.root,
            check=False,
            capture_output=True,
            text=True,
            timeout=timeout,
            env={**os.environ, **MELTANO_ENV, **(env or {})},
        )

    def state(self, state_id: str) -> dict:
        done = self.run("state", "get", state_id)
        assert done.returncode == 0, done.stderr[-2000:]
        return json.loads(done.stdout)


@dataclass(frozen=True)
class Postgres:
    host: str
    port: int
    user: str
    password: str
    database: str
    bindir: Path

    def query(self, sql: str) -> list[list[str]]:
        """Rows of a query through ``psql``, each a list of column texts."""
        done = subprocess.run(
            [str(self.bindir / "psql"), "-h", self.host, "-p", str(self.port), "-U", self.user,
             "-d", self.database, "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
            capture_output=True, text=True, timeout=60, check=False,
            env={**os.environ, "PGPASSWORD": self.password},
        )  # fmt: skip
        assert done.returncode == 0, done.stderr
        return [line.split("\t") for line in done.stdout.splitlines()]

    def scalar(self, sql: str) -> str:
        return self.query(sql)[0][0]


def postgres_bindir() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    initdb = shutil.which("initdb")
    return Path(initdb).parent if initdb else None


def _version(path: str) -> int:
    return int(Path(path).parent.parent.name.split(".")[0])


@contextmanager
def postgres_server() -> Iterator[Postgres]:
    """A throwaway PostgreSQL server on a free loopback port, removed afterwards."""
    bindir = postgres_bindir()
    if bindir is None:
        unavailable("PostgreSQL's server programs (initdb, pg_ctl) are not installed")
    assert bindir is not None
    # PostgreSQL refuses to run as root: then its files belong to, and it runs as, "postgres".
    as_owner: list[str] = []
    if os.geteuid() == 0:
        try:
            pwd.getpwnam("postgres")
        except KeyError:
            unavailable("running as root, and there is no 'postgres' user to run PostgreSQL as")
        if shutil.which("runuser") is None:
            unavailable("running as root without runuser to start PostgreSQL as 'postgres'")
        as_owner = ["runuser", "-u", "postgres", "--"]
    root = Path(tempfile.mkdtemp(prefix="tap-magento-pg-"))
    data, password = root / "data", secrets.token_hex(8)
    (root / "pw").write_text(password)
    root.chmod(0o755)
    if as_owner:
        for path in (root, root / "pw"):
            shutil.chown(path, "postgres", "postgres")
    port = _free_port()

    def run(*command: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [*as_owner, *command], capture_output=True, text=True, timeout=120, check=False
        )

    try:
        initdb = run(str(bindir / "initdb"), "-D", str(data), "-U", "tap",
                     f"--pwfile={root / 'pw'}", "--auth-host=scram-sha-256",
                     "--auth-local=trust", "-E", "UTF8")  # fmt: skip
        options = f"-p {port} -k {root} -c listen_addresses=127.0.0.1 -c fsync=off"
        start = initdb if initdb.returncode else run(
            str(bindir / "pg_ctl"), "-D", str(data), "-o", options, "-l", str(root / "log"),
            "-w", "start",
        )  # fmt: skip
        if start.returncode:
            log = (root / "log").read_text() if (root / "log").exists() else ""
            unavailable(f"PostgreSQL could not be started: {(start.stderr + log)[-500:]}")
        try:
            yield Postgres("127.0.0.1", port, "tap", password, "postgres", bindir)
        finally:
            run(str(bindir / "pg_ctl"), "-D", str(data), "-m", "immediate", "stop")
    finally:
        shutil.rmtree(root, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
