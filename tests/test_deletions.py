"""Deleted records reach the target: a key pass per run, compared with the last complete one."""

from __future__ import annotations

import json
import logging
import random
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

import pytest

from tap_magento import deletions, passes
from tap_magento.deletions import KeyRanges
from tap_magento.sandbox.server import Fault, SandboxServer
from tap_magento.sandbox.store import Unreadable
from tests.support import SyncResult, bearer_config, catalog_selecting, sync, write_json

DETECTED = ["products", "categories", "customers"]
DELETED = {"products": [3, 50], "customers": [7], "categories": [4]}
KEY_PASS = r"fields=items%5Bid%5D%2Ctotal_count"


def _deleted(result: SyncResult) -> dict[str, list[Any]]:
    """The keys each stream's records say were deleted."""
    found: dict[str, list[Any]] = {}
    for stream, records in result.records.items():
        for record in records:
            if record.get("_sdc_deleted_at") is not None:
                found.setdefault(stream, []).append(record["id"])
    return {stream: sorted(set(keys)) for stream, keys in found.items()}


def _delete(server: SandboxServer, deleted: dict[str, list[int]]) -> None:
    for stream, keys in deleted.items():
        for key in keys:
            server.store.delete(stream, key)


def test_the_first_run_records_keys_and_the_next_reports_what_was_deleted(
    server: SandboxServer,
) -> None:
    config = bearer_config(server, store_codes=["default", "fr"])
    first = sync(config, streams=DETECTED)
    assert _deleted(first) == {}
    assert set(first.schemas["products"]["properties"]) >= {"_sdc_deleted_at", "id"}
    saved = first.final_state["bookmarks"]
    assert KeyRanges.from_state(saved["customers"]["key_ranges"]).count() == len(
        server.store.collection("customers").rows
    )
    key_requests = [r for r in server.requests if r.params.get("fields") == "items[id],total_count"]
    assert {r.path for r in key_requests} == {
        "/rest/default/V1/products", "/rest/fr/V1/products", "/rest/V1/categories/list",
        "/rest/V1/customers/search",
    }  # fmt: skip
    assert all(r.params["searchCriteria[sortOrders][0][field]"] == "entity_id"
               and "searchCriteria[sortOrders][1][field]" not in r.params
               for r in key_requests)  # fmt: skip

    _delete(server, DELETED)
    second = sync(config, state=first.final_state, streams=DETECTED)

    assert _deleted(second) == {stream: sorted(keys) for stream, keys in DELETED.items()}
    # Once per store view for products: their rows are keyed by id and store_code.
    marked = [(p["id"], p["store_code"]) for p in second.records["products"]
              if p.get("_sdc_deleted_at")]  # fmt: skip
    assert sorted(marked) == sorted((k, v) for k in DELETED["products"] for v in ("default", "fr"))
    stamp = next(r for r in second.records["customers"] if r.get("_sdc_deleted_at"))
    assert stamp["_sdc_deleted_at"] == stamp["updated_at"]
    # A third run has nothing new to report.
    third = sync(config, state=second.final_state, streams=DETECTED)
    assert _deleted(third) == {}


def test_a_run_stopped_during_the_key_pass_reports_no_deletion_and_the_next_reports_them(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(passes, "KEY_PAGE_RECORDS", 20)  # 120 customers: 6 key pages
    config = bearer_config(server, detect_deletions=["customers"], page_size=20)
    first = sync(config, streams=["customers"])
    _delete(server, {"customers": [7, 110]})
    # The store fails the third key page with an error no retry helps: the run stops there.
    stop = Fault(KEY_PASS, 400, body=json.dumps({"message": "Stopped."}), skip=2, times=None)
    server.faults.add(stop)
    stopped = sync(config, state=first.final_state, streams=["customers"], fails=True)
    assert stop.fired == 1
    assert _deleted(stopped) == {}
    assert (
        stopped.final_state["bookmarks"]["customers"]["key_ranges"]
        == (first.final_state["bookmarks"]["customers"]["key_ranges"])
    )

    server.faults.clear()
    full = sync(config, state=stopped.final_state, streams=["customers"])
    assert _deleted(full) == {"customers": [7, 110]}


def test_a_key_pass_that_skipped_an_unreadable_record_reports_nothing(
    server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    config = bearer_config(server, detect_deletions=["customers"])
    first = sync(config, streams=["customers"])
    _delete(server, {"customers": [9]})
    # A customer the store cannot render, not even its id: the key pass steps past it.
    server.store.break_record("customers", 12, Unreadable(nameable=False))
    with caplog.at_level(logging.WARNING):
        second = sync(config, state=first.final_state, streams=["customers"])
    assert _deleted(second) == {}
    assert "no deletions reported this run" in caplog.text
    assert (
        second.final_state["bookmarks"]["customers"]["key_ranges"]
        == (first.final_state["bookmarks"]["customers"]["key_ranges"])
    )


def test_a_key_set_too_fragmented_for_state_is_not_kept(
    server: SandboxServer, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr(deletions, "MAX_KEY_RANGES", 3)
    config = bearer_config(server, detect_deletions=["customers"])
    first = sync(config, streams=["customers"])
    assert "key_ranges" in first.final_state["bookmarks"]["customers"]
    _delete(server, {"customers": [10, 20, 30, 40]})  # five ranges now
    with caplog.at_level(logging.WARNING):
        second = sync(config, state=first.final_state, streams=["customers"])
    # What this run found is still reported; then the set is dropped, not kept growing.
    assert _deleted(second) == {"customers": [10, 20, 30, 40]}
    assert "key_ranges" not in second.final_state["bookmarks"]["customers"]
    assert "too fragmented to keep in STATE" in caplog.text


def test_key_ranges_stay_small_and_exact() -> None:
    keys = range(1, 200_001)
    gone = set(random.Random(3).sample(keys, 2_000))
    before, after = KeyRanges.of(keys), KeyRanges.of(k for k in keys if k not in gone)
    assert list(before.missing_from(after)) == sorted(gone)
    assert list(after.missing_from(before)) == []
    assert KeyRanges.from_state(after.to_state()).ranges == after.ranges
    assert len(after) <= len(gone) + 1
    assert len(json.dumps(after.to_state())) < 12 * len(after)


def test_detection_is_off_with_an_empty_list(server: SandboxServer) -> None:
    result = sync(bearer_config(server, detect_deletions=[]), streams=DETECTED)
    assert not [r for r in server.requests if r.params.get("fields")]
    assert "_sdc_deleted_at" not in result.schemas["customers"]["properties"]
    assert "key_ranges" not in json.dumps(result.final_state)


def test_deletions_as_activate_version_reads_the_stream_again_then_activates_it(
    server: SandboxServer,
) -> None:
    config = bearer_config(server, detect_deletions=["customers"], deletions_as="activate_version")
    first = sync(config, streams=["customers"])
    _delete(server, {"customers": [5, 6]})
    second = sync(config, state=first.final_state, streams=["customers"])

    messages = [m for m in second.messages if m["type"] in {"RECORD", "ACTIVATE_VERSION"}]
    activations = [m for m in messages if m["type"] == "ACTIVATE_VERSION"]
    assert len(activations) == 1 and messages[-1] == activations[0]  # after every record
    version = activations[0]["version"]
    tagged = [m["record"]["id"] for m in messages
              if m["type"] == "RECORD" and m.get("version") == version]  # fmt: skip
    # Every live customer again, with the version: the deleted ones are the rows it lacks.
    assert sorted(tagged) == sorted(server.store.collection("customers").rows)
    assert _deleted(second) == {}
    bookmarks = second.final_state["bookmarks"]["customers"]
    assert (
        bookmarks["replication_key_value"]
        == (first.final_state["bookmarks"]["customers"]["replication_key_value"])
    )
    # Nothing deleted since: no second reading, no activation.
    third = sync(config, state=second.final_state, streams=["customers"])
    assert not [m for m in third.messages if m["type"] == "ACTIVATE_VERSION"]
    assert len(third.records["customers"]) < len(server.store.collection("customers").rows)


def test_a_reading_again_that_skips_a_record_does_not_activate(server: SandboxServer) -> None:
    config = bearer_config(server, detect_deletions=["customers"], deletions_as="activate_version")
    first = sync(config, streams=["customers"])
    _delete(server, {"customers": [5]})
    # Readable by key (the key pass), not whole: the second reading steps past it, and a new
    # version without it would remove its row.
    server.store.break_record("customers", 30)
    second = sync(config, state=first.final_state, streams=["customers"])
    assert not [m for m in second.messages if m["type"] == "ACTIVATE_VERSION"]
    # The saved key set stays, so the next run finds the deletion again.
    assert (
        second.final_state["bookmarks"]["customers"]["key_ranges"]
        == (first.final_state["bookmarks"]["customers"]["key_ranges"])
    )


def test_activate_version_is_not_used_for_a_stream_read_in_several_partitions(
    server: SandboxServer, caplog: pytest.LogCaptureFixture
) -> None:
    config = bearer_config(server, detect_deletions=["products"], deletions_as="activate_version",
                           store_codes=["default", "fr"])  # fmt: skip
    first = sync(config, streams=["products"])
    _delete(server, {"products": [3]})
    with caplog.at_level(logging.WARNING):
        second = sync(config, state=first.final_state, streams=["products"])
    assert not [m for m in second.messages if m["type"] == "ACTIVATE_VERSION"]
    assert "one table version covers them all" in caplog.text


def test_a_run_killed_during_the_key_pass_then_a_full_run_reports_no_false_deletion(
    server: SandboxServer, tmp_path: Path
) -> None:
    config = bearer_config(server, detect_deletions=["customers"])
    first = sync(config, streams=["customers"])
    _delete(server, {"customers": [21]})
    # The key pass's request hangs in the store; the process is killed while it waits.
    hang = server.faults.add(Fault(KEY_PASS, 500, delay=5, times=1))
    catalog = catalog_selecting(server, tmp_path, "customers")
    state = write_json(tmp_path, "state.json", first.final_state)
    command = [sys.executable, "-m", "tap_magento", "--config",
               write_json(tmp_path, "config.json", config), "--catalog", catalog, "--state", state]  # fmt: skip
    with subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL) as tap:
        deadline = time.monotonic() + 60
        while hang.fired == 0 and time.monotonic() < deadline and tap.poll() is None:
            time.sleep(0.05)
        assert hang.fired == 1
        tap.kill()
        out, _ = tap.communicate()
    killed = SyncResult.parse(out.decode())
    assert _deleted(killed) == {}
    last_state = killed.states[-1] if killed.states else first.final_state
    assert (
        last_state["bookmarks"]["customers"]["key_ranges"]
        == (first.final_state["bookmarks"]["customers"]["key_ranges"])
    )
    full = sync(config, state=last_state, streams=["customers"])
    assert _deleted(full) == {"customers": [21]}
