"""The erasure test of issue 12: after an approved erasure no identifier of the client remains
anywhere in the raw database, ``verify_audit`` passes, and the funder's retention hold blocks
the erasure before its date."""

import datetime
import io

import pytest
from django.core.management import call_command

from audit import verify
from casework.models import Case, Client
from privacy import services as privacy_services
from privacy.models import RightsRequest, RightsRequestKind, RightsRequestStatus
from tests.journey import TODAY
from tests.privacy.rights_support import (
    BIRTH_YEAR,
    FAMILY,
    GIVEN,
    IDENTIFIERS,
    birth_values,
    end_programme,
    planted_case,
    raw_hits,
    tables_searched,
)


def _erasure_request(case, world, *, details=f"{FAMILY} {GIVEN} asked by letter"):
    return privacy_services.rights_request_record(
        user=world.worker,
        case=case,
        kind=RightsRequestKind.ERASURE,
        received_on=TODAY,
        details=details,
    )


@pytest.mark.django_db
def test_after_erasure_no_identifier_of_the_client_remains_in_any_table(world):
    case = planted_case(world)
    end_programme(world.programme, ended=datetime.date(2012, 12, 31), retention_years=5)
    # Every planted value is in the database before the erasure, so the search can fail.
    assert {needle for *_, needle in raw_hits(IDENTIFIERS)} == {i.casefold() for i in IDENTIFIERS}
    assert BIRTH_YEAR in birth_values(case.client_id)
    request = _erasure_request(case, world)

    decided = privacy_services.rights_request_decide(
        user=world.supervisor, request=request, approve=True, note=f"Approved for {FAMILY}"
    )

    assert decided.status == RightsRequestStatus.ERASED
    hits = raw_hits(IDENTIFIERS)
    print(f"searched {tables_searched()} tables: {len(hits)} hits")
    assert hits == []
    assert birth_values(case.client_id) <= {None}
    report = verify.verify()
    assert report.ok, [problem.describe() for problem in report.problems]
    out = io.StringIO()
    call_command("verify_audit", stdout=out)  # exits non-zero when a chain is broken
    # The case stays, pseudonymous, for the funder's aggregates.
    assert Case.objects.get(pk=case.pk).stage == "closed"
    client = Client.objects.get(pk=case.client_id)
    assert (client.family_name, client.given_name) == ("—", f"#{client.pk}")


@pytest.mark.django_db
def test_the_funders_retention_hold_blocks_the_erasure_until_its_date(world):
    case = planted_case(world)
    # The factory's programme ends on 2028-12-31 and is held 10 years: until 2038-12-31.
    request = _erasure_request(case, world)

    decided = privacy_services.rights_request_decide(
        user=world.supervisor, request=request, approve=True
    )

    assert decided.status == RightsRequestStatus.WAITING
    assert decided.held_until == datetime.date(2038, 12, 31)
    assert Client.objects.get(pk=case.client_id).family_name == FAMILY
    assert raw_hits([FAMILY, GIVEN])
    with pytest.raises(Exception, match="2038-12-31"):
        privacy_services.erasure_carry_out(user=world.supervisor, case=case)
    assert RightsRequest.objects.get(pk=request.pk).status == RightsRequestStatus.WAITING
