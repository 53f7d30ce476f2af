"""Who is on call: rotation boundaries, weekly handoffs, overrides and DST."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.core.management import call_command

from core.testing.factories import user_with_role
from incidents.models import Rotation, RotationMember, RotationOverride
from incidents.selectors.oncall import oncall_at, shift_bounds

pytestmark = pytest.mark.django_db


def utc(year: int, month: int, day: int, hour: int = 0, minute: int = 0, second: int = 0) -> datetime:
    return datetime(year, month, day, hour, minute, second, tzinfo=UTC)


def _rotation(cadence: str, tz: str, hour: int, start: date, people: list[str], weekday: int = 0) -> Rotation:
    rotation = Rotation.objects.create(
        name=f"{cadence}-{tz}",
        cadence=cadence,
        time_zone=tz,
        handoff_hour=hour,
        handoff_weekday=weekday,
        start_date=start,
    )
    for position, name in enumerate(people):
        RotationMember.objects.create(
            rotation=rotation, role="primary", position=position, user=user_with_role("responder", username=name)
        )
    RotationMember.objects.create(
        rotation=rotation,
        role="secondary",
        position=0,
        user=user_with_role("responder", username=f"sec-{cadence}-{tz}"),
    )
    return rotation


def who(rotation: Rotation, when: datetime) -> str | None:
    user = oncall_at(rotation, when).primary.user
    return user.username if user else None


def test_daily_handoff_at_the_local_hour() -> None:
    rotation = _rotation("daily", "UTC", 9, date(2025, 1, 6), ["ann", "ben", "cat"])
    assert who(rotation, utc(2025, 1, 6, 9, 0)) == "ann"
    assert who(rotation, utc(2025, 1, 7, 8, 59, 59)) == "ann"
    assert who(rotation, utc(2025, 1, 7, 9, 0)) == "ben"
    assert who(rotation, utc(2025, 1, 8, 12, 0)) == "cat"
    assert who(rotation, utc(2025, 1, 9, 9, 0)) == "ann"  # wraps around
    assert who(rotation, utc(2025, 1, 6, 8, 0)) is None  # before the rotation starts
    secondary = oncall_at(rotation, utc(2025, 1, 7, 10, 0)).secondary.user
    assert secondary is not None and secondary.username == "sec-daily-UTC"


def test_weekly_handoff_on_the_weekday() -> None:
    # Handoff Mondays 10:00 New York; 2025-01-06 is a Monday.
    rotation = _rotation("weekly", "America/New_York", 10, date(2025, 1, 6), ["ann", "ben"], weekday=0)
    assert who(rotation, utc(2025, 1, 6, 15, 0)) == "ann"  # 10:00 EST
    assert who(rotation, utc(2025, 1, 13, 14, 59)) == "ann"  # Monday 09:59 EST
    assert who(rotation, utc(2025, 1, 13, 15, 0)) == "ben"
    assert who(rotation, utc(2025, 1, 19, 23, 0)) == "ben"
    assert who(rotation, utc(2025, 1, 20, 15, 0)) == "ann"


def test_daily_handoff_keeps_local_hour_across_spring_forward_berlin() -> None:
    # Europe/Berlin springs forward on 2025-03-30 (02:00 CET -> 03:00 CEST).
    rotation = _rotation("daily", "Europe/Berlin", 9, date(2025, 3, 28), ["ann", "ben"])
    # 29 March: handoff 09:00 CET = 08:00 UTC. 30 March: 09:00 CEST = 07:00 UTC.
    assert who(rotation, utc(2025, 3, 29, 7, 59)) == "ann"
    assert who(rotation, utc(2025, 3, 29, 8, 0)) == "ben"
    assert who(rotation, utc(2025, 3, 30, 6, 59)) == "ben"
    assert who(rotation, utc(2025, 3, 30, 7, 0)) == "ann"
    index, start, end = shift_bounds(rotation, utc(2025, 3, 29, 12, 0))
    assert end - start == timedelta(hours=23)  # the short night


def test_fall_back_new_york_with_handoff_in_the_repeated_hour() -> None:
    # America/New_York falls back on 2025-11-02 (02:00 EDT -> 01:00 EST); handoff at 01:00 local.
    rotation = _rotation("daily", "America/New_York", 1, date(2025, 11, 1), ["ann", "ben"])
    # 1 Nov 01:00 EDT = 05:00 UTC; 2 Nov 01:00 (first, EDT) = 05:00 UTC; 3 Nov 01:00 EST = 06:00 UTC.
    assert who(rotation, utc(2025, 11, 2, 4, 59)) == "ann"
    assert who(rotation, utc(2025, 11, 2, 5, 0)) == "ben"
    assert who(rotation, utc(2025, 11, 2, 6, 30)) == "ben"  # the second 01:30 is the same shift
    assert who(rotation, utc(2025, 11, 3, 5, 59)) == "ben"
    assert who(rotation, utc(2025, 11, 3, 6, 0)) == "ann"
    _, start, end = shift_bounds(rotation, utc(2025, 11, 2, 12, 0))
    assert end - start == timedelta(hours=25)


def test_override_replaces_the_scheduled_person_only_during_its_window() -> None:
    rotation = _rotation("daily", "UTC", 9, date(2025, 1, 6), ["ann", "ben"])
    dan = user_with_role("responder", username="dan")
    RotationOverride.objects.create(
        rotation=rotation, role="primary", user=dan, starts_at=utc(2025, 1, 6, 12), ends_at=utc(2025, 1, 6, 18)
    )
    assert who(rotation, utc(2025, 1, 6, 11, 59)) == "ann"
    assert who(rotation, utc(2025, 1, 6, 12, 0)) == "dan"
    assert oncall_at(rotation, utc(2025, 1, 6, 12, 0)).primary.override is not None
    assert who(rotation, utc(2025, 1, 6, 18, 0)) == "ann"


def test_oncall_now_command(capsys) -> None:
    _rotation("daily", "UTC", 9, date(2025, 1, 6), ["ann", "ben"])
    call_command("oncall_now", "--at", "2025-01-07T10:00:00+00:00")
    out = capsys.readouterr().out
    assert "primary ben" in out
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--at must be"):
        call_command("oncall_now", "--at", "tomorrow")


def test_api_oncall(api_client_for) -> None:
    _rotation("daily", "UTC", 9, date(2025, 1, 6), ["ann", "ben"])
    response = api_client_for("viewer").get("/api/oncall/", {"at": "2025-01-07T10:00:00Z"})
    assert response.status_code == 200
    assert response.json()[0]["primary"]["user"]["username"] == "ben"
    bad = api_client_for("viewer").get("/api/oncall/", {"at": "nope"})
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "at"
