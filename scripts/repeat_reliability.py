"""Run the reliability and concurrency tests N times in a row, on SQLite and on PostgreSQL, and report each run.

Usage: .venv/bin/python scripts/repeat_reliability.py [--runs 10] [--only sqlite|postgres] [-- extra pytest args]

"The reliability and concurrency tests" are, by default, ``RELIABILITY_TESTS`` below: the fault and kill campaigns
(A1 and works pieces), the crash at each exact point, and the tests that race real processes or threads (double
submits, password reminders, two schedulers, two document builds). Name other tests after ``--`` to run those
instead (``-- -m postgres`` for everything `make test` runs twice). Each PostgreSQL run gets a fresh private cluster
(scripts/pg_private.py), as in `make test`. Every run goes on even after a failure, so that the final line counts
them all; the exit code is 0 only when every run passed. Meant to be run by hand (it takes about an hour for 10 runs
of each), not by CI.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
RELIABILITY_TESTS = [
    "chorusbat/gateway/tests/test_reliability.py",
    "chorusbat/gateway/tests/test_reliability_works.py",
    "chorusbat/gateway/tests/test_crashes.py",
    "chorusbat/web/tests/test_double_submit.py",
    "chorusbat/accounts/tests/test_password_life.py",
    "chorusbat/ops/tests/test_periodic.py",
    "chorusbat/invoicing/tests/test_documents.py",
]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--runs", type=int, default=10)
    parser.add_argument("--only", choices=["sqlite", "postgres"])
    parser.add_argument("pytest_args", nargs="*")
    args = parser.parse_args()
    selection = args.pytest_args or RELIABILITY_TESTS
    pytest = [sys.executable, "-m", "pytest", "-n", "2", "-q", *selection]
    results: list[tuple[str, int, bool, float]] = []
    for database in ("sqlite", "postgres"):
        if args.only and args.only != database:
            continue
        for run in range(1, args.runs + 1):
            command = pytest if database == "sqlite" else [
                sys.executable, str(ROOT / "scripts" / "pg_private.py"), "--", *pytest]
            started = time.monotonic()
            proc = subprocess.run(command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
            elapsed = time.monotonic() - started
            ok = proc.returncode == 0
            results.append((database, run, ok, elapsed))
            last = [line for line in proc.stdout.splitlines() if line.strip()][-1:] or ["(no output)"]
            print(f"{database:8} run {run:2}/{args.runs}: {'ok    ' if ok else 'FAILED'} {elapsed:6.0f} s  {last[0]}",
                  flush=True)
            if not ok:
                failures = [line for line in proc.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
                print("\n".join(f"    {line}" for line in failures[:20]), flush=True)
                log = ROOT / "test-results" / f"repeat-{database}-{run}.log"  # the whole output, for a person
                log.parent.mkdir(exist_ok=True)
                log.write_text(proc.stdout)
                print(f"    output: {log}", flush=True)
    passed = sum(ok for *_rest, ok, _elapsed in results)
    print(f"{passed} passed, {len(results) - passed} failed")
    return 0 if passed == len(results) else 1


if __name__ == "__main__":
    sys.exit(main())
