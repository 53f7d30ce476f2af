"""Post-mortems from the playbook's template, the required-documentation check, action items."""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from core.errors import Conflict, InvalidInput, NotFound
from core.roles import Role, require_role
from core.services import audit_record
from incidents.inputs import clean_text, parse_id
from incidents.lifecycle import POSTMORTEM_TRANSITIONS, check_transition
from incidents.models import ActionItem, Incident, PostMortem, PostMortemStatus, TimelineKind
from incidents.models.postmortems import ActionItemKind
from incidents.selectors.incidents import can_see, format_duration, timeline_entries
from incidents.services.timeline import timeline_add

MAX_BODY = 200_000
PLACEHOLDER = re.compile(r"^\s*(\[[^\]]*\]|_?todo_?|tbd|-|n/a\?)?\s*$", re.IGNORECASE)

# The playbook's "Required Documentation": (label, how it is found in the Markdown).
# ("line", name): a "- Name: value" line; ("section", heading): a section with real content.
REQUIRED_DOCUMENTATION: list[tuple[str, tuple[str, str]]] = [
    ("Detection time", ("line", "detection time")),
    ("Response actions", ("section", "response actions")),
    ("Resolution time", ("line", "resolution time")),
    ("Root cause", ("section", "root cause analysis")),
    ("Affected users", ("section", "affected users")),
    ("Data integrity", ("section", "data integrity")),
    ("Financial impact", ("section", "financial impact")),
    ("Reputation impact", ("section", "reputation impact")),
    ("Immediate fixes", ("section", "immediate fixes")),
    ("Long-term improvements", ("section", "long-term improvements")),
    ("Process changes", ("section", "process changes")),
    ("Training needs", ("section", "training needs")),
]


def _fmt(when: datetime | None) -> str:
    return timezone.localtime(when).strftime("%Y-%m-%d %H:%M:%S %Z") if when else ""


def postmortem_template(incident: Incident, *, pinned_only: bool) -> str:
    """The playbook's post-mortem template, prefilled from the incident and its timeline."""
    entries = list(timeline_entries(incident=incident, pinned_only=pinned_only))
    timeline = "\n".join(
        f"- {_fmt(e.created_at)} - {e.get_kind_display()}"
        f"{' (' + e.actor.get_username() + ')' if e.actor else ''}: {e.text}"
        for e in entries
    )
    response = "\n".join(
        f"- {_fmt(e.created_at)} - {e.text}" for e in entries if e.kind in ("status", "assignment", "action_run")
    )
    end = incident.resolved_at or incident.closed_at
    security = ""
    if incident.security_level:
        security = f"- Security level: {incident.security_level} (required action: {incident.security_action})\n"
    nodes = ", ".join(n.name for n in incident.affected_nodes.all()) or "none recorded"
    return f"""# Post-Incident Report: {incident.title}

## Executive Summary
[Brief overview]

## Incident Details
- Date/Time: {_fmt(incident.detected_at)}
- Duration: {format_duration(end - incident.detected_at) if end else "[still open]"}
- Severity: {incident.get_severity_display()} - {incident.severity_meaning}
- Kind: {incident.get_kind_display()}
{security}- Affected networks: {", ".join(incident.networks) or "none recorded"}
- Affected nodes: {nodes}
- Impact: [who and what was affected]
- Detection time: {_fmt(incident.detected_at)}
- Acknowledged: {_fmt(incident.acknowledged_at) or "[not acknowledged]"}
- Resolution time: {_fmt(incident.resolved_at) or "[not resolved yet]"}

## Timeline
{timeline or "[Detailed timeline of events]"}

## Root Cause Analysis
[What went wrong and why]

## Response Actions
{response or "[What was done to resolve]"}

## Impact Assessment
### Affected users
[Who was affected, how many]

### Data integrity
[Was any data lost or corrupted?]

### Financial impact
[Costs, losses]

### Reputation impact
[Public visibility, user trust]

## Lessons Learned
[What we learned]

## Action Items
- [ ] Immediate fix 1
- [ ] Immediate fix 2
- [ ] Long-term improvement 1
- [ ] Long-term improvement 2

## Remediation
### Immediate fixes
[Fixes applied now]

### Long-term improvements
[Structural improvements]

### Process changes
[Changes to how we work]

### Training needs
[Who needs to learn what]

## Prevention Measures
[How to prevent recurrence]
"""


def _sections(body: str) -> dict[str, str]:
    sections: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in body.splitlines():
        heading = re.match(r"^#{1,6}\s+(.*?)\s*#*\s*$", line)
        if heading:
            current = sections.setdefault(heading.group(1).strip().lower(), [])
        elif current is not None:
            current.append(line)
    return {name: "\n".join(lines) for name, lines in sections.items()}


def _has_content(text: str) -> bool:
    return any(not PLACEHOLDER.match(line) for line in text.splitlines())


def documentation_missing(body: str) -> list[str]:
    """The required-documentation items the Markdown does not yet cover (empty: complete)."""
    sections = _sections(body)
    missing = []
    for label, (how, name) in REQUIRED_DOCUMENTATION:
        if how == "line":
            found = re.search(rf"^\s*[-*]\s*{re.escape(name)}\s*:(.*)$", body, re.IGNORECASE | re.MULTILINE)
            ok = found is not None and _has_content(found.group(1))
        else:
            ok = _has_content(sections.get(name, ""))
        if not ok:
            missing.append(label)
    return missing


def _require_visible(actor: Any, incident: Incident) -> None:
    if not can_see(actor, incident):
        raise NotFound(f"incident {incident.pk} does not exist.")


@transaction.atomic
def postmortem_create(*, actor: Any, incident: Incident, pinned_only: bool = False) -> PostMortem:
    require_role(actor, Role.COMMANDER, doing="Writing a post-mortem")
    _require_visible(actor, incident)
    Incident.objects.select_for_update().get(pk=incident.pk)
    if PostMortem.objects.filter(incident=incident).exists():
        raise Conflict(f"incident {incident.pk} already has a post-mortem; edit that one.")
    postmortem = PostMortem.objects.create(
        incident=incident, author=actor, body=postmortem_template(incident, pinned_only=pinned_only)
    )
    timeline_add(incident=incident, kind=TimelineKind.POSTMORTEM, actor=actor, text="Post-mortem started (draft)")
    audit_record(actor=actor, verb="postmortem.create", target=postmortem)
    return postmortem


@transaction.atomic
def postmortem_update(*, actor: Any, postmortem: PostMortem, body: str) -> PostMortem:
    require_role(actor, Role.COMMANDER, doing="Editing a post-mortem")
    _require_visible(actor, postmortem.incident)
    if not isinstance(body, str) or not body.strip():
        raise InvalidInput("body is required (Markdown).", field="body")
    clean_text(body, field="body", max_length=MAX_BODY)  # NUL characters and length
    locked = PostMortem.objects.select_for_update().get(pk=postmortem.pk)
    if locked.status == PostMortemStatus.PUBLISHED:
        raise Conflict("a published post-mortem cannot be edited.")
    locked.body = body
    locked.save(update_fields=["body", "updated_at"])
    return locked


def postmortem_transition(*, actor: Any, postmortem: PostMortem, command: str) -> PostMortem:
    """submit (draft → in review), reopen (in review → draft), publish (in review → published, if complete)."""
    transition = POSTMORTEM_TRANSITIONS.get(command)
    if transition is None:
        raise InvalidInput(f"unknown command {command!r}.", field="command")
    require_role(actor, transition.role, doing=f"To {command} a post-mortem")
    _require_visible(actor, postmortem.incident)
    with transaction.atomic():
        locked = PostMortem.objects.select_for_update().get(pk=postmortem.pk)
        check_transition(POSTMORTEM_TRANSITIONS, command, locked.status, what="post-mortem")
        if command == "publish":
            missing = documentation_missing(locked.body)
            if missing:
                raise Conflict(
                    "cannot publish: the required documentation is incomplete. Missing: " + ", ".join(missing) + ".",
                    details={"missing": missing},
                )
        before = locked.status
        locked.status = transition.target
        if transition.stamp:
            setattr(locked, transition.stamp, timezone.now())
        locked.save()
        timeline_add(
            incident=locked.incident_id,
            kind=TimelineKind.POSTMORTEM,
            actor=actor,
            text=f"Post-mortem {command}: {before} → {locked.status}",
            data={"field": "postmortem.status", "from": before, "to": locked.status},
        )
        audit_record(actor=actor, verb=f"postmortem.{command}", target=locked)
    return locked


def _clean_owner(owner_id: Any) -> Any:
    if owner_id in (None, ""):
        return None
    owner = get_user_model().objects.filter(pk=parse_id(owner_id, field="owner_id"), is_active=True).first()
    if owner is None:
        raise InvalidInput(f"owner_id: no active user with id {owner_id!r}.", field="owner_id")
    return owner


def _clean_due(due: Any) -> date | None:
    if due in (None, ""):
        return None
    if isinstance(due, date):
        return due
    try:
        return date.fromisoformat(str(due))
    except ValueError:
        raise InvalidInput(f"due_date must be YYYY-MM-DD (got {due!r}).", field="due_date") from None


def _check_owner_sees(owner: Any, incident: Any) -> None:
    if owner is not None and not can_see(owner, incident):
        raise InvalidInput("owner_id: that user may not see this security incident.", field="owner_id")


def _clean_item(data: dict[str, Any], *, partial: bool) -> dict[str, Any]:
    allowed = {"title", "kind", "owner_id", "due_date", "done"}
    unknown = set(data) - allowed
    if unknown:
        raise InvalidInput(f"unknown field(s): {', '.join(sorted(unknown))}.", field=sorted(unknown)[0])
    cleaned: dict[str, Any] = {}
    if "title" in data or not partial:
        title = clean_text(data.get("title"), field="title", max_length=300)
        if not title:
            raise InvalidInput("title is required (at most 300 characters).", field="title")
        cleaned["title"] = title
    if "kind" in data:
        if data["kind"] not in ActionItemKind.values:
            raise InvalidInput(f"kind must be one of {', '.join(ActionItemKind.values)}.", field="kind")
        cleaned["kind"] = data["kind"]
    if "owner_id" in data:
        cleaned["owner"] = _clean_owner(data["owner_id"])
    if "due_date" in data:
        cleaned["due_date"] = _clean_due(data["due_date"])
    if "done" in data:
        cleaned["done"] = bool(data["done"])
    return cleaned


@transaction.atomic
def action_item_create(*, actor: Any, postmortem: PostMortem, data: dict[str, Any]) -> ActionItem:
    require_role(actor, Role.COMMANDER, doing="Adding an action item")
    _require_visible(actor, postmortem.incident)
    cleaned = _clean_item(data, partial=False)
    _check_owner_sees(cleaned.get("owner"), postmortem.incident)
    if cleaned.get("done"):
        cleaned["done_at"] = timezone.now()
    item = ActionItem.objects.create(postmortem=postmortem, **cleaned)
    audit_record(actor=actor, verb="action_item.create", target=item)
    return item


@transaction.atomic
def action_item_update(*, actor: Any, item: ActionItem, data: dict[str, Any]) -> ActionItem:
    """Commanders change anything; the owner may tick their own item done."""
    _require_visible(actor, item.postmortem.incident)
    if not (set(data) <= {"done"} and item.owner_id == getattr(actor, "pk", None)):
        require_role(actor, Role.COMMANDER, doing="Changing an action item")
    require_role(actor, Role.RESPONDER, doing="Ticking an action item")
    cleaned = _clean_item(data, partial=True)
    _check_owner_sees(cleaned.get("owner"), item.postmortem.incident)
    if "done" in cleaned and cleaned["done"] != item.done:  # ticking twice keeps the first time
        item.done_at = timezone.now() if cleaned["done"] else None
    for field, value in cleaned.items():
        setattr(item, field, value)
    item.save()
    audit_record(actor=actor, verb="action_item.update", target=item, data={"fields": sorted(cleaned)})
    return item
