"""Recurring checklists: one instance per template and period, ticked item by item."""

from __future__ import annotations

import zoneinfo
from datetime import datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from core.errors import NotFound
from core.roles import Role, require_role
from core.services import audit_record
from incidents.models import ChecklistInstance, ChecklistItem, ChecklistPeriod, ChecklistTemplate
from incidents.selectors.oncall import primary_on_call


def period_bounds(period: str, now: datetime) -> tuple[datetime, datetime]:
    """[start, end) of the day, ISO week (Monday) or month containing ``now``, in the console's time zone."""
    tz = zoneinfo.ZoneInfo(settings.TIME_ZONE)
    local = now.astimezone(tz).date()
    if period == ChecklistPeriod.DAILY:
        first, after = local, local + timedelta(days=1)
    elif period == ChecklistPeriod.WEEKLY:
        first = local - timedelta(days=local.weekday())
        after = first + timedelta(days=7)
    else:
        first = local.replace(day=1)
        after = (first + timedelta(days=32)).replace(day=1)
    start = datetime(first.year, first.month, first.day, tzinfo=tz)
    end = datetime(after.year, after.month, after.day, tzinfo=tz)
    return start, end


def checklist_instance_ensure(*, template: ChecklistTemplate, now: datetime) -> tuple[ChecklistInstance, bool]:
    """The template's instance for the current period, created at most once.

    Idempotent under concurrency: the unique (template, period_start)
    constraint decides; whoever loses the race fetches the winner's row.
    """
    start, end = period_bounds(template.period, now)
    try:
        with transaction.atomic():
            instance = ChecklistInstance.objects.create(
                template=template, period_start=start, period_end=end, assignee=primary_on_call(now)
            )
            ChecklistItem.objects.bulk_create(
                ChecklistItem(instance=instance, position=item.position, text=item.text, evidence_key=item.evidence_key)
                for item in template.items.all()
            )
    except IntegrityError:
        return ChecklistInstance.objects.get(template=template, period_start=start), False
    return instance, True


def checklists_create_for_period(*, now: datetime) -> list[ChecklistInstance]:
    """Called by beat: the instances created now (empty when they already existed)."""
    created = []
    for template in ChecklistTemplate.objects.filter(active=True):
        instance, was_created = checklist_instance_ensure(template=template, now=now)
        if was_created:
            created.append(instance)
    return created


@transaction.atomic
def checklist_item_set(*, actor: Any, item_id: int, done: bool, now: datetime | None = None) -> ChecklistItem:
    """Tick (or untick) an item, recording who and when."""
    require_role(actor, Role.RESPONDER, doing="Ticking a checklist item")
    item = ChecklistItem.objects.select_for_update().filter(pk=item_id).first()
    if item is None:
        raise NotFound(f"checklist item {item_id} does not exist.")
    if done and item.checked_at is None:
        item.checked_at = now or timezone.now()
        item.checked_by = actor
    elif not done:
        item.checked_at = None
        item.checked_by = None
    item.save(update_fields=["checked_at", "checked_by"])
    audit_record(actor=actor, verb="checklist.tick" if done else "checklist.untick", target=item)
    return item
