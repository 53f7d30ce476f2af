"""Small rules: closed incidents, ticking twice, owners who cannot see, checklist items, buttons."""

from __future__ import annotations

import re

import pytest
from django.contrib.auth.models import Group

from core.errors import Conflict, InvalidInput
from core.testing.factories import user_with_role
from incidents.services.incidents import incident_declare, incident_transition, incident_update
from incidents.services.postmortems import action_item_create, action_item_update, postmortem_create

pytestmark = pytest.mark.django_db


def _closed_incident(commander):
    incident = incident_declare(actor=commander, title="Stalled", severity="P2", kind="other")
    for command in ("acknowledge", "resolve", "close"):
        incident = incident_transition(actor=commander, incident=incident, command=command)
    return incident


def test_editing_a_closed_incident_is_a_conflict() -> None:
    commander = user_with_role("commander")
    incident = _closed_incident(commander)
    with pytest.raises(Conflict, match="closed"):
        incident_update(actor=commander, incident=incident, data={"title": "New"})


def test_ticking_an_action_item_twice_keeps_the_first_time() -> None:
    commander = user_with_role("commander")
    postmortem = postmortem_create(actor=commander, incident=_closed_incident(commander))
    item = action_item_create(actor=commander, postmortem=postmortem, data={"title": "Add alert"})
    item = action_item_update(actor=commander, item=item, data={"done": True})
    first = item.done_at
    item = action_item_update(actor=commander, item=item, data={"done": True})
    assert first is not None and item.done_at == first
    item = action_item_update(actor=commander, item=item, data={"done": False})
    assert item.done_at is None


def test_action_item_owner_must_see_a_level_3_incident() -> None:
    security_commander = user_with_role("commander")
    security_commander.groups.add(Group.objects.get(name="security"))
    outsider = user_with_role("responder")
    incident = incident_declare(
        actor=security_commander, title="Keys leaked", severity="P0", kind="security_breach", security_level=3
    )
    postmortem = postmortem_create(actor=security_commander, incident=incident)
    with pytest.raises(InvalidInput) as caught:
        action_item_create(
            actor=security_commander, postmortem=postmortem, data={"title": "Rotate", "owner_id": outsider.pk}
        )
    assert caught.value.field == "owner_id"


def test_ticking_an_item_of_another_checklist_is_404(client) -> None:
    from django.utils import timezone

    from incidents.models import ChecklistInstance
    from incidents.services.checklists import checklists_create_for_period

    checklists_create_for_period(now=timezone.now())
    daily, weekly = list(ChecklistInstance.objects.order_by("pk"))[:2]
    foreign_item = weekly.items.first()
    assert foreign_item is not None
    client.force_login(user_with_role("responder"))
    response = client.post(f"/incidents/checklists/{daily.pk}/items/{foreign_item.pk}/tick/", {"done": "1"})
    assert response.status_code == 404
    foreign_item.refresh_from_db()
    assert foreign_item.checked_at is None


def test_detail_page_hides_commands_the_status_does_not_allow(client) -> None:
    commander = user_with_role("commander")
    incident = incident_declare(actor=commander, title="Stalled", severity="P2", kind="other")
    client.force_login(commander)
    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    visible = re.findall(r'data-command="(\w+)"[^>]*?(?<!hidden)>', html)
    hidden = re.findall(r'data-command="(\w+)"[^>]*hidden>', html)
    assert "mitigate" in hidden and "close" in hidden
    assert "acknowledge" in visible and "acknowledge" not in hidden


def test_an_illegal_command_from_the_page_shows_the_reason_and_changes_nothing(client) -> None:
    commander = user_with_role("commander")
    incident = incident_declare(actor=commander, title="Stalled", severity="P2", kind="other")
    client.force_login(commander)
    response = client.post(f"/incidents/{incident.pk}/do/close/", follow=True)
    assert response.status_code == 200
    assert "cannot close this incident: it is triggered" in response.content.decode()
    incident.refresh_from_db()
    assert incident.status == "triggered"


def test_a_viewer_posting_a_page_command_gets_the_403_page(client) -> None:
    incident = incident_declare(actor=user_with_role("responder"), title="Stalled", severity="P2", kind="other")
    client.force_login(user_with_role("viewer"))
    response = client.post(f"/incidents/{incident.pk}/do/acknowledge/")
    assert response.status_code == 403


def test_detail_page_carries_severity_labels_for_live_updates(client) -> None:
    import json

    commander = user_with_role("commander")
    incident = incident_declare(actor=commander, title="Stalled", severity="P2", kind="other")
    client.force_login(commander)
    html = client.get(f"/incidents/{incident.pk}/").content.decode()
    found = re.search(r'<script id="severity-labels" type="application/json">(.*?)</script>', html)
    assert found is not None
    labels = json.loads(found.group(1))
    assert labels["P0"] == {"label": "P0 (Critical)", "meaning": "Mainnet down, data loss, security breach"}
    assert 'id="incident-severity"' in html


def test_a_refused_post_mortem_save_keeps_the_writers_text(client) -> None:
    from incidents.services.postmortems import postmortem_create

    commander = user_with_role("commander")
    postmortem = postmortem_create(actor=commander, incident=_closed_incident(commander))
    client.force_login(commander)
    response = client.post(f"/incidents/postmortems/{postmortem.pk}/", {"body": "My careful analysis\x00 here"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "My careful analysis" in html  # still in the editor
    postmortem.refresh_from_db()
    assert "My careful analysis" not in postmortem.body
