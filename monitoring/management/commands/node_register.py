"""Register a node, or update the one with the same name."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ConsoleError
from monitoring.services import node_register_or_update


class Command(BaseCommand):
    help = "Register (or update by name) a Dinari node to be polled."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--name", required=True)
        parser.add_argument("--rpc-url", required=True)
        parser.add_argument("--metrics-url", default="")
        parser.add_argument("--network", default="devnet")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            node = node_register_or_update(
                name=options["name"],
                rpc_url=options["rpc_url"],
                metrics_url=options["metrics_url"],
                network=options["network"],
            )
        except ConsoleError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"registered {node.name}: {node.rpc_url}")
