from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render

from core.roles import Role, require_role
from monitoring import selectors


def dashboard(request: HttpRequest) -> HttpResponse:
    require_role(request.user, Role.VIEWER, doing="Viewing the dashboard")
    return render(
        request,
        "monitoring/dashboard.html",
        {"snapshots": selectors.node_snapshots(), "series": selectors.height_series(minutes=60)},
    )
