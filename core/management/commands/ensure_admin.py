"""Create the first admin user if none exists (used by the run command)."""

from __future__ import annotations

import os
import secrets
from typing import Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.management.base import BaseCommand, CommandParser
from django.db import transaction

from core.roles import Role


class Command(BaseCommand):
    help = "Create an admin user (password from DINARI_ADMIN_PASSWORD, else generated and printed once)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--username", default=os.environ.get("DINARI_ADMIN_USER", "admin"))

    @transaction.atomic
    def handle(self, *args: Any, username: str, **options: Any) -> None:
        users = get_user_model()
        if users.objects.filter(username=username).exists():
            self.stdout.write(f"Admin user {username!r} already exists (password unchanged).")
            return
        password = os.environ.get("DINARI_ADMIN_PASSWORD") or secrets.token_urlsafe(12)
        user = users.objects.create_superuser(username=username, email="", password=password)
        user.groups.add(Group.objects.get(name=Role.ADMIN.value))
        if os.environ.get("DINARI_ADMIN_PASSWORD"):
            self.stdout.write(
                self.style.SUCCESS(f"Created admin user {username!r} with the password from DINARI_ADMIN_PASSWORD.")
            )
        else:
            self.stdout.write(self.style.SUCCESS(f"Created admin user {username!r} with password: {password}"))
            self.stdout.write("This password is shown only once. Change it in the admin after logging in.")
