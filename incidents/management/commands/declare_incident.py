"""Declare an incident from the command line (as the system, or as --user)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError, CommandParser

from core.errors import ConsoleError
from incidents.models import IncidentKind, Severity
from incidents.services.incidents import incident_declare


class Command(BaseCommand):
    help = "Declare an incident; pages the on-call chain per the severity's escalation policy."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--severity", required=True, help=f"One of {', '.join(Severity.values)}.")
        parser.add_argument("--kind", default=IncidentKind.OTHER, help=f"One of {', '.join(IncidentKind.values)}.")
        parser.add_argument("--title", required=True)
        parser.add_argument("--description", default="")
        parser.add_argument("--security-level", type=int, default=None, help="1-4, security breaches only.")
        parser.add_argument("--network", action="append", default=[], help="Affected network (repeatable).")
        parser.add_argument("--user", default=None, help="Declare as this username (default: the system).")

    def handle(self, *args: Any, **options: Any) -> None:
        actor = None
        if options["user"]:
            actor = get_user_model().objects.filter(username=options["user"]).first()
            if actor is None:
                raise CommandError(f"no user named {options['user']!r}.")
        try:
            incident = incident_declare(
                actor=actor,
                title=options["title"],
                severity=options["severity"],
                kind=options["kind"],
                description=options["description"],
                security_level=options["security_level"],
                networks=options["network"],
            )
        except ConsoleError as exc:
            raise CommandError(exc.message) from None
        self.stdout.write(f"declared incident #{incident.pk} [{incident.severity}] {incident.title}")
