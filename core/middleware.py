"""Login required everywhere, by default."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib.auth.middleware import LoginRequiredMiddleware
from django.http import HttpRequest, HttpResponseBase
from django.shortcuts import render
from rest_framework.views import APIView

from core.errors import ConsoleError


class ConsoleLoginRequiredMiddleware(LoginRequiredMiddleware):
    """Django's LoginRequiredMiddleware, except for DRF views.

    The API authenticates by token as well as by session, which only DRF knows
    about; DRF's default permission class already refuses anonymous callers
    with a JSON 401/403 instead of a redirect to the login page.
    """

    def process_view(
        self,
        request: HttpRequest,
        view_func: Callable[..., Any],
        view_args: tuple[Any, ...],
        view_kwargs: dict[str, Any],
    ) -> HttpResponseBase | None:
        view_class = getattr(view_func, "cls", None)
        if isinstance(view_class, type) and issubclass(view_class, APIView):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class ConsoleErrorMiddleware:
    """Pages that hit a service refusal show its message with the right status."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        return self.get_response(request)

    def process_exception(self, request: HttpRequest, exception: Exception) -> HttpResponseBase | None:
        if not isinstance(exception, ConsoleError):
            return None
        return render(request, "error.html", {"error": exception}, status=exception.status_code)
