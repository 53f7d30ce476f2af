"""Reads of post-mortems and action items (security visibility applied)."""

from __future__ import annotations

from typing import Any

from django.db.models import QuerySet

from core.errors import NotFound
from core.roles import Role, has_role, in_security_group
from incidents.inputs import lookup_id
from incidents.models import ActionItem, PostMortem
from incidents.selectors.incidents import restricted_q


def postmortems_visible_to(user: Any) -> QuerySet[PostMortem]:
    queryset = PostMortem.objects.select_related("incident", "author")
    if not has_role(user, Role.VIEWER):
        return queryset.none()
    if not in_security_group(user):
        queryset = queryset.exclude(restricted_q("incident__"))
    return queryset


def postmortem_get(*, user: Any, postmortem_id: int | str) -> PostMortem:
    pk = lookup_id(postmortem_id)
    postmortem = postmortems_visible_to(user).filter(pk=pk).first() if pk is not None else None
    if postmortem is None:
        raise NotFound(f"post-mortem {postmortem_id} does not exist.")
    return postmortem


def action_items_visible_to(
    user: Any, *, done: bool | None = None, owner_id: int | None = None
) -> QuerySet[ActionItem]:
    queryset = ActionItem.objects.select_related("postmortem__incident", "owner")
    if not has_role(user, Role.VIEWER):
        return queryset.none()
    if not in_security_group(user):
        queryset = queryset.exclude(restricted_q("postmortem__incident__"))
    if done is not None:
        queryset = queryset.filter(done=done)
    if owner_id is not None:
        queryset = queryset.filter(owner_id=owner_id)
    return queryset


def action_item_get(*, user: Any, item_id: int | str) -> ActionItem:
    pk = lookup_id(item_id)
    item = action_items_visible_to(user).filter(pk=pk).first() if pk is not None else None
    if item is None:
        raise NotFound(f"action item {item_id} does not exist.")
    return item
