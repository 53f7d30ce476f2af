"""Who is on call: rotations with daily/weekly handoffs in a local time zone, plus overrides."""

from __future__ import annotations

import zoneinfo
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from django.db.models import QuerySet

from incidents.models import HandoffCadence, OnCallRole, Rotation, RotationOverride


@dataclass(frozen=True)
class Shift:
    """One role's holder at one instant, with the shift's bounds (aware datetimes)."""

    role: str
    user: Any | None
    starts_at: datetime | None
    ends_at: datetime | None
    override: RotationOverride | None = None


@dataclass(frozen=True)
class OnCall:
    rotation: Rotation
    at: datetime
    primary: Shift
    secondary: Shift


def _local_handoff(day: date, hour: int, tz: zoneinfo.ZoneInfo) -> datetime:
    # fold=0: in a repeated (fall-back) hour the first occurrence; a skipped
    # (spring-forward) hour maps onto the instant the clocks jump.
    # Returned in UTC: Python compares and subtracts datetimes sharing a tzinfo by wall clock.
    return datetime.combine(day, time(hour), tzinfo=tz).astimezone(UTC)


def shift_bounds(rotation: Rotation, when: datetime) -> tuple[int, datetime, datetime]:
    """(shift index since start_date, start, end) of the shift containing ``when``.

    Handoffs happen at ``handoff_hour`` local time, every day or every week on
    ``handoff_weekday``; computing on local calendar dates keeps the handoff at
    the same wall-clock hour across DST changes (shifts then last 23 or 25 hours).
    """
    tz = zoneinfo.ZoneInfo(rotation.time_zone)
    local = when.astimezone(tz)
    day = local.date()
    if when < _local_handoff(day, rotation.handoff_hour, tz):
        day -= timedelta(days=1)
    if rotation.cadence == HandoffCadence.WEEKLY:
        day -= timedelta(days=(day.weekday() - rotation.handoff_weekday) % 7)
        anchor = rotation.start_date - timedelta(days=(rotation.start_date.weekday() - rotation.handoff_weekday) % 7)
        index = (day - anchor).days // 7
        length = timedelta(days=7)
    else:
        index = (day - rotation.start_date).days
        length = timedelta(days=1)
    start = _local_handoff(day, rotation.handoff_hour, tz)
    end = _local_handoff(day + length, rotation.handoff_hour, tz)
    return index, start, end


def _members(rotation: Rotation, role: str) -> list[Any]:
    return [m.user for m in rotation.members.all() if m.role == role]


def _shift(rotation: Rotation, role: str, when: datetime) -> Shift:
    override = next(
        (o for o in rotation.overrides.all() if o.role == role and o.starts_at <= when < o.ends_at),
        None,
    )
    if override is not None:
        return Shift(
            role=role, user=override.user, starts_at=override.starts_at, ends_at=override.ends_at, override=override
        )
    members = _members(rotation, role)
    index, start, end = shift_bounds(rotation, when)
    if not members or index < 0:
        return Shift(role=role, user=None, starts_at=None, ends_at=None)
    return Shift(role=role, user=members[index % len(members)], starts_at=start, ends_at=end)


def rotations_active() -> QuerySet[Rotation]:
    return Rotation.objects.filter(active=True).prefetch_related("members__user", "overrides__user")


def oncall_at(rotation: Rotation, when: datetime) -> OnCall:
    """Who holds the primary and secondary role of ``rotation`` at ``when`` (an aware datetime)."""
    if when.tzinfo is None:
        raise ValueError("oncall_at needs an aware datetime")
    return OnCall(
        rotation=rotation,
        at=when,
        primary=_shift(rotation, OnCallRole.PRIMARY, when),
        secondary=_shift(rotation, OnCallRole.SECONDARY, when),
    )


def who_is_on_call(now: datetime) -> list[OnCall]:
    return [oncall_at(rotation, now) for rotation in rotations_active()]


def primary_on_call(now: datetime, rotation: Rotation | None = None) -> Any | None:
    """The primary of ``rotation`` (or of the first active rotation) at ``now``."""
    if rotation is None:
        rotation = rotations_active().first()
    if rotation is None:
        return None
    return oncall_at(rotation, now).primary.user
