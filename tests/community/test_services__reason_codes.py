"""Every reason code the community services stamp on a history row reads as an action on the
timeline (``audit.reasons``)."""

import re
from pathlib import Path

from audit import reasons
from community import services
from community.models import MeasureStatus


def test_every_community_reason_code_has_an_action():
    source = Path(services.__file__).read_text()
    codes = set(re.findall(r'reason="([a-z_]+\.[a-z_]+)"', source))
    codes |= {f"measure.{status}" for status in MeasureStatus.values}  # measure_set_status
    assert "micro_project.approve" in codes
    assert codes <= set(reasons.REASONS), sorted(codes - set(reasons.REASONS))
