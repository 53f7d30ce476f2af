"""Post-mortems: template prefill, the required-documentation check, the sanitiser, states, export."""

from __future__ import annotations

import re

import pytest

from core.errors import Conflict, Forbidden
from core.testing.factories import user_with_role
from incidents.markdown import render_markdown
from incidents.services.incidents import incident_declare, incident_transition
from incidents.services.postmortems import (
    REQUIRED_DOCUMENTATION,
    documentation_missing,
    postmortem_create,
    postmortem_transition,
    postmortem_update,
)
from incidents.services.timeline import incident_note_add, timeline_pin

pytestmark = pytest.mark.django_db

FILLED = {
    "Root Cause Analysis": "A bad config push halved the peer limit.",
    "Affected users": "All RPC users for 12 minutes.",
    "Data integrity": "No data lost; chain verified.",
    "Financial impact": "None measured.",
    "Reputation impact": "Two user reports.",
    "Immediate fixes": "Rolled back the config.",
    "Long-term improvements": "Validate configs in CI.",
    "Process changes": "Two-person review for config pushes.",
    "Training needs": "Runbook walkthrough for new on-call staff.",
}


def _fill(body: str) -> str:
    for heading, text in FILLED.items():
        body = re.sub(rf"(#+ {re.escape(heading)}\n)\[[^\]]*\]", rf"\g<1>{text}", body)
    return body


@pytest.fixture
def resolved_incident():
    commander = user_with_role("commander")
    incident = incident_declare(actor=commander, title="Peers dropped", severity="P1", kind="performance_degradation")
    incident_note_add(actor=commander, incident=incident, text="Seeing peers at 3")
    timeline_pin(actor=commander, incident=incident, seq=2, pinned=True)
    for command in ("acknowledge", "resolve"):
        incident = incident_transition(actor=commander, incident=incident, command=command)
    return commander, incident


def test_template_has_every_playbook_section_and_incident_data(resolved_incident) -> None:
    commander, incident = resolved_incident
    body = postmortem_create(actor=commander, incident=incident).body
    for heading in (
        "Executive Summary",
        "Incident Details",
        "Timeline",
        "Root Cause Analysis",
        "Response Actions",
        "Lessons Learned",
        "Action Items",
        "Prevention Measures",
    ):
        assert f"## {heading}" in body
    assert "Severity: P1 (High) - Performance degradation, partial outage" in body
    assert "Seeing peers at 3" in body
    assert "ran acknowledge: triggered → acknowledged" in body  # response actions from the timeline
    missing = documentation_missing(body)
    # Detection, resolution time and response actions come from the data; the rest is for people to write.
    assert "Detection time" not in missing and "Resolution time" not in missing and "Response actions" not in missing
    assert missing == [
        label
        for label, _ in REQUIRED_DOCUMENTATION
        if label not in ("Detection time", "Resolution time", "Response actions")
    ]


def test_pinned_only_timeline(resolved_incident) -> None:
    commander, incident = resolved_incident
    body = postmortem_create(actor=commander, incident=incident, pinned_only=True).body
    timeline = body.split("## Timeline")[1].split("## Root Cause")[0]
    assert "Seeing peers at 3" in timeline and "Declared" not in timeline


def test_publishing_is_refused_with_the_list_of_what_is_missing(resolved_incident) -> None:
    commander, incident = resolved_incident
    postmortem = postmortem_create(actor=commander, incident=incident)
    postmortem = postmortem_transition(actor=commander, postmortem=postmortem, command="submit")
    with pytest.raises(Conflict) as caught:
        postmortem_transition(actor=commander, postmortem=postmortem, command="publish")
    missing: list = caught.value.details["missing"]  # type: ignore[assignment]
    assert missing[:2] == ["Root cause", "Affected users"]
    assert "Training needs" in caught.value.message
    postmortem.refresh_from_db()
    assert postmortem.status == "in_review"

    postmortem = postmortem_transition(actor=commander, postmortem=postmortem, command="reopen")
    postmortem = postmortem_update(actor=commander, postmortem=postmortem, body=_fill(postmortem.body))
    assert documentation_missing(postmortem.body) == []
    postmortem = postmortem_transition(actor=commander, postmortem=postmortem, command="submit")
    postmortem = postmortem_transition(actor=commander, postmortem=postmortem, command="publish")
    assert postmortem.status == "published" and postmortem.published_at is not None
    with pytest.raises(Conflict):
        postmortem_update(actor=commander, postmortem=postmortem, body="# rewrite")


def test_one_postmortem_per_incident_and_roles(resolved_incident) -> None:
    commander, incident = resolved_incident
    with pytest.raises(Forbidden):
        postmortem_create(actor=user_with_role("responder"), incident=incident)
    postmortem_create(actor=commander, incident=incident)
    with pytest.raises(Conflict):
        postmortem_create(actor=commander, incident=incident)


@pytest.mark.parametrize(
    "evil",
    [
        "<script>alert(1)</script>",
        "[click](javascript:alert(1))",
        '<a href="javascript:alert(1)">x</a>',
        '<img src=x onerror="alert(1)">',
        "<iframe src='https://evil.test'></iframe>",
        '<p onclick="alert(1)" style="color:red">x</p>',
        "[x](JaVaScRiPt:alert(1))",
        '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    ],
)
def test_sanitiser_removes_scripts_handlers_and_dangerous_links(evil) -> None:
    html = render_markdown(f"# Title\n\n{evil}\n\n**bold** [ok](https://dinari.network)")
    lowered = html.lower()
    for bad in ("<script", "javascript:", "onerror", "onclick", "<iframe", "style=", "data:text"):
        assert bad not in lowered, html
    assert "<strong>bold</strong>" in html
    assert 'href="https://dinari.network"' in html


def test_placeholder_only_sections_count_as_missing() -> None:
    body = "## Root Cause Analysis\n[What went wrong and why]\n\n## Response Actions\nTODO\n"
    missing = documentation_missing(body)
    assert "Root cause" in missing and "Response actions" in missing


def test_api_publish_conflict_preview_and_export(resolved_incident, api_client_for) -> None:
    commander, incident = resolved_incident
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(commander)
    created = client.post(f"/api/incidents/{incident.pk}/postmortem/", {"pinned_only": False}, format="json")
    assert created.status_code == 201
    pm_id = created.json()["id"]
    assert client.post(f"/api/incidents/{incident.pk}/postmortem/", {}, format="json").status_code == 409
    assert client.post(f"/api/postmortems/{pm_id}/publish/").status_code == 409  # draft: must be submitted first
    assert client.post(f"/api/postmortems/{pm_id}/submit/").status_code == 200
    refused = client.post(f"/api/postmortems/{pm_id}/publish/")
    assert refused.status_code == 409
    assert "Root cause" in refused.json()["error"]["details"]["missing"]

    preview = client.post("/api/postmortems/preview/", {"body": "hi <script>x()</script>"}, format="json")
    assert preview.status_code == 200 and "<script" not in preview.json()["html"]

    item = client.post(
        f"/api/postmortems/{pm_id}/action-items/",
        {"title": "Validate configs in CI", "kind": "long_term", "owner_id": commander.pk, "due_date": "2030-01-31"},
        format="json",
    )
    assert item.status_code == 201
    bad = client.post(f"/api/postmortems/{pm_id}/action-items/", {"title": "x", "due_date": "soon"}, format="json")
    assert bad.status_code == 400 and bad.json()["error"]["field"] == "due_date"
    listing = api_client_for("viewer").get("/api/action-items/", {"done": "false"})
    assert [i["title"] for i in listing.json()] == ["Validate configs in CI"]

    export = client.get(f"/api/postmortems/{pm_id}/export/")
    assert export.status_code == 200
    assert export["Content-Disposition"].endswith(f'postmortem-incident-{incident.pk}.md"')
    text = export.content.decode()
    assert text.startswith("# Post-Incident Report: Peers dropped")
    assert "- [ ] Validate configs in CI (Long-term improvement;" in text


def test_hand_written_inputs_render_only_as_disabled_checkboxes() -> None:
    from incidents.markdown import render_markdown

    html = render_markdown('Log in again: <input type="password" name="pw" value="x">\n\n- [x] done\n- [ ] open')
    assert 'type="password"' not in html and 'name="pw"' not in html and "value=" not in html
    assert html.count('type="checkbox"') == 3 and html.count('disabled="disabled"') == 3
    assert html.count("checked") == 1
