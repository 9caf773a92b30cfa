"""Creating and changing a programme through casework.setup: defaults, the lead organisation,
every validation (writing nothing when it refuses) and the history rows."""

import datetime

import pytest

from casework import services, setup
from casework.models import ConsortiumMembership, ConsortiumRole, Country, Programme
from casework.selectors import programmes_for
from kernel.choices import Stage
from kernel.errors import InvalidInput

from ..conftest import new_client
from ..journey import to_stage

pytestmark = pytest.mark.django_db

NEW = {
    "name": "Hegyhát coordination forums",
    "funder_code": "TOP-5.3.1-16-BA1-2017-00001",
    "country": Country.HUNGARY,
    "starts_on": datetime.date(2025, 1, 1),
    "ends_on": datetime.date(2027, 12, 31),
}


def refusal(run) -> dict[str, list[str]]:
    with pytest.raises(InvalidInput) as caught:
        run()
    return caught.value.field_errors


def test_a_programme_from_scratch_takes_the_defaults_and_the_admins_organisation_as_lead(world):
    programme = setup.programme_create(user=world.admin, data=NEW)

    programme.refresh_from_db()
    assert programme.name == NEW["name"]
    assert programme.attendance_threshold == 9 and programme.planned_sessions == 10
    assert programme.retention_years == 10
    assert programme.stages == Stage.journey()
    lead = ConsortiumMembership.objects.get(programme=programme)
    assert (lead.organisation, lead.role) == (world.org, ConsortiumRole.LEAD)
    assert programme in programmes_for(user=world.admin)
    row = programme.history.get()
    assert (row.history_user, row.history_change_reason) == (world.admin, "programme.create")
    membership_row = lead.history.get()
    assert membership_row.history_user == world.admin
    assert membership_row.history_change_reason == "programme.create"


def test_a_programme_takes_every_setting_given(world):
    data = {
        **NEW,
        "uses_screening": False,
        "attendance_threshold": 4,
        "planned_sessions": 6,
        "first_follow_up_days": 30,
        "second_follow_up_days": 90,
        "participant_rule": "intake_completed",
        "retention_years": 5,
    }
    programme = setup.programme_create(user=world.admin, data=data)
    programme.refresh_from_db()
    assert Stage.SCREENING not in programme.stages
    assert (programme.attendance_threshold, programme.planned_sessions) == (4, 6)
    assert (programme.first_follow_up_days, programme.second_follow_up_days) == (30, 90)
    assert (programme.participant_rule, programme.retention_years) == ("intake_completed", 5)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"ends_on": datetime.date(2024, 12, 31)}, "ends_on", "before its start"),
        ({"attendance_threshold": 11}, "attendance_threshold", "more than the sessions planned"),
        ({"planned_sessions": 0, "attendance_threshold": 0}, "planned_sessions", "at least one"),
        ({"second_follow_up_days": 28}, "second_follow_up_days", "after the first"),
        ({"retention_years": 0}, "retention_years", "between 1 and 30"),
        ({"retention_years": 31}, "retention_years", "between 1 and 30"),
        ({"name": "  "}, "name", "blank"),
        ({"country": "AT"}, "country", "not a valid choice"),
        ({"participant_rule": "whenever"}, "participant_rule", "not a valid choice"),
        ({"colour": "green"}, "__all__", "colour"),
    ],
)
def test_invalid_settings_are_refused_per_field_and_nothing_is_written(
    world, changes, field, words
):
    before = Programme.objects.count()
    errors = refusal(lambda: setup.programme_create(user=world.admin, data={**NEW, **changes}))
    assert words in " ".join(errors[field])
    assert Programme.objects.count() == before
    assert not ConsortiumMembership.objects.filter(programme__name=NEW["name"]).exists()


def test_a_missing_date_is_named(world):
    data = {key: value for key, value in NEW.items() if key != "ends_on"}
    assert "ends_on" in refusal(lambda: setup.programme_create(user=world.admin, data=data))


def test_a_funder_code_used_by_another_programme_is_refused_in_any_case_of_letters(world):
    data = {**NEW, "funder_code": world.programme.funder_code.lower()}
    errors = refusal(lambda: setup.programme_create(user=world.admin, data=data))
    assert errors["funder_code"] == ["Another programme has this funder code."]


def test_several_mistakes_are_named_at_once(world):
    data = {**NEW, "ends_on": datetime.date(2024, 1, 1), "retention_years": 99}
    errors = refusal(lambda: setup.programme_create(user=world.admin, data=data))
    assert set(errors) == {"ends_on", "retention_years"}


def test_an_update_changes_only_the_settings_given_and_keeps_history(world):
    programme = world.programme
    updated = setup.programme_update(
        user=world.admin, programme_id=programme.pk, data={"planned_sessions": 12}
    )
    updated.refresh_from_db()
    assert updated.planned_sessions == 12
    assert updated.name == programme.name
    row = updated.history.latest()
    assert (row.history_user, row.history_change_reason) == (world.admin, "programme.update")


def test_an_update_that_changes_nothing_writes_no_history_row(world):
    rows = world.programme.history.count()
    setup.programme_update(
        user=world.admin, programme_id=world.programme.pk, data={"name": world.programme.name}
    )
    assert world.programme.history.count() == rows


def test_an_update_keeps_its_own_funder_code(world):
    setup.programme_update(
        user=world.admin,
        programme_id=world.programme.pk,
        data={"funder_code": world.programme.funder_code, "name": "Renamed"},
    )
    assert Programme.objects.get(pk=world.programme.pk).name == "Renamed"


def test_a_stage_without_cases_can_be_dropped(world, case):
    programme = setup.programme_update(
        user=world.admin, programme_id=world.programme.pk, data={"uses_screening": False}
    )
    assert Stage.SCREENING not in Programme.objects.get(pk=programme.pk).stages


def test_a_stage_with_cases_in_it_cannot_be_dropped(world, case):
    to_stage(case, world, Stage.TRAINING)
    errors = refusal(
        lambda: setup.programme_update(
            user=world.admin,
            programme_id=world.programme.pk,
            data={"uses_training": False, "name": "Changed too"},
        )
    )
    assert errors["uses_training"] == [
        "The programme cannot drop the stage “trainings and counselling”: 1 case is in it or"
        " may return to it (suspended or closed from it)."
    ]
    programme = Programme.objects.get(pk=world.programme.pk)
    assert programme.uses_training and programme.name != "Changed too"


def test_cases_suspended_or_closed_from_a_stage_keep_it(world, case):
    to_stage(case, world, Stage.TRAINING)
    services.case_suspend(user=world.worker, case_id=case.pk, reason="Hospital stay")
    second = services.case_open(
        user=world.worker,
        client_id=new_client(world, family_name="Szabó").pk,
        programme_id=world.programme.pk,
    )
    to_stage(second, world, Stage.TRAINING)
    services.case_close_early(
        user=world.worker, case_id=second.pk, outcome="moved_away", reason="Moved to Eger"
    )
    assert setup.cases_per_stage(world.programme)[Stage.TRAINING] == 2
    errors = refusal(
        lambda: setup.programme_update(
            user=world.admin, programme_id=world.programme.pk, data={"uses_training": False}
        )
    )
    assert "2 cases are in it or may return to it" in errors["uses_training"][0]


def test_the_period_cannot_leave_out_the_days_cases_opened(world):
    opened = datetime.date(2025, 3, 10)
    services.case_open(
        user=world.worker,
        client_id=new_client(world).pk,
        programme_id=world.programme.pk,
        opened_on=opened,
    )
    errors = refusal(
        lambda: setup.programme_update(
            user=world.admin,
            programme_id=world.programme.pk,
            data={"starts_on": datetime.date(2025, 4, 1)},
        )
    )
    assert "opened on 2025-03-10" in errors["starts_on"][0]
    errors = refusal(
        lambda: setup.programme_update(
            user=world.admin,
            programme_id=world.programme.pk,
            data={"starts_on": datetime.date(2025, 1, 1), "ends_on": datetime.date(2025, 3, 1)},
        )
    )
    assert "cannot end before it" in errors["ends_on"][0]


def test_the_funder_code_cannot_change_once_case_numbers_carry_it(world, case):
    errors = refusal(
        lambda: setup.programme_update(
            user=world.admin, programme_id=world.programme.pk, data={"funder_code": "NEW-1"}
        )
    )
    assert "1 case already opened" in errors["funder_code"][0]


def test_the_country_cannot_change_while_the_programme_has_locations(world):
    setup.location_add(user=world.admin, programme_id=world.programme.pk, name="Ózd", rural=False)
    errors = refusal(
        lambda: setup.programme_update(
            user=world.admin, programme_id=world.programme.pk, data={"country": Country.SLOVAKIA}
        )
    )
    assert "Remove the programme's locations" in errors["country"][0]


def test_a_refused_update_writes_no_history(world):
    rows = world.programme.history.count()
    refusal(
        lambda: setup.programme_update(
            user=world.admin, programme_id=world.programme.pk, data={"retention_years": 0}
        )
    )
    assert world.programme.history.count() == rows
