"""Factories for the incidents tests."""

from __future__ import annotations

import factory
from django.utils import timezone

from incidents.models import Incident, IncidentKind, Rotation


class IncidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Incident

    title = factory.Sequence(lambda n: f"Incident {n}")
    severity = "P1"
    kind = IncidentKind.OTHER
    detected_at = factory.LazyFunction(timezone.now)


class RotationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Rotation

    name = factory.Sequence(lambda n: f"rotation-{n}")
    time_zone = "UTC"
