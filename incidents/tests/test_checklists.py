# mypy: disable-error-code="union-attr"
"""Checklists: the playbook's templates, one instance per period (idempotent), ticking, overdue, evidence."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
from django.db import IntegrityError, transaction

from core.errors import Forbidden
from core.testing.factories import user_with_role
from incidents import tasks
from incidents.evidence import Evidence, evidence_for, register_evidence_provider
from incidents.models import ChecklistInstance, ChecklistTemplate, Rotation, RotationMember
from incidents.selectors.checklists import checklist_view
from incidents.services.checklists import checklist_instance_ensure, checklist_item_set, checklists_create_for_period

pytestmark = pytest.mark.django_db

NOW = datetime(2025, 1, 15, 10, 0, tzinfo=UTC)  # a Wednesday


def test_migration_created_exactly_the_playbook_items() -> None:
    items = {t.name: [i.text for i in t.items.all()] for t in ChecklistTemplate.objects.all()}
    assert items == {
        "Daily Operations": [
            "Review overnight alerts",
            "Check system metrics dashboard",
            "Verify backup completion",
            "Review security logs",
            "Check peer health",
        ],
        "Weekly Operations": [
            "Performance review",
            "Security audit",
            "Capacity planning review",
            "Update documentation",
            "Team sync meeting",
        ],
        "Monthly Operations": [
            "Disaster recovery drill",
            "Full security audit",
            "Compliance review",
            "Infrastructure review",
            "Cost optimization",
        ],
    }


def test_beat_firing_twice_creates_one_instance_per_period() -> None:
    assert len(checklists_create_for_period(now=NOW)) == 3
    assert checklists_create_for_period(now=NOW + timedelta(minutes=15)) == []  # beat fired again
    assert tasks.checklists_create_due.apply().get() == 3  # the beat task: today's period
    assert tasks.checklists_create_due.apply().get() == 0  # fired twice: nothing new
    starts = {
        i.template.period: i.period_start
        for i in ChecklistInstance.objects.filter(period_end__gt=NOW, period_start__lte=NOW)
    }
    assert starts == {
        "daily": datetime(2025, 1, 15, tzinfo=UTC),
        "weekly": datetime(2025, 1, 13, tzinfo=UTC),
        "monthly": datetime(2025, 1, 1, tzinfo=UTC),
    }
    assert ChecklistInstance.objects.filter(template__period="daily", period_start=starts["daily"]).count() == 1
    # The next day is a new daily instance only.
    assert [i.template.period for i in checklists_create_for_period(now=NOW + timedelta(days=1))] == ["daily"]


def test_losing_the_race_returns_the_winners_row() -> None:
    template = ChecklistTemplate.objects.get(period="daily")
    first, created = checklist_instance_ensure(template=template, now=NOW)
    second, created_again = checklist_instance_ensure(template=template, now=NOW + timedelta(hours=3))
    assert created and not created_again and first.pk == second.pk
    assert second.items.count() == 5  # items were not duplicated
    with pytest.raises(IntegrityError), transaction.atomic():
        ChecklistInstance.objects.create(
            template=template, period_start=first.period_start, period_end=first.period_end
        )


def test_assigned_to_the_primary_on_call() -> None:
    rotation = Rotation.objects.create(name="r", cadence="daily", handoff_hour=9, start_date=date(2025, 1, 1))
    pam = user_with_role("responder", username="pam")
    RotationMember.objects.create(rotation=rotation, role="primary", position=0, user=pam)
    instance, _ = checklist_instance_ensure(template=ChecklistTemplate.objects.get(period="daily"), now=NOW)
    assert instance.assignee == pam


def test_ticking_records_who_and_when_and_overdue() -> None:
    instance, _ = checklist_instance_ensure(template=ChecklistTemplate.objects.get(period="daily"), now=NOW)
    responder = user_with_role("responder")
    with pytest.raises(Forbidden):
        checklist_item_set(actor=user_with_role("viewer"), item_id=instance.items.first().pk, done=True)
    for item in instance.items.all()[:4]:
        checklist_item_set(actor=responder, item_id=item.pk, done=True, now=NOW)
    ticked = instance.items.first()
    assert ticked.checked_by == responder and ticked.checked_at == NOW
    assert not checklist_view(instance, now=NOW).overdue
    assert checklist_view(instance, now=NOW + timedelta(days=1)).overdue  # period over, one item open
    last = instance.items.last()
    checklist_item_set(actor=responder, item_id=last.pk, done=True)
    assert not checklist_view(instance, now=NOW + timedelta(days=1)).overdue


def test_evidence_is_honest_until_apps_register_providers() -> None:
    instance, _ = checklist_instance_ensure(template=ChecklistTemplate.objects.get(period="daily"), now=NOW)
    view = checklist_view(instance, now=NOW)
    evidence = {iv.item.text: iv.evidence for iv in view.items}
    assert evidence["Verify backup completion"].status == "unavailable"
    assert "No backup app" in evidence["Verify backup completion"].summary
    assert evidence["Check peer health"] is None
    register_evidence_provider("test-key", lambda start, end: Evidence("ok", f"3 backups since {start:%H:%M}"))
    assert evidence_for("test-key", NOW, NOW).summary == "3 backups since 10:00"
    assert evidence_for("nobody-registered", NOW, NOW).status == "unavailable"


def test_api_tick(api_client_for) -> None:
    instance, _ = checklist_instance_ensure(template=ChecklistTemplate.objects.get(period="weekly"), now=NOW)
    item = instance.items.first()
    assert api_client_for("viewer").post(f"/api/checklists/{instance.pk}/items/{item.pk}/tick/").status_code == 403
    response = api_client_for("responder").post(f"/api/checklists/{instance.pk}/items/{item.pk}/tick/", {"done": True})
    assert response.status_code == 200
    assert response.json()["done_count"] == 1
    assert response.json()["items"][0]["checked_by"]
