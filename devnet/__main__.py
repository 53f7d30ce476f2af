"""CLI: `python -m devnet [run] ...`, `verify`, `checkpoints`, `restore-checkpoint`."""

from __future__ import annotations

import argparse
import json
import logging
import sys
from collections.abc import Sequence
from typing import Any

from devnet.node import NodeConfig
from devnet.storage import Storage, StorageError, verify_datadir

COMMANDS = ("run", "verify", "checkpoints", "restore-checkpoint")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a port number: {text!r}") from exc
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError(f"port out of range 0-65535: {value}")
    return value


def _positive_float(text: str) -> float:
    try:
        value = float(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not a number: {text!r}") from exc
    if not 0 < value < float("inf"):  # also rejects NaN
        raise argparse.ArgumentTypeError(f"must be a positive number: {text!r}")
    return value


def _positive_int(text: str) -> int:
    try:
        value = int(text)
    except ValueError as exc:
        raise argparse.ArgumentTypeError(f"not an integer: {text!r}") from exc
    if value < 1:
        raise argparse.ArgumentTypeError(f"must be >= 1: {value}")
    return value


def _peers(text: str) -> list[str]:
    urls = [u.strip().rstrip("/") for u in text.split(",") if u.strip()]
    for url in urls:
        if not url.startswith(("http://", "https://")):
            raise argparse.ArgumentTypeError(f"peer must be an http(s) RPC URL: {url!r}")
    return urls


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="python -m devnet",
        description="Simulated Dinari node for the ops console (stdlib only). Without a command, 'run' is assumed.",
        epilog="See `python -m devnet run --help` for the node options.",
    )
    sub = parser.add_subparsers(dest="command", metavar="{run,verify,checkpoints,restore-checkpoint}")

    run = sub.add_parser("run", help="run a node (default)")
    run.add_argument("--name", required=True, help="node name, e.g. node-1")
    run.add_argument("--datadir", required=True)
    run.add_argument("--network", default="devnet")
    run.add_argument("--rpc-host", default="127.0.0.1")
    run.add_argument("--rpc-port", type=_port, default=8545)
    run.add_argument("--metrics-port", type=_port, default=9090)
    run.add_argument("--block-interval", type=_positive_float, default=15.0, help="seconds (float)")
    run.add_argument("--mine", action=argparse.BooleanOptionalAction, default=True)
    run.add_argument("--peers", type=_peers, default=[], help="comma-separated peer RPC URLs")
    run.add_argument("--api-key")
    run.add_argument("--jwt-secret")
    run.add_argument("--rate-limit", type=_positive_float, help="requests/s per client IP")
    run.add_argument("--rate-burst", type=_positive_int, default=20)
    run.add_argument("--checkpoint-interval", type=_positive_int, default=1000)
    run.add_argument("--max-txs-per-block", type=_positive_int, default=500)
    run.add_argument("--log-level", default="INFO", choices=("DEBUG", "INFO", "WARNING", "ERROR"))

    verify = sub.add_parser("verify", help="check the stored chain's integrity")
    verify.add_argument("--datadir", required=True)
    cps = sub.add_parser("checkpoints", help="list checkpoints as JSON")
    cps.add_argument("--datadir", required=True)
    restore = sub.add_parser("restore-checkpoint", help="truncate the chain back to a checkpoint")
    restore.add_argument("--datadir", required=True)
    restore.add_argument("--checkpoint", required=True, help="e.g. checkpoint_1000")
    return parser


def _print(doc: dict[str, Any]) -> None:
    sys.stdout.write(json.dumps(doc) + "\n")
    sys.stdout.flush()


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    if not args_list or args_list[0] not in (*COMMANDS, "-h", "--help"):
        args_list.insert(0, "run")
    parser = build_parser()
    args = parser.parse_args(args_list)
    if args.command == "verify":
        report = verify_datadir(args.datadir)
        _print(report)
        return 0 if report["ok"] else 1
    if args.command == "checkpoints":
        _print({"datadir": args.datadir, "checkpoints": Storage(args.datadir).list_checkpoints()})
        return 0
    if args.command == "restore-checkpoint":
        try:
            restored = Storage(args.datadir).restore_checkpoint(args.checkpoint)
        except StorageError as exc:
            _print({"ok": False, "error": str(exc)})
            return 1
        report = verify_datadir(args.datadir)
        _print({"ok": bool(report["ok"]), **restored, "verify": report})
        return 0 if report["ok"] else 1

    logging.basicConfig(
        level=args.log_level, stream=sys.stderr, format=f"%(asctime)s {args.name} %(levelname)s %(name)s: %(message)s"
    )
    if args.name.strip() == "" or len(args.name) > 64:
        parser.error("--name must be 1-64 characters")
    from devnet.app import run  # imported late: the offline commands need no servers

    cfg = NodeConfig(
        name=args.name,
        datadir=args.datadir,
        network=args.network,
        rpc_host=args.rpc_host,
        rpc_port=args.rpc_port,
        metrics_port=args.metrics_port,
        block_interval=args.block_interval,
        mine=args.mine,
        peers=args.peers,
        api_key=args.api_key,
        jwt_secret=args.jwt_secret,
        rate_limit=args.rate_limit,
        rate_burst=args.rate_burst,
        checkpoint_interval=args.checkpoint_interval,
        max_txs_per_block=args.max_txs_per_block,
    )
    return run(cfg)


if __name__ == "__main__":
    sys.exit(main())
