"""On-disk layout of a devnet datadir: block files, write-ahead log, checkpoints.

Layout::

    <datadir>/chaindata/meta.json                 network + genesis hash
    <datadir>/chaindata/blocks/<height>.json      one JSON file per block
    <datadir>/wal/wal.log                         pending multi-file change
    <datadir>/checkpoints/checkpoint_<h>.json     state snapshot + block
    <datadir>/.clean_shutdown                     written on clean stop

Every chain change (append, reorg, restore) is one WAL record "keep blocks
0..keep, then these blocks": it is appended and fsynced before any block file
is touched and cleared afterwards, so a crash at any point is repaired by
replaying the record on the next start.
"""

from __future__ import annotations

import fcntl
import json
import os
import time
from pathlib import Path
from typing import IO, Any

from devnet.chain import Block, State, block_hash, canonical, genesis_block, replay, sha256_hex, state_root

MARKER = ".clean_shutdown"


def atomic_write(path: Path, data: bytes) -> None:
    """Write a sibling temp file then os.replace: readers never see half a file."""
    tmp = path.with_name(path.name + ".tmp")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, path)


class StorageError(Exception):
    pass


class Storage:
    def __init__(self, datadir: str | Path) -> None:
        self.datadir = Path(datadir)
        self.chaindata = self.datadir / "chaindata"
        self.blocks_dir = self.chaindata / "blocks"
        self.wal_dir = self.datadir / "wal"
        self.wal_path = self.wal_dir / "wal.log"
        self.checkpoints_dir = self.datadir / "checkpoints"
        self.meta_path = self.chaindata / "meta.json"
        self.marker_path = self.datadir / MARKER

    # ----- lifecycle -------------------------------------------------------
    def lock(self) -> IO[bytes]:
        """Exclusive lock on the datadir (released by the OS even on SIGKILL).

        Stops a second node, or a restore, from writing under a running node.
        """
        self.datadir.mkdir(parents=True, exist_ok=True)
        handle = open(self.datadir / "LOCK", "ab")  # held for the process lifetime
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError as exc:
            handle.close()
            raise StorageError(f"datadir {self.datadir} is in use by a running node") from exc
        return handle

    def exists(self) -> bool:
        return self.meta_path.exists()

    def init(self, network: str) -> None:
        for d in (self.blocks_dir, self.wal_dir, self.checkpoints_dir):
            d.mkdir(parents=True, exist_ok=True)
        if not self.meta_path.exists():
            genesis = genesis_block(network)
            self.apply_change(-1, [genesis])
            meta = {"network": network, "genesisHash": genesis["hash"], "format": 1}
            atomic_write(self.meta_path, canonical(meta))

    def network(self) -> str:
        try:
            meta = json.loads(self.meta_path.read_text())
            return str(meta["network"])
        except (OSError, ValueError, KeyError, TypeError) as exc:
            raise StorageError(f"cannot read {self.meta_path}: {exc}") from exc

    def begin_run(self) -> bool:
        """Remove the clean-shutdown marker; returns True when the last stop was unclean."""
        clean = self.marker_path.exists()
        if clean:
            self.marker_path.unlink()
        return not clean

    def mark_clean(self) -> None:
        atomic_write(self.marker_path, str(int(time.time())).encode())

    # ----- write-ahead log ---------------------------------------------------
    def replay_wal(self) -> int:
        """Re-apply complete WAL records, drop a torn tail; returns records applied."""
        if not self.wal_path.exists():
            return 0
        applied = 0
        data = self.wal_path.read_bytes()
        for line in data.split(b"\n")[:-1]:  # the last piece has no newline: torn or empty
            try:
                entry = json.loads(line)
                record = entry["rec"]
                if entry["sum"] != sha256_hex(canonical(record)):
                    break
                self._apply_files(int(record["keep"]), list(record["blocks"]))
                applied += 1
            except (ValueError, KeyError, TypeError):
                break  # a damaged record: everything after it is untrusted
        self._clear_wal()
        return applied

    def _clear_wal(self) -> None:
        with open(self.wal_path, "wb") as fh:
            fh.truncate(0)

    def apply_change(self, keep: int, blocks: list[Block]) -> None:
        """Make the stored chain = stored[0..keep] + blocks, crash-safely."""
        record = {"keep": keep, "blocks": blocks}
        line = canonical({"sum": sha256_hex(canonical(record)), "rec": record}) + b"\n"
        self.wal_dir.mkdir(parents=True, exist_ok=True)
        with open(self.wal_path, "ab") as fh:
            fh.write(line)
            fh.flush()
            os.fsync(fh.fileno())  # the intent must be durable before files change
        self._apply_files(keep, blocks)
        self._clear_wal()

    def _apply_files(self, keep: int, blocks: list[Block]) -> None:
        self.blocks_dir.mkdir(parents=True, exist_ok=True)
        for i, block in enumerate(blocks):
            atomic_write(self.block_path(keep + 1 + i), canonical(block))
        new_tip = keep + len(blocks)
        # Delete from the top down so an interrupted delete still leaves a contiguous prefix.
        for h in sorted((h for h in self.stored_heights() if h > new_tip), reverse=True):
            self.block_path(h).unlink(missing_ok=True)

    # ----- blocks ------------------------------------------------------------
    def block_path(self, height: int) -> Path:
        return self.blocks_dir / f"{height:012d}.json"

    def stored_heights(self) -> list[int]:
        if not self.blocks_dir.exists():
            return []
        heights = []
        for p in self.blocks_dir.iterdir():
            if p.suffix == ".json" and p.stem.isdigit():
                heights.append(int(p.stem))
        return sorted(heights)

    def read_blocks(self) -> tuple[list[Block], int | None, str | None, int]:
        """Read the contiguous block files.

        Returns (blocks, first_bad_height, reason, stored_tip) where blocks is the
        readable prefix and first_bad_height/reason describe a file-level problem.
        """
        heights = self.stored_heights()
        stored_tip = heights[-1] if heights else -1
        blocks: list[Block] = []
        for expected, h in enumerate(heights):
            if h != expected:
                return blocks, expected, f"missing block file for height {expected}", stored_tip
            try:
                block = json.loads(self.block_path(h).read_bytes())
            except (OSError, ValueError) as exc:
                return blocks, h, f"unreadable block file at height {h}: {exc}", stored_tip
            if not isinstance(block, dict) or block.get("height") != h:
                return blocks, h, f"block file at height {h} holds the wrong block", stored_tip
            blocks.append(block)
        return blocks, None, None, stored_tip

    def corrupt_block(self, height: int) -> Path:
        """Fault injection: flip bytes of a stored block's stateRoot on disk."""
        path = self.block_path(height)
        data = bytearray(path.read_bytes())
        at = data.find(b'"stateRoot":"0x')
        pos = at + len(b'"stateRoot":"0x') if at >= 0 else len(data) // 2
        for i in range(pos, min(pos + 4, len(data))):
            data[i] ^= 0x01  # '0'<->'1', 'a'<->'`': still JSON, wrong content
        path.write_bytes(bytes(data))
        return path

    # ----- checkpoints -------------------------------------------------------
    def checkpoint_path(self, name: str) -> Path:
        return self.checkpoints_dir / f"{name}.json"

    def write_checkpoint(self, network: str, block: Block, state: State) -> str:
        name = f"checkpoint_{block['height']}"
        doc = {
            "name": name,
            "network": network,
            "height": block["height"],
            "blockHash": block["hash"],
            "stateRoot": state_root(state),
            "createdAt": int(time.time()),
            "state": state,
            "block": block,
        }
        self.checkpoints_dir.mkdir(parents=True, exist_ok=True)
        atomic_write(self.checkpoint_path(name), canonical(doc))
        return name

    def drop_checkpoints_above(self, height: int) -> None:
        """After a reorg, checkpoints of abandoned blocks are no longer true."""
        for cp in self.list_checkpoints():
            if cp["height"] > height:
                self.checkpoint_path(cp["name"]).unlink(missing_ok=True)

    def list_checkpoints(self) -> list[dict[str, Any]]:
        out: list[dict[str, Any]] = []
        if not self.checkpoints_dir.exists():
            return out
        for p in self.checkpoints_dir.glob("checkpoint_*.json"):
            try:
                doc = json.loads(p.read_bytes())
                out.append(
                    {
                        "name": p.stem,
                        "height": int(doc["height"]),
                        "blockHash": doc["blockHash"],
                        "stateRoot": doc["stateRoot"],
                        "createdAt": doc.get("createdAt"),
                        "sizeBytes": p.stat().st_size,
                    }
                )
            except (OSError, ValueError, KeyError, TypeError):
                out.append({"name": p.stem, "height": -1, "error": "unreadable checkpoint"})
        return sorted(out, key=lambda c: int(c["height"]))

    def load_checkpoint(self, name: str) -> dict[str, Any]:
        path = self.checkpoint_path(name)
        try:
            doc = json.loads(path.read_bytes())
        except FileNotFoundError as exc:
            raise StorageError(f"no checkpoint named {name!r}") from exc
        except (OSError, ValueError) as exc:
            raise StorageError(f"checkpoint {name!r} is unreadable: {exc}") from exc
        block = doc.get("block")
        try:
            intact = isinstance(block, dict) and block_hash(block) == block.get("hash") == doc["blockHash"]
        except (KeyError, TypeError):
            intact = False
        if not isinstance(block, dict) or not intact:
            raise StorageError(f"checkpoint {name!r}: block hash does not match")
        if state_root(doc.get("state", {})) != doc.get("stateRoot"):
            raise StorageError(f"checkpoint {name!r}: state snapshot does not match its root")
        if block["stateRoot"] != doc["stateRoot"]:
            raise StorageError(f"checkpoint {name!r}: state root differs from its block")
        return dict(doc)

    def restore_checkpoint(self, name: str) -> dict[str, Any]:
        """Truncate the chain back to the checkpoint's block (crash-safe via the WAL)."""
        with self.lock():  # never truncate under a running node
            doc = self.load_checkpoint(name)
            height = int(doc["height"])
            before = self.stored_heights()
            self.apply_change(height - 1, [doc["block"]])
            self.drop_checkpoints_above(height)
            removed = len([h for h in before if h > height])
        return {"checkpoint": name, "height": height, "blockHash": doc["blockHash"], "removedBlocks": removed}

    # ----- reporting ---------------------------------------------------------
    def size_bytes(self) -> int:
        total = 0
        for root, _dirs, files in os.walk(self.datadir):
            for f in files:
                try:
                    total += os.path.getsize(os.path.join(root, f))
                except OSError:
                    pass  # a temp file may vanish between listing and stat
        return total


def verify_datadir(datadir: str | Path) -> dict[str, Any]:
    """The `verify` command: hash links, hashes, merkle roots and state replay."""
    store = Storage(datadir)
    try:
        network = store.network()
    except StorageError as exc:
        return {"ok": False, "height": -1, "first_bad_height": 0, "reason": str(exc)}
    blocks, bad, reason, stored_tip = store.read_blocks()
    result = replay(blocks, network)
    if result.first_bad_height is not None:
        bad, reason = result.first_bad_height, result.reason
    return {
        "ok": bad is None,
        "network": network,
        "height": stored_tip,
        "first_bad_height": bad,
        "reason": reason,
        "tipHash": blocks[-1]["hash"] if bad is None and blocks else None,
    }
