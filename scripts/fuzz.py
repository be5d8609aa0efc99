"""Run the fuzz strategies of tests/fuzzing.py long, counting instead of stopping.

    python scripts/fuzz.py --generated 10000 --mutated 1000 --rule-folders 5000

Prints, per kind: inputs tried, documented errors, crashes, hangs (a capture that took
longer than --limit seconds in one call) and idempotence failures, the slowest call,
and up to 20 reproducers. Exits 1 when anything but documented errors was found.
Not part of `make test`: the suite runs the same checks with a small budget.
"""
from __future__ import annotations

import argparse
import faulthandler
import sys
import tempfile
from pathlib import Path
from typing import Any, Callable

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the tests package

from cleaner import Cleaner  # noqa: E402
from tests.fuzzing import (RULE_FOLDERS, RuleFolder, Tally, check_capture,  # noqa: E402
                           check_rule_folder, generated_captures, mutated_captures,
                           write_rule_folder)


def run(strategy: st.SearchStrategy[Any], examples: int, check: Callable[[Any], None]) -> None:
    """Draw ``examples`` inputs (no shrinking, no example database) and check each."""
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def each(value: Any) -> None:
        try:
            check(value)
        except AssertionError:
            pass  # counted in the tally; go on with the next input

    each()


def report(name: str, tally: Tally) -> bool:
    print(f"{name}: {tally.tried} tried, {tally.documented_errors} documented errors, "
          f"{tally.crashes} crashes, {tally.hangs} hangs (over {tally.limit:g} s), "
          f"{tally.idempotence_failures} idempotence failures, slowest {tally.slowest:.2f} s")
    for kind, example in tally.examples.items():
        print(f"  {kind} | {example}")
    return tally.crashes == 0 and tally.hangs == 0 and tally.idempotence_failures == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", type=int, default=10_000)
    parser.add_argument("--mutated", type=int, default=1_000)
    parser.add_argument("--rule-folders", type=int, default=5_000)
    parser.add_argument("--limit", type=float, default=10.0,
                        help="seconds one capture may take before it counts as a hang")
    args = parser.parse_args()
    # a true hang never returns to be counted: dump every thread's stack and stop
    faulthandler.dump_traceback_later(args.limit * 30, repeat=True)
    cleaner = Cleaner()
    ok = True
    for name, strategy, count in (("generated captures", generated_captures(), args.generated),
                                  ("mutated captures", mutated_captures(), args.mutated)):
        tally = Tally(limit=args.limit)
        run(strategy, count, lambda capture, tally=tally: check_capture(cleaner, *capture, tally))
        ok &= report(name, tally)
    tally = Tally(limit=args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        def check_folder(spec: RuleFolder) -> None:
            check_rule_folder(write_rule_folder(spec, Path(tmp) / "rules"), tally, spec)

        run(RULE_FOLDERS, args.rule_folders, check_folder)
    ok &= report("mutated rule folders", tally)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
