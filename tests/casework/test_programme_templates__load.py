"""Programme templates are data files read strictly: every shipped one loads, and a broken one
is refused with an error that names the file and the place."""

from pathlib import Path

import pytest
import yaml
from django.utils import translation

from casework import programme_templates
from casework.programme_templates import TemplateError, available_templates, parse_template

SHIPPED = sorted(path.stem for path in programme_templates.DIRECTORY.glob("*.yaml"))
EFOP = (programme_templates.DIRECTORY / "efop_1_5_3.yaml").read_text(encoding="utf-8")


def broken(**changes) -> str:
    """The EFOP template with top-level keys changed (None: removed)."""
    data = yaml.safe_load(EFOP)
    for key, value in changes.items():
        if value is None:
            data.pop(key)
        else:
            data[key] = value
    return yaml.safe_dump(data, allow_unicode=True)


def test_the_five_programmes_of_the_seeds_are_shipped_as_templates():
    assert SHIPPED == ["efop_1_5_3", "hegyhat_forums", "lpsz_tornala", "tamop_5_1_1", "top_6_9_1"]


@pytest.mark.parametrize("key", SHIPPED)
def test_every_shipped_template_loads_and_validates(key):
    path = programme_templates.DIRECTORY / f"{key}.yaml"
    template = parse_template(key, path.read_text(encoding="utf-8"), source=path.name)
    assert template.version >= 1
    assert set(template.names) == set(template.descriptions) == {"hu", "sk", "en"}
    assert template.partners and template.locations and template.targets
    assert {"intake", "planning"} <= set(template.stages)


def test_the_templates_are_in_the_package_beside_the_loader():
    beside = Path(programme_templates.__file__).parent / "programme_templates"
    assert beside == programme_templates.DIRECTORY


def test_the_name_and_description_follow_the_active_language():
    by_key = {template.key: template for template in available_templates()}
    hegyhat = by_key["hegyhat_forums"]
    assert hegyhat.name == "Hegyhát coordination forums"
    with translation.override("hu"):
        assert hegyhat.name == "Hegyháti koordinációs fórumok"
        assert "684 résztvevő" in hegyhat.description
    with translation.override("sk"):
        assert by_key["lpsz_tornala"].name == "Lokálne partnerstvo sociálneho začlenenia Tornaľa"


def test_the_facts_of_the_seeds_are_in_the_files():
    by_key = {template.key: template for template in available_templates()}
    efop = by_key["efop_1_5_3"]
    kinds = [partner.kind for partner in efop.partners if partner.role != "partner"]
    assert kinds.count("municipality") == 5 and kinds.count("ngo") == 2
    assert "screening" in efop.stages and efop.attendance_threshold == 9
    assert "screening" not in by_key["lpsz_tornala"].stages
    assert by_key["lpsz_tornala"].country == "SK"
    hegyhat = by_key["hegyhat_forums"]
    assert len(hegyhat.locations) == 6
    committed = {t.indicator: t.value for t in hegyhat.targets if not t.location}
    assert committed == {"forums": 18, "forum_locations": 6, "event_attendance": 684}
    assert {p.kind for p in hegyhat.partners} >= {"labour_office", "health_office"}
    assert any("LEADER" in partner.name for partner in hegyhat.partners)


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"stages": ["intake", "planning", "coaching"]}, "stages[2]: unknown value 'coaching'"),
        ({"stages": ["intake", "training"]}, "every programme uses the stage 'planning'"),
        ({"stages": ["intake", "planning", "placement", "training"]}, "in the journey's order"),
        ({"ends_on": "2017-12-31"}, "ends_on: expected a date as YYYY-MM-DD"),
        ({"starts_on": "soon"}, "starts_on: expected a date as YYYY-MM-DD, got 'soon'"),
        ({"targets": [{"indicator": "smiles", "value": 3}]}, "unknown indicator 'smiles'"),
        ({"name": {"hu": "Program", "en": "Programme"}}, "name: missing 'sk'"),
        ({"description": None}, "template: missing 'description'"),
        ({"colour": "red"}, "unknown key 'colour'"),
        ({"attendance": {"threshold": 11, "planned_sessions": 10}}, "attendance.threshold"),
        ({"targets": [{"indicator": "forums", "value": 3, "location": "Eger"}]}, "'Eger'"),
        (
            {"targets": [{"indicator": "forums", "value": 3, "deadline": 2030}]},
            "targets[0].deadline: expected a date as YYYY-MM-DD, got 2030",
        ),
        (
            {"targets": [{"indicator": "forums", "value": 3, "deadline": "2016-01-31"}]},
            "targets[0].deadline: expected a date",
        ),
        ({"targets": [{"indicator": "forums", "value": 0}]}, "expected a number above zero"),
        ({"targets": [{"indicator": "forums", "value": 3, "partner": "Nobody"}]}, "'Nobody'"),
        (
            {"partners": [{"name": "X", "kind": "bank", "role": "lead", "settlement": "Ózd"}]},
            "partners[0].kind: unknown value 'bank'",
        ),
    ],
)
def test_a_broken_template_is_refused_naming_the_file_and_the_place(changes, message):
    with pytest.raises(TemplateError) as error:
        parse_template("efop_1_5_3", broken(**changes), source="efop_1_5_3.yaml")
    assert str(error.value).startswith("efop_1_5_3.yaml: ")
    assert message in str(error.value)


def test_a_period_that_ends_before_it_starts_is_refused():
    text = EFOP.replace("ends_on: 2021-12-31", "ends_on: 2017-06-30")
    with pytest.raises(TemplateError, match=r"ends \(2017-06-30\) before it starts \(2018-01-01\)"):
        parse_template("efop_1_5_3", text)


def test_every_error_of_a_file_is_listed_at_once():
    text = broken(country="AT", retention_years=0)
    with pytest.raises(TemplateError) as error:
        parse_template("efop_1_5_3", text)
    assert "country: unknown value 'AT'" in str(error.value)
    assert "retention_years: expected a whole number from 1 to 30" in str(error.value)


def test_a_file_that_is_not_yaml_is_refused():
    with pytest.raises(TemplateError, match=r"x\.yaml: not valid YAML"):
        parse_template("x", "name: [unclosed", source="x.yaml")


def test_a_target_deadline_outside_the_period_is_refused():
    text = EFOP.replace(
        "{indicator: forums, value: 18}", "{indicator: forums, value: 18, deadline: 2030-01-31}"
    )
    with pytest.raises(TemplateError, match=r"targets\[4\]\.deadline: the deadline is outside"):
        parse_template("efop_1_5_3", text)
