from __future__ import annotations

from io import StringIO

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command


@pytest.mark.django_db
def test_ensure_admin_prints_a_generated_password_once(monkeypatch) -> None:
    monkeypatch.delenv("DINARI_ADMIN_PASSWORD", raising=False)
    first, second = StringIO(), StringIO()
    call_command("ensure_admin", stdout=first)
    call_command("ensure_admin", stdout=second)
    password = first.getvalue().split("password: ", 1)[1].split()[0]
    admin = get_user_model().objects.get(username="admin")
    assert admin.check_password(password)
    assert admin.groups.filter(name="admin").exists()
    assert "already exists" in second.getvalue()
    assert password not in second.getvalue()


@pytest.mark.django_db
def test_ensure_admin_takes_the_password_from_the_environment(monkeypatch) -> None:
    monkeypatch.setenv("DINARI_ADMIN_PASSWORD", "chosen-by-the-operator")
    out = StringIO()
    call_command("ensure_admin", stdout=out)
    assert "chosen-by-the-operator" not in out.getvalue()
    assert get_user_model().objects.get(username="admin").check_password("chosen-by-the-operator")
