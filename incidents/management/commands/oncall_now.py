"""Show who is on call (now, or at --at) for every active rotation."""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils import timezone

from core.errors import InvalidInput
from incidents.inputs import parse_instant
from incidents.selectors.oncall import who_is_on_call


class Command(BaseCommand):
    help = "Show the primary and secondary on call for every active rotation."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--at", default=None, help="ISO 8601 instant with a time zone (default: now).")

    def handle(self, *args: Any, **options: Any) -> None:
        when = timezone.now()
        if options["at"]:
            try:
                when = parse_instant(options["at"], field="--at")
            except InvalidInput as exc:
                raise CommandError(exc.message) from None
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
