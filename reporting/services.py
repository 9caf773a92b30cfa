"""The only writes of reporting: the programme's committed targets (programme admins)."""

from __future__ import annotations

import datetime
from decimal import Decimal, InvalidOperation

from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from casework.roles import Role, roles_of
from casework.selectors import programmes_for
from kernel.errors import InvalidInput, NotAllowed, NotFound
from kernel.services import save_with_history, service

from .indicators import INDICATORS
from .models import Target


@service
def target_set(
    *,
    user,
    programme_id: int,
    indicator: str,
    value,
    deadline: datetime.date,
    baseline=0,
    organisation_id: int | None = None,
    settlement: str = "",
) -> Target:
    """Commit (or change) the target of ``indicator`` for the programme, or for one partner
    and/or location of it."""
    if Role.PROGRAMME_ADMIN not in roles_of(user):
        raise NotAllowed(_("Only a programme admin sets the programme's targets."))
    programme = programmes_for(user=user).filter(pk=programme_id).first()
    if programme is None:
        raise NotFound()
    if indicator not in INDICATORS:
        raise InvalidInput({"indicator": [_("Choose an indicator.")]})
    try:
        value, baseline = Decimal(str(value)), Decimal(str(baseline or 0))
    except (InvalidOperation, ValueError):
        raise InvalidInput({"value": [_("Enter a number.")]}) from None
    if value <= 0:
        raise InvalidInput({"value": [_("The target must be more than zero.")]})
    organisation = None
    if organisation_id is not None:
        organisation = programme.organisations.filter(pk=organisation_id).first()
        if organisation is None:
            raise InvalidInput(
                {"organisation": [_("Choose an organisation of the programme's consortium.")]}
            )
    settlement = (settlement or "").strip()
    # The row only (of=self), in no order: the model's ordering joins the nullable partner,
    # which PostgreSQL cannot lock.
    target = (
        Target.objects.select_for_update(of=("self",))
        .order_by()
        .filter(
            programme=programme,
            indicator=indicator,
            organisation=organisation,
            settlement=settlement,
        )
        .first()
    ) or Target(
        programme=programme, indicator=indicator, organisation=organisation, settlement=settlement
    )
    target.value, target.baseline, target.deadline, target.set_by = value, baseline, deadline, user
    save_with_history(target, user=user, reason="target.set")
    return target


def targets_naming(question) -> list[str]:
    """The in-use check of ``casework.setup`` (registered in ``apps.py``): a partner or a
    location of the programme that one of its targets is committed for stays."""
    targets = Target.objects.filter(programme=question.programme)
    if question.organisation is not None:
        targets = targets.filter(organisation=question.organisation)
    else:
        targets = targets.filter(settlement__iexact=question.settlement)
    count = targets.count()
    if not count:
        return []
    return [
        ngettext(
            "%(count)d target of the programme is committed for it.",
            "%(count)d targets of the programme are committed for it.",
            count,
        )
        % {"count": count}
    ]
