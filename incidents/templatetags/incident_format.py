from __future__ import annotations

from datetime import timedelta

from django import template

from incidents.selectors.incidents import format_duration

register = template.Library()


@register.filter
def duration(value: timedelta | None) -> str:
    """5m 03s / 2h 07m / an en dash while there is nothing to measure yet."""
    return "\u2013" if value is None else format_duration(value)
