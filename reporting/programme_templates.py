"""The target writer that ``casework.programme_templates`` needs (plugged in by ``apps.py``):
casework sits below reporting in the layers, so it asks through this port which indicators
exist and hands the template's targets here, where ``target_set`` writes them."""

from __future__ import annotations

from casework.models import Programme
from casework.programme_templates import TargetSpec

from .indicators import INDICATORS
from .services import target_set


class TemplateTargets:
    def indicator_codes(self) -> set[str]:
        return set(INDICATORS)

    def set_targets(self, *, user, programme: Programme, targets: list[TargetSpec]) -> None:
        partners = dict(programme.organisations.values_list("name", "pk"))
        for target in targets:
            target_set(
                user=user,
                programme_id=programme.pk,
                indicator=target.indicator,
                value=target.value,
                deadline=target.deadline or programme.ends_on,
                organisation_id=partners[target.partner] if target.partner else None,
                settlement=target.location,
            )
