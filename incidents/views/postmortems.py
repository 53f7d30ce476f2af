"""Post-mortem pages: list, Markdown editor with live preview, action items."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_POST

from core.errors import Conflict, InvalidInput
from core.pages import refusals_as_messages
from core.roles import Role, has_role, require_role
from incidents.api.postmortems import export_markdown
from incidents.lifecycle import POSTMORTEM_TRANSITIONS, allowed_commands
from incidents.markdown import render_markdown
from incidents.models.postmortems import ActionItemKind
from incidents.selectors import postmortems as sel
from incidents.services import postmortems as svc


def postmortem_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.VIEWER, doing="Viewing post-mortems")
    return render(request, "incidents/postmortem_list.html", {"postmortems": sel.postmortems_visible_to(request.user)})


def postmortem_edit(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = sel.postmortem_get(user=request.user, postmortem_id=pk)
    body = postmortem.body
    status = 200
    if request.method == "POST":
        submitted = request.POST.get("body", "")
        try:
            svc.postmortem_update(actor=request.user, postmortem=postmortem, body=submitted)
        except (InvalidInput, Conflict) as exc:
            # Show the editor again with the writer's text: a refused save must not lose it.
            messages.error(request, exc.message)
            body, status = submitted, exc.status_code
        else:
            messages.success(request, "Saved.")
            return redirect("incidents:postmortem", pk=pk)
    can_edit = has_role(request.user, Role.COMMANDER)
    return render(
        request,
        "incidents/postmortem_edit.html",
        {
            "postmortem": postmortem,
            "body": body,
            "incident": postmortem.incident,
            # render_markdown sanitises with nh3: safe to mark.
            "preview": mark_safe(render_markdown(body)),  # noqa: S308
            "missing": svc.documentation_missing(body),
            "commands": allowed_commands(POSTMORTEM_TRANSITIONS, postmortem.status) if can_edit else [],
            "can_edit": can_edit and postmortem.status != "published",
            "can_command": can_edit,
            "items": postmortem.action_items.select_related("owner"),
            "kinds": ActionItemKind.choices,
            "users": get_user_model().objects.filter(is_active=True).order_by("username"),
        },
        status=status,
    )


@require_POST
def postmortem_preview(request: HttpRequest) -> HttpResponse:
    """htmx: the sanitised preview and the missing-documentation list for the editor's text."""
    require_role(request.user, Role.VIEWER, doing="Previewing Markdown")
    body = request.POST.get("body", "")
    return render(
        request,
        "incidents/_preview.html",
        {"preview": mark_safe(render_markdown(body)), "missing": svc.documentation_missing(body)},  # noqa: S308
    )


@require_POST
def postmortem_command(request: HttpRequest, pk: int, command: str) -> HttpResponse:
    postmortem = sel.postmortem_get(user=request.user, postmortem_id=pk)
    with refusals_as_messages(request):
        svc.postmortem_transition(actor=request.user, postmortem=postmortem, command=command)
    return redirect("incidents:postmortem", pk=pk)


def postmortem_export(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = sel.postmortem_get(user=request.user, postmortem_id=pk)
    response = HttpResponse(export_markdown(postmortem), content_type="text/markdown; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="postmortem-incident-{postmortem.incident_id}.md"'
    return response


@require_POST
def action_item_add(request: HttpRequest, pk: int) -> HttpResponse:
    postmortem = sel.postmortem_get(user=request.user, postmortem_id=pk)
    data = {key: request.POST.get(key, "") for key in ("title", "kind", "owner_id", "due_date")}
    with refusals_as_messages(request):
        svc.action_item_create(actor=request.user, postmortem=postmortem, data=data)
    return redirect("incidents:postmortem", pk=pk)


def action_item_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.VIEWER, doing="Viewing action items")
    show = request.GET.get("show", "open")
    items = sel.action_items_visible_to(request.user, done=None if show == "all" else show == "done")
    can_command = has_role(request.user, Role.COMMANDER)
    return render(request, "incidents/action_items.html", {"items": items, "show": show, "can_command": can_command})


@require_POST
def action_item_toggle(request: HttpRequest, item_id: int) -> HttpResponse:
    item = sel.action_item_get(user=request.user, item_id=item_id)
    svc.action_item_update(actor=request.user, item=item, data={"done": request.POST.get("done") == "1"})
    target = request.POST.get("next", "")
    # Only our own pages: never an open redirect.
    return redirect(target if target.startswith("/incidents/") and "//" not in target else "incidents:action_items")
