"""Show who is on call (now, or at --at) for every active rotation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from incidents.selectors.oncall import who_is_on_call


class Command(BaseCommand):
    help = "Show the primary and secondary on call for every active rotation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", default=None, help="ISO 8601 instant with a time zone (default: now).")

    def handle(self, *args: Any, **options: Any) -> None:
        when = timezone.now()
        if options["at"]:
            parsed = parse_datetime(options["at"])
            if parsed is None or parsed.tzinfo is None:
                raise CommandError(f"--at must be an ISO 8601 date-time with a time zone (got {options['at']!r}).")
            when = parsed
        rows = who_is_on_call(when)
        if not rows:
            self.stdout.write("no active rotation")
            return
        for oncall in rows:
            for shift in (oncall.primary, oncall.secondary):
                who = shift.user.get_username() if shift.user else "nobody"
                until = f" until {shift.ends_at.isoformat()}" if shift.ends_at else ""
                note = " (override)" if shift.override else ""
                self.stdout.write(f"{oncall.rotation.name}: {shift.role} {who}{note}{until}")
