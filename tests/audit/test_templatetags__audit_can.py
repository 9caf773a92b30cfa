"""The ``audit_can`` filter offers audit links to exactly the roles that may follow them."""

import pytest
from django.template import Context, Template

TEMPLATE = Template(
    '{% load audit_tags %}{% if user|audit_can:"timeline" %}T{% endif %}'
    '{% if user|audit_can:"org_list" %}O{% endif %}'
)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "shown"),
    [("supervisor", "TO"), ("worker", "T"), ("mentor", ""), ("admin", "")],
)
def test_audit_links_are_offered_by_role(world, username, shown):
    assert TEMPLATE.render(Context({"user": getattr(world, username)})) == shown
