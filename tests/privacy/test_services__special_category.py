"""Recording and correcting special-category data (privacy.services.special_category_record)."""

import pytest
from django.db import transaction

from casework.roles import Role
from kernel.errors import InvalidInput, NotAllowed
from notifications.models import Notification
from privacy import services
from privacy.models import Answer, Minority, SpecialCategory, SpecialCategoryRecord

from ..factories import staff

pytestmark = pytest.mark.django_db


def _record(user, case, category=SpecialCategory.ETHNICITY, **kwargs):
    kwargs.setdefault("answer", Answer.YES)
    return services.special_category_record(user=user, case=case, category=category, **kwargs)


def test_recording_keeps_the_answer_and_a_history_row_with_user_and_reason(
    world, case, django_capture_on_commit_callbacks
):
    before = Notification.objects.count()
    with django_capture_on_commit_callbacks(execute=True):
        record = _record(world.worker, case, minority=Minority.ROMA, note="said so at intake")

    record.refresh_from_db()
    assert (record.client_id, record.answer, record.minority) == (
        case.client_id,
        "yes",
        "roma",
    )
    assert record.recorded_by == world.worker
    (row,) = record.history.all()
    assert (row.history_user, row.history_change_reason) == (
        world.worker,
        "special_category.record",
    )
    # Nobody is told: a notification would carry the fact to another screen.
    assert Notification.objects.count() == before


def test_declined_to_answer_is_a_valid_answer(world, case):
    record = _record(world.worker, case, SpecialCategory.CRIMINAL_RECORD, answer=Answer.DECLINED)
    assert record.get_answer_display() == "declined to answer"


def test_a_correction_needs_a_reason_and_keeps_the_earlier_value_in_the_history(world, case):
    _record(world.worker, case, SpecialCategory.DISABILITY, answer=Answer.NO)

    with pytest.raises(InvalidInput) as refused:
        _record(world.supervisor, case, SpecialCategory.DISABILITY, answer=Answer.YES)
    assert refused.value.field_errors == {"reason": ["Say why the record is corrected."]}
    assert SpecialCategoryRecord.objects.get().answer == "no"

    _record(
        world.supervisor,
        case,
        SpecialCategory.DISABILITY,
        answer=Answer.YES,
        note="uses a wheelchair",
        reason="the client told the mentor",
    )
    record = SpecialCategoryRecord.objects.get()
    assert (record.answer, record.correction_reason, record.recorded_by) == (
        "yes",
        "the client told the mentor",
        world.supervisor,
    )
    rows = list(record.history.order_by("history_date", "history_id"))
    assert [(r.answer, r.history_user, r.history_change_reason) for r in rows] == [
        ("no", world.worker, "special_category.record"),
        ("yes", world.supervisor, "special_category.correct"),
    ]


def test_saving_the_same_values_again_writes_nothing(world, case):
    _record(world.worker, case, note="x")
    _record(world.worker, case, note="x")
    assert SpecialCategoryRecord.history.count() == 1


def test_a_minority_is_named_only_for_an_ethnicity_answered_yes(world, case):
    for category, answer in [
        (SpecialCategory.ETHNICITY, Answer.NO),
        (SpecialCategory.HEALTH, Answer.YES),
    ]:
        with pytest.raises(InvalidInput) as refused:
            _record(world.worker, case, category, answer=answer, minority=Minority.ROMA)
        assert list(refused.value.field_errors) == ["minority"]
    with pytest.raises(InvalidInput):
        _record(world.worker, case, answer="maybe")
    assert not SpecialCategoryRecord.objects.exists()


@pytest.mark.parametrize(
    "who", ["mentor", "admin", "other_worker", "other_supervisor", "worker_next_desk"]
)
def test_roles_not_entitled_or_not_allowed_to_record_are_refused_and_nothing_is_written(
    world, case, who
):
    if who == "worker_next_desk":
        user = staff(Role.SOCIAL_WORKER, world.org, username="worker_next_desk")
    else:
        user = getattr(world, who)
    with pytest.raises(NotAllowed):
        _record(user, case, SpecialCategory.HEALTH, note="must not be kept")
    assert not SpecialCategoryRecord.objects.exists()


def test_an_error_after_the_write_rolls_the_record_back(world, case):
    with pytest.raises(RuntimeError), transaction.atomic():
        _record(world.worker, case)
        raise RuntimeError("later step failed")
    assert not SpecialCategoryRecord.objects.exists()
    assert not SpecialCategoryRecord.history.exists()
