"""Poll every node once and print what was seen (the playbook's health-check)."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand

from monitoring.models import Node
from monitoring.services import nodes_poll


class Command(BaseCommand):
    help = "Poll every enabled node once, store the samples, and print a summary."

    def handle(self, *args: Any, **options: Any) -> None:
        names = dict(Node.objects.values_list("pk", "name"))
        results = nodes_poll()
        if not results:
            self.stdout.write("no enabled nodes to poll")
            return
        for result in results:
            name = names.get(result.node_id, str(result.node_id))
            if result.reachable:
                v = result.values
                height, peers = v.get("height"), v.get("peer_count")
                self.stdout.write(f"{name:20} up          height={height} peers={peers} {result.response_ms} ms")
            else:
                self.stdout.write(self.style.ERROR(f"{name:20} unreachable {result.error}"))
