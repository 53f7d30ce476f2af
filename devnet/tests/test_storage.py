"""Durability and the data-corruption drill: SIGKILL, corrupt_data, verify, restore-checkpoint."""

from __future__ import annotations

import signal
import subprocess
import sys
from pathlib import Path

from devnet.chain import canonical, genesis_block, sha256_hex
from devnet.storage import Storage, verify_datadir
from devnet.tests.conftest import StartNode
from devnet.tests.util import REPO_ROOT, DevnetNode, run_cli, wait_for


def _hashes(node: DevnetNode, upto: int) -> list[str]:
    return [node.rpc("chain_getBlock", {"height": h})["hash"] for h in range(upto + 1)]


def test_sigkill_and_restart_keeps_blocks(devnet_node: DevnetNode) -> None:
    node = devnet_node
    assert wait_for(lambda: node.height() >= 6)
    height = node.height()
    before = _hashes(node, height)
    assert node.stop(signal.SIGKILL) == -signal.SIGKILL
    assert not (node.datadir / ".clean_shutdown").exists()
    node.start()
    assert node.ready["height"] >= height
    assert _hashes(node, height) == before
    assert node.get("/health")[0] == 200
    assert node.stop() == 0
    assert (node.datadir / ".clean_shutdown").exists()
    code, report = run_cli("verify", "--datadir", str(node.datadir))
    assert code == 0 and report["ok"] is True and report["first_bad_height"] is None


def test_corrupt_data_verify_and_restore(devnet_node: DevnetNode) -> None:
    node = devnet_node
    assert wait_for(lambda: node.height() >= 12)
    status, body = node.post("/admin/faults", {"fault": "corrupt_data"})
    assert status == 200 and body["ok"] is True
    bad_height = body["height"]

    status, health = node.get("/health")
    assert status == 503 and health["status"] == "unhealthy" and str(bad_height) in health["reason"]
    stats = node.rpc("chain_getStats")  # still answers so the console can see it
    assert stats["miningActive"] is False and stats["status"] == "corrupted"
    assert node.get("/admin/faults")[1]["active"] == ["corrupt_data"]
    code, refused = run_cli("restore-checkpoint", "--datadir", str(node.datadir), "--checkpoint", "checkpoint_5")
    assert code == 1 and "in use" in refused["error"]  # the datadir lock protects a running node
    assert node.stop() == 0

    code, report = run_cli("verify", "--datadir", str(node.datadir))
    assert code == 1 and report["ok"] is False
    assert report["first_bad_height"] == bad_height and report["reason"]

    code, listing = run_cli("checkpoints", "--datadir", str(node.datadir))
    assert code == 0
    usable = [c for c in listing["checkpoints"] if c["height"] <= bad_height]
    assert usable, listing
    name = usable[-1]["name"]
    code, restored = run_cli("restore-checkpoint", "--datadir", str(node.datadir), "--checkpoint", name)
    assert code == 0 and restored["ok"] is True and restored["height"] == usable[-1]["height"]
    code, report = run_cli("verify", "--datadir", str(node.datadir))
    assert code == 0 and report["height"] == usable[-1]["height"]

    node.start()  # a restored datadir starts healthy and mines on
    assert node.get("/health")[0] == 200
    assert wait_for(lambda: node.height() > usable[-1]["height"])


def test_corrupt_datadir_starts_unhealthy(start_devnet: StartNode, tmp_path: Path) -> None:
    node = start_devnet("c-1", "--block-interval", "0.1")
    assert wait_for(lambda: node.height() >= 4)
    node.stop()
    Storage(node.datadir).corrupt_block(2)
    node.start()
    status, health = node.get("/health")
    assert status == 503 and "height 2" in health["reason"]
    assert node.rpc("chain_getStats")["height"] == 1  # the valid prefix
    assert node.rpc("miner_status")["running"] is False
    code, _ = run_cli("restore-checkpoint", "--datadir", str(node.datadir), "--checkpoint", "checkpoint_999")
    assert code == 1


def test_wal_replay_and_torn_tail(tmp_path: Path) -> None:
    store = Storage(tmp_path / "d")
    store.init("devnet")
    genesis = genesis_block("devnet")
    # A torn record (no newline) is dropped; the stored chain is untouched.
    store.wal_path.write_bytes(b'{"sum":"0x00","rec":{"keep":0,"blo')
    assert store.replay_wal() == 0 and store.wal_path.read_bytes() == b""
    assert [b["hash"] for b in store.read_blocks()[0]] == [genesis["hash"]]
    # A complete record whose files were never written (crash right after the WAL fsync) is replayed.
    store.block_path(0).unlink()
    record = {"keep": -1, "blocks": [genesis]}
    store.wal_path.write_bytes(canonical({"sum": sha256_hex(canonical(record)), "rec": record}) + b"\n")
    assert store.replay_wal() == 1
    assert verify_datadir(store.datadir)["ok"] is True


def test_bad_cli_input_is_an_argparse_error(tmp_path: Path) -> None:
    for args in (["--name", "x"], ["--name", "x", "--datadir", str(tmp_path), "--rpc-port", "99999"]):
        proc = subprocess.run(
            [sys.executable, "-m", "devnet", *args], cwd=REPO_ROOT, capture_output=True, text=True, check=False
        )
        assert proc.returncode == 2 and "Traceback" not in proc.stderr and "usage:" in proc.stderr
