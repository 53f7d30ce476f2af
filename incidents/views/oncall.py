"""On-call now and the operations checklists."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from core.errors import NotFound
from core.roles import Role, has_role, require_role
from incidents.models import EscalationPolicy
from incidents.selectors import checklists as cl_sel
from incidents.selectors.oncall import who_is_on_call
from incidents.services.checklists import checklist_item_set


def oncall_now(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.VIEWER, doing="Viewing who is on call")
    from django.conf import settings

    return render(
        request,
        "incidents/oncall.html",
        {
            "oncall": who_is_on_call(timezone.now()),
            "policies": EscalationPolicy.objects.all(),
            "chain": [
                ("Primary", settings.INCIDENT_PRIMARY_EMAIL),
                ("Secondary", settings.INCIDENT_SECONDARY_EMAIL),
                ("Escalation", settings.INCIDENT_ESCALATION_EMAIL),
            ],
        },
    )


def checklist_list(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.VIEWER, doing="Viewing checklists")
    now = timezone.now()
    views = [cl_sel.checklist_view(i, now=now, with_evidence=False) for i in cl_sel.checklist_instances(now=now)[:60]]
    return render(request, "incidents/checklists.html", {"views": views})


def checklist_detail(request: HttpRequest, pk: int) -> HttpResponse:
    require_role(request.user, Role.VIEWER, doing="Viewing checklists")
    view = cl_sel.checklist_view(cl_sel.checklist_get(instance_id=pk), now=timezone.now())
    return render(
        request, "incidents/checklist.html", {"view": view, "can_tick": has_role(request.user, Role.RESPONDER)}
    )


@require_POST
def checklist_tick(request: HttpRequest, pk: int, item_id: int) -> HttpResponse:
    instance = cl_sel.checklist_get(instance_id=pk)
    if not instance.items.filter(pk=item_id).exists():
        raise NotFound(f"checklist {pk} has no item {item_id}.")
    checklist_item_set(actor=request.user, item_id=item_id, done=request.POST.get("done") == "1")
    return redirect("incidents:checklist", pk=pk)
