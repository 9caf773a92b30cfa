#!/usr/bin/env bash
# Every check `make test` runs, in order; each runs even if an earlier one failed, and the exit
# status is non-zero if any failed. Arguments go to every pytest run (e.g. -x, -k name).
#
#   1. ruff check, and ruff format --check (the tree stays formatted as merges come in)
#   2. translations compile (scripts/compile_messages.py)
#   3. Django system checks, and no model change without its migration
#   4. pytest on SQLite (DATABASE_URL and REDIS_URL unset: a file database, in-memory channels)
#   5. pytest on PostgreSQL, when TEST_DATABASE_URL is set (postgres://user@host:port/name; the
#      test runner creates and drops test_<name>)
#   6. manage.py bench --quick: fails when a page's query count grows with the data (on
#      TEST_DATABASE_URL's server when set, else SQLite)
#
# TEST_REDIS_URL, when set, is passed through to both runs for the tests that need a real Redis;
# they skip without it. The virtualenv must exist (make test makes it). JUnit reports go to
# $TEST_REPORTS_DIR (default var/test-reports). In CI (CI=true) a test that runs longer than
# $TEST_TIMEOUT seconds (default 600) dumps every thread's stack and ends the run.
set -uo pipefail

cd "$(dirname "$0")/.." || exit 2
VENV="${VENV:-.venv}"
PY="$VENV/bin/python"
REPORTS="${TEST_REPORTS_DIR:-var/test-reports}"
[[ -x "$PY" ]] || { echo "no $PY: run 'make test'" >&2; exit 2; }
# var/ holds the SQLite test databases and the browser tests' server logs.
mkdir -p "$REPORTS" var
rm -f "$REPORTS"/junit-*.xml "$REPORTS/total.txt"

pytest_args=("$@")
if [[ "${CI:-}" == true || -n "${TEST_TIMEOUT:-}" ]]; then
    pytest_args=(-o "faulthandler_timeout=${TEST_TIMEOUT:-600}"
        -o faulthandler_exit_on_timeout=true "${pytest_args[@]}")
fi

results=()
failed=0

section() { printf '\n==== %s ====\n' "$*"; }

record() { # name, status, seconds
    local verdict=ok
    if [[ "$2" != 0 ]]; then
        verdict="FAILED (exit $2)"
        failed=1
    fi
    results+=("$(printf '%-34s %-18s %5ss' "$1" "$verdict" "$3")")
}

step() { # name, command...
    local name="$1" start=$SECONDS status
    shift
    section "$name"
    "$@"
    status=$?
    record "$name" "$status" $((SECONDS - start))
}

# Django management commands under the test settings, on a throwaway in-memory database: the
# checks must not touch the demo database.
# shellcheck disable=SC2317  # called through step()
manage() {
    env -u REDIS_URL DJANGO_SETTINGS_MODULE=config.settings.test DATABASE_URL=sqlite://:memory: \
        "$PY" manage.py "$@"
}

# shellcheck disable=SC2317  # called through step()
checks() {
    manage check && manage makemigrations --check --dry-run --no-input
}

pytest_leg() { # leg name, env assignments..., --, pytest args...
    local leg="$1" start=$SECONDS status
    shift
    local envs=()
    while [[ "$1" != -- ]]; do
        envs+=("$1")
        shift
    done
    shift
    section "pytest on $leg"
    env -u DATABASE_URL -u REDIS_URL "${envs[@]}" "$PY" -m pytest \
        --junitxml="$REPORTS/junit-$leg.xml" -o junit_suite_name="$leg" "$@"
    status=$?
    if [[ $status -eq 5 ]]; then
        # No test collected (a filter matched nothing, or the suite is empty): say so loudly, but
        # an empty selection is not a failure of the code.
        echo "WARNING: pytest collected no tests on $leg (exit 5); counted as passed"
        status=0
    fi
    record "pytest on $leg" "$status" $((SECONDS - start))
}

step "ruff check" "$VENV/bin/ruff" check .
step "ruff format" "$VENV/bin/ruff" format --check .
step "translations" "$PY" scripts/compile_messages.py
step "system checks and migrations" checks

pytest_leg sqlite -- "${pytest_args[@]}"
if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    pytest_leg postgresql "DATABASE_URL=$TEST_DATABASE_URL" -- "${pytest_args[@]}"
else
    results+=("$(printf '%-34s %s' "pytest on postgresql" "not run (TEST_DATABASE_URL unset)")")
fi

# Not a measurement but a guard: the pages' query counts must not grow with the amount of data
# (manage.py bench --quick, BENCHMARKS.md). On PostgreSQL when there is one, else on SQLite.
if [[ -n "${TEST_DATABASE_URL:-}" ]]; then
    step "bench --quick (query counts)" env -u DATABASE_URL -u REDIS_URL "$PY" manage.py bench \
        --quick --no-sqlite --database-url "$TEST_DATABASE_URL"
else
    step "bench --quick (query counts)" env -u DATABASE_URL -u REDIS_URL "$PY" manage.py bench \
        --quick
fi

section "summary"
printf '%s\n' "${results[@]}"
if [[ -z "${TEST_REDIS_URL:-}" ]]; then
    echo "(TEST_REDIS_URL unset: tests that need Redis were skipped)"
fi
# One closing line over every pytest run, counted from their JUnit reports.
"$PY" - "$REPORTS" <<'EOF'
import sys
from pathlib import Path
from xml.etree import ElementTree

totals = dict.fromkeys(("tests", "failures", "errors", "skipped"), 0)
for report in sorted(Path(sys.argv[1]).glob("junit-*.xml")):
    for suite in ElementTree.parse(report).getroot().iter("testsuite"):
        for key in totals:
            totals[key] += int(suite.get(key, 0))
failed = totals["failures"] + totals["errors"]
passed = totals["tests"] - failed - totals["skipped"]
line = f"total: {passed} passed, {failed} failed, {totals['skipped']} skipped"
print(line)
Path(sys.argv[1], "total.txt").write_text(line + "\n")
EOF
exit "$failed"
