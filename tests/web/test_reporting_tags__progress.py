"""The dashboard's figure against its target (web/templatetags/reporting_tags.py)."""

import datetime
from decimal import Decimal

import pytest
from django.utils import translation

from reporting.models import Target
from reporting.selectors import Progress
from web.templatetags.reporting_tags import progress

DEADLINE = datetime.date(2027, 6, 30)


def target(value) -> Target:
    return Target(value=Decimal(value), deadline=DEADLINE)


def test_a_figure_without_a_target_is_the_figure_alone_in_the_users_number_format():
    with translation.override("hu"):
        assert str(progress(Progress(value=Decimal("12.5")))) == '<span class="figure">12,5</span>'
    with translation.override("en"):
        assert str(progress(Progress(value=7))) == '<span class="figure">7</span>'


def test_a_figure_on_its_way_shows_the_share_reached_the_target_and_the_pace_in_hungarian():
    figure = Progress(value=7, target=target("20"), projected=Decimal("25.5"))
    with translation.override("hu"):
        html = str(progress(figure))
    assert 'style="width: 35%"' in html
    assert 'class="progress-bar"' in html  # on track: not marked behind
    assert '<span class="figure">7 / 20</span>' in html
    assert '<span class="muted forecast">ebben az ütemben: 25,5 / 20 2027.06.30.-ig</span>' in html
    assert 'aria-label="a célérték 35%-a"' in html


@pytest.mark.parametrize(("projected", "behind"), [(Decimal("19"), True), (None, False)])
def test_a_pace_short_of_the_target_marks_the_bar_behind(projected, behind):
    html = str(progress(Progress(value=5, target=target("20"), projected=projected)))
    assert ('class="progress-bar behind"' in html) is behind
    assert ('class="muted forecast"' in html) is (projected is not None)


def test_a_figure_past_its_target_fills_the_bar_and_no_more():
    html = str(progress(Progress(value=30, target=target("20"), projected=Decimal("40"))))
    assert 'style="width: 100%"' in html
    assert '<span class="figure">30 / 20</span>' in html
