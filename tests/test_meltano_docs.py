"""Every shell command of the README and docs/, run as written: Meltano's in a copy of this
repository's project with real Meltano, target-jsonl, target-postgres and a PostgreSQL server;
the tap's and the sandbox's in a scratch folder. Against the sandbox store where the docs say
https://shop.example.com. (The new-project commands are run by ``tests/test_hub.py``.)"""

from __future__ import annotations

import json
import re
import shutil
import socket
import subprocess
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from tests.documented import REPO, Block, code_blocks, run_block, shell_blocks
from tests.pipelines import MELTANO_ENV, MeltanoProject, Postgres, postgres_server

MELTANO_BLOCKS = [b for b in shell_blocks("meltano") if not b.text.startswith("meltano init")]
# Blocks the tests do not run here, and why.
NOT_HERE = {
    "README.md (Set up)": "a virtualenv and an install: what .ci/run itself does",
}
SELECTED = ("orders", "customers", "order_addresses")  # two lists, and a child of one
Check = Callable[[Path, "subprocess.CompletedProcess[str]"], None]


def _pages() -> list[Path]:
    """Pages with Meltano commands, docs/meltano.md first: the others build on its project."""
    pages = list(dict.fromkeys(b.page for b in MELTANO_BLOCKS))
    return sorted(pages, key=lambda page: page.name != "meltano.md")


# --- what every page's commands must do -------------------------------------------------------


def test_every_documented_command_is_one_a_test_runs() -> None:
    new_project = [b for b in shell_blocks("meltano") if b.text.startswith("meltano init")]
    assert len(new_project) == 1 and new_project[0].heading == "A new Meltano project"
    for block in MELTANO_BLOCKS:
        assert set(block.programs) <= {"meltano"}, block.name  # nothing else hides in them
    taps = shell_blocks("tap-magento") + shell_blocks("tap-magento-sandbox")
    assert {b.name for b in taps} - {b.name for b in TAP_BLOCKS} == set(NOT_HERE)


def test_no_page_writes_a_meltano_3_or_two_plugin_command() -> None:
    wrong = re.compile(
        r"meltano config (?!(list|print|set|unset|reset|test)\b)\S+ (set|list|unset)"  # Meltano 3
        r"|meltano add (extractor|loader)s? \S+"  # Meltano 4 takes both words as plugin names
    )
    found = [
        f"{page.name}: {match.group(0)}"
        for page in [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
        for match in wrong.finditer(page.read_text())
    ]
    assert found == []


# --- the Meltano commands, page by page ----------------------------------------------------


@pytest.fixture(scope="module")
def postgres() -> Iterator[Postgres]:
    with postgres_server() as server:
        yield server


@pytest.fixture(scope="module")
def project(tmp_path_factory: pytest.TempPathFactory) -> MeltanoProject:
    return MeltanoProject.create(tmp_path_factory.mktemp("docs-project"))


def _newest(folder: Path, stream: str) -> list[dict]:
    newest = max(folder.glob(f"output/{stream}-*.jsonl"), key=lambda p: p.stat().st_mtime_ns)
    return [json.loads(line) for line in newest.read_text().splitlines()]


def _flattened_and_mapped(root: Path, done: subprocess.CompletedProcess[str]) -> None:
    customers = _newest(root, "customers")
    assert customers and all("email" not in c and len(c["email_hash"]) == 32 for c in customers)
    assert all("billing_address__city" in o for o in _newest(root, "orders"))


def _mapped_from_the_environment(root: Path, done: subprocess.CompletedProcess[str]) -> None:
    customers = _newest(root, "customers")
    assert customers and all("email" not in c and "email_hash" not in c for c in customers)


def _batches(root: Path, done: subprocess.CompletedProcess[str]) -> None:
    messages = [json.loads(line) for line in (root / "batches.singer").read_text().splitlines()]
    # The lists in batches; a child's rows as RECORDs, written from its parent's pass.
    assert {m["stream"] for m in messages if m["type"] == "BATCH"} == {"orders", "customers"}
    assert {m["stream"] for m in messages if m["type"] == "RECORD"} == {"order_addresses"}
    assert list((root / "batches").glob("*.json.gz"))


def _structured_logs(root: Path, done: subprocess.CompletedProcess[str]) -> None:
    logged = [json.loads(line) for line in done.stderr.splitlines()]  # every line JSON
    tap = [line for line in logged if line.get("plugin_logger") == "tap-magento"]
    assert any(line["event"].startswith("Connection test passed") for line in tap)


def _nightly_runs(root: Path, done: subprocess.CompletedProcess[str]) -> None:
    # The frequent schedule's run looks for no deletions, the nightly one's does: one key pass.
    output = done.stdout + done.stderr
    assert output.count("customers keys: ") == 1, output[-3000:]


def _orders_from_their_own_start(root: Path, done: subprocess.CompletedProcess[str]) -> None:
    orders = _newest(root, "orders")
    assert orders and all(o["updated_at"] >= "2025-03-01" for o in orders)
    # start_date is not set: the customers start at the first one.
    assert min(c["updated_at"] for c in _newest(root, "customers")) < "2025-03-01"


def _built_and_tested(root: Path, done: subprocess.CompletedProcess[str]) -> None:
    output = done.stdout + done.stderr
    assert "Completed successfully" in output and " ERROR=0 " in output, output[-3000:]
    assert "PASS=" in output


# What a block must have done besides succeeding, by a command it holds.
CHECKS: dict[str, Check] = {
    "email_hash": _flattened_and_mapped,
    "TAP_MAGENTO_STREAM_MAPS=": _mapped_from_the_environment,
    "meltano invoke tap-magento > batches.singer": _batches,
    "meltano --log-format=json": _structured_logs,
    "meltano schedule run": _nightly_runs,
    "--state-id-suffix=own-starts": _orders_from_their_own_start,
    "dbt-postgres:build": _built_and_tested,
}


@pytest.mark.slow
@pytest.mark.parametrize("page", _pages(), ids=lambda page: page.name)
def test_the_meltano_commands_of_each_page_run_as_written(
    project: MeltanoProject, postgres: Postgres, page: Path
) -> None:
    root = project.root
    installed = {name: (root / name).read_text() for name in ("meltano.yml",)}
    (root / ".env").unlink(missing_ok=True)
    env = {
        **MELTANO_ENV,
        "PATH": f"{Path(project.executable).parent}:{Path(sys.executable).parent}:/usr/bin:/bin",
        "TARGET_POSTGRES_HOST": postgres.host,
        "TARGET_POSTGRES_PORT": str(postgres.port),
        "TARGET_POSTGRES_USER": postgres.user,
        "TARGET_POSTGRES_PASSWORD": postgres.password,
        "TARGET_POSTGRES_DATABASE": postgres.database,
        # Each page's tables apart, as if each were a reader's own pipeline.
        "TARGET_POSTGRES_DEFAULT_TARGET_SCHEMA": f"docs_{page.stem.replace('-', '_')}",
        # Meltano's select, from the environment: the streams the checks look at, so a run
        # takes seconds (test_pipelines.py reads every stream through Meltano).
        "TAP_MAGENTO__SELECT": json.dumps([f"{stream}.*" for stream in SELECTED]),
    }
    try:
        for block in code_blocks(page):
            if block.language == "yaml" and block.text.startswith("schedules:"):
                _replace_section(root / "meltano.yml", block.text)  # "give ... in meltano.yml"
            if block not in MELTANO_BLOCKS:
                continue
            before = (root / "meltano.yml").read_text()
            # dbt builds from every stream's table: the whole store, not the checks' streams.
            whole = "dbt-postgres" in block.text
            block_env = {k: v for k, v in env.items() if not (whole and k == "TAP_MAGENTO__SELECT")}
            if whole:  # as from a fresh clone: no bookmarks of the other pages' runs
                cleared = project.run(
                    "state", "clear", "--force", "dev:tap-magento-to-target-postgres", env=env
                )
                assert cleared.returncode == 0, cleared.stderr[-2000:]
            done = run_block(block, root, block_env, {}, timeout=1200)
            assert done.returncode == 0, f"{block.name}:\n{block.text}\n{done.stderr[-4000:]}"
            assert "Traceback" not in done.stderr, done.stderr[-4000:]
            # `meltano config set` writes the lines it sets, and no others.
            assert _settings(root / "meltano.yml") == _settings(before), block.name
            for command, check in CHECKS.items():
                if command in block.text:
                    check(root, done)
    finally:
        for name, text in installed.items():
            (root / name).write_text(text)
        shutil.rmtree(root / "output", ignore_errors=True)


def _settings(file: Path | str) -> list[str]:
    """meltano.yml less what the docs' commands change: plugins' config, jobs, schedules."""
    text = file.read_text() if isinstance(file, Path) else file
    kept, within = [], ""
    for line in text.splitlines():
        if line in {"    config:", "jobs:", "schedules:"}:
            within = "      " if line.startswith(" ") else ("-", " ")  # what its lines start with
            continue
        if within and line.startswith(within):
            continue
        within = ""
        kept.append(line)
    return kept


def _replace_section(file: Path, section: str) -> None:
    """``section`` (a top-level key and its lines) in place of the file's own."""
    name = section.split(":", 1)[0]
    lines, out, skipping = file.read_text().splitlines(), [], False
    for line in lines:
        if line == f"{name}:":
            skipping = True
            continue
        if skipping and (line.startswith(("-", " ")) or not line):
            continue
        skipping = False
        out.append(line)
    file.write_text("\n".join(out) + "\n" + section)


# --- the tap's and the sandbox's commands -------------------------------------------------


TAP_BLOCKS = [
    b
    for b in shell_blocks("tap-magento") + shell_blocks("tap-magento-sandbox")
    if b.name not in NOT_HERE
]


@pytest.mark.parametrize(
    "block", [b for b in TAP_BLOCKS if b.runs("tap-magento")], ids=lambda b: b.name
)
def test_the_tap_commands_run_as_written(tmp_path: Path, block: Block) -> None:
    (tmp_path / "config.json").write_text('{"store_url": "sandbox"}')
    env = {"PATH": f"{Path(sys.executable).parent}:/usr/bin:/bin"}
    done = run_block(block, tmp_path, env, {}, timeout=600)
    assert done.returncode == 0, done.stderr[-3000:]
    first = [json.loads(line) for line in (tmp_path / "first.singer").read_text().splitlines()]
    state = json.loads((tmp_path / "state.json").read_text())
    assert first[-1] == {"type": "STATE", "value": state}
    again = [json.loads(line) for line in (tmp_path / "next.singer").read_text().splitlines()]
    orders = sum(m["type"] == "RECORD" and m["stream"] == "orders" for m in first)
    repeated = sum(m["type"] == "RECORD" and m["stream"] == "orders" for m in again)
    assert orders == 500 and repeated < orders  # the next run reads from the bookmark


@pytest.mark.slow
@pytest.mark.parametrize(
    "block", [b for b in TAP_BLOCKS if b.runs("tap-magento-sandbox")], ids=lambda b: b.name
)
def test_the_sandbox_commands_serve_a_store(block: Block) -> None:
    for line in block.text.splitlines():
        command = line.split("#")[0].split()
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = str(probe.getsockname()[1])
        if "--port" in command:
            command[command.index("--port") + 1] = port
        else:
            command += ["--port", port]
        program = Path(sys.executable).parent / command[0]
        with subprocess.Popen(
            [str(program), *command[1:]], stdout=subprocess.PIPE, text=True
        ) as sandbox:
            try:
                assert sandbox.stdout is not None
                lines = [sandbox.stdout.readline() for _ in range(2)]
            finally:
                sandbox.terminate()
        assert lines[0].startswith("Sandbox Magento store at http://127.0.0.1:"), line
        assert json.loads(lines[1].split(":", 1)[1])["store_url"].startswith("http"), line
