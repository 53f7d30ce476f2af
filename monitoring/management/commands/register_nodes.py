"""Register several nodes at once: NAME=RPC_URL[,METRICS_URL] ..."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ConsoleError
from monitoring.services import node_register_or_update


class Command(BaseCommand):
    help = "Register (or update by name) nodes given as NAME=RPC_URL[,METRICS_URL]."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("nodes", nargs="+", metavar="NAME=RPC_URL[,METRICS_URL]")
        parser.add_argument("--network", default="devnet")

    def handle(self, *args: Any, nodes: list[str], network: str, **options: Any) -> None:
        for spec in nodes:
            name, sep, urls = spec.partition("=")
            if not sep:
                raise CommandError(f"{spec!r}: expected NAME=RPC_URL[,METRICS_URL]")
            rpc_url, _, metrics_url = urls.partition(",")
            try:
                node = node_register_or_update(name=name, rpc_url=rpc_url, metrics_url=metrics_url, network=network)
            except ConsoleError as exc:
                raise CommandError(f"{name}: {exc.message}") from None
            self.stdout.write(f"registered {node.name}: {node.rpc_url}")
