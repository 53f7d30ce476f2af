"""Reads of checklist instances: progress, overdue state and evidence."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.db.models import QuerySet

from core.errors import NotFound
from incidents.evidence import Evidence, evidence_for
from incidents.inputs import lookup_id
from incidents.models import ChecklistInstance, ChecklistItem


@dataclass(frozen=True)
class ItemView:
    item: ChecklistItem
    evidence: Evidence | None


@dataclass(frozen=True)
class InstanceView:
    instance: ChecklistInstance
    items: list[ItemView]
    done_count: int
    total: int
    overdue: bool
    current: bool


def checklist_instances(*, current_only: bool = False, now: datetime) -> QuerySet[ChecklistInstance]:
    queryset = ChecklistInstance.objects.select_related("template", "assignee").prefetch_related("items__checked_by")
    if current_only:
        queryset = queryset.filter(period_start__lte=now, period_end__gt=now)
    return queryset


def is_overdue(instance: ChecklistInstance, items: list[ChecklistItem], now: datetime) -> bool:
    """Past its period with at least one item unticked."""
    return now >= instance.period_end and any(not item.done for item in items)


def checklist_view(instance: ChecklistInstance, *, now: datetime, with_evidence: bool = True) -> InstanceView:
    items = list(instance.items.all())
    return InstanceView(
        instance=instance,
        items=[
            ItemView(
                item,
                evidence_for(item.evidence_key, instance.period_start, instance.period_end) if with_evidence else None,
            )
            for item in items
        ],
        done_count=sum(1 for item in items if item.done),
        total=len(items),
        overdue=is_overdue(instance, items, now),
        current=instance.period_start <= now < instance.period_end,
    )


def checklist_get(*, instance_id: int | str) -> ChecklistInstance:
    pk = lookup_id(instance_id)
    instance = (
        ChecklistInstance.objects.select_related("template", "assignee").filter(pk=pk).first()
        if pk is not None
        else None
    )
    if instance is None:
        raise NotFound(f"checklist {instance_id} does not exist.")
    return instance
