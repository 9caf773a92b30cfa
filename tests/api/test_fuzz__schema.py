"""Requests generated from the API's own OpenAPI schema (schemathesis + hypothesis): no 5xx, no
write on a rejected request, documented status codes and bodies.

The default is a quick run for the normal suite. ``python manage.py api_fuzz --examples 1000``
runs this same test with 1,000 requests per operation (``API_FUZZ_EXAMPLES``), optionally on
some operations only (``API_FUZZ_OPERATIONS``, a substring of "METHOD /path").
"""

import os
import time

import pytest

from api.fuzz import Fuzzer

from .fuzz_world import build

EXAMPLES = int(os.environ.get("API_FUZZ_EXAMPLES", "20"))
OPERATIONS = os.environ.get("API_FUZZ_OPERATIONS", "")
SEED = int(os.environ.get("API_FUZZ_SEED", "0"))
# "i/n": this process takes every n-th operation from the i-th (api_fuzz runs n side by side).
SHARD, SHARDS = (int(part) for part in os.environ.get("API_FUZZ_SHARD", "0/1").split("/"))


@pytest.mark.django_db
def test_generated_requests_never_fail_with_5xx_nor_write_when_rejected(world, capsys):
    senders, ids = build(world)
    fuzzer = Fuzzer(actors=senders, ids=ids)
    # Each operation keeps its own seed (its place in the schema), whatever the shard.
    operations = list(enumerate(fuzzer.operations(OPERATIONS)))[SHARD::SHARDS]
    assert operations, f"no operation matches {OPERATIONS!r}"
    reports = []
    started = time.monotonic()
    for index, operation in operations:
        report = fuzzer.run(operation, examples=EXAMPLES, seed=SEED + index)
        reports.append(report)
        with capsys.disabled():
            if EXAMPLES > 100:  # the long run shows its progress
                print(report.summary(), flush=True)
    total = sum(report.requests for report in reports)
    summary = "\n".join(report.summary() for report in reports)
    print(
        f"{summary}\n{len(reports)} operations, {total} requests, "
        f"{time.monotonic() - started:.0f} s"
    )
    failures = [
        f"{report.label}\n  {failure}" for report in reports for failure in report.failures.values()
    ]
    assert not failures, "\n\n".join(failures)
    short = [report.label for report in reports if report.requests < EXAMPLES]
    assert not short, f"fewer than {EXAMPLES} requests: {short}"
