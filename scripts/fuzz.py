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


def run(strategy: st.SearchStrategy[Any], examples: int, check: Callable[[Any], None],
        last: Path, watchdog: float) -> None:
    """Draw ``examples`` inputs (no shrinking, no example database) and check each.

    Each input is written to ``last`` before it is checked. A true hang never returns
    to be counted: an input still running after ``watchdog`` seconds has every
    thread's stack dumped, and the input it is stuck on is in ``last``.
    """
    if examples <= 0:
        return
    @settings(max_examples=examples, deadline=None, database=None, phases=[Phase.generate],
              suppress_health_check=list(HealthCheck))
    @given(strategy)
    def each(value: Any) -> None:
        last.write_text(repr(value), encoding="utf-8")
        faulthandler.dump_traceback_later(watchdog)
        try:
            check(value)
        except AssertionError:
            pass  # counted in the tally; go on with the next input
        finally:
            faulthandler.cancel_dump_traceback_later()

    each()


def report(name: str, tally: Tally, last: Path) -> bool:
    """Print the tally; each failure's whole input goes to a file beside ``last``."""
    print(f"{name}: {tally.tried} tried, {tally.documented_errors} documented errors, "
          f"{tally.crashes} crashes, {tally.hangs} hangs (over {tally.limit:g} s), "
          f"{tally.idempotence_failures} idempotence failures, slowest {tally.slowest:.2f} s")
    for number, (kind, example) in enumerate(tally.examples.items(), 1):
        saved = last.with_name(f"{last.stem}-{name.replace(' ', '-')}-{number}.txt")
        saved.write_text(repr(example), encoding="utf-8")
        print(f"  {kind} | {example!r:.300} (whole input: {saved})")
    return tally.crashes == 0 and tally.hangs == 0 and tally.idempotence_failures == 0


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--generated", type=int, default=10_000)
    parser.add_argument("--mutated", type=int, default=1_000)
    parser.add_argument("--rule-folders", type=int, default=5_000)
    parser.add_argument("--limit", type=float, default=10.0,
                        help="CPU seconds one capture may take before it counts as a hang")
    parser.add_argument("--last", type=Path, default=Path("fuzz-last-input.txt"),
                        help="where each input is written before it is checked")
    args = parser.parse_args()
    args.last.parent.mkdir(parents=True, exist_ok=True)
    watchdog = args.limit * 30
    cleaner = Cleaner()
    ok = True
    for name, strategy, count in (("generated captures", generated_captures(), args.generated),
                                  ("mutated captures", mutated_captures(), args.mutated)):
        tally = Tally(limit=args.limit)
        run(strategy, count, lambda capture, tally=tally: check_capture(cleaner, *capture, tally),
            args.last, watchdog)
        ok &= report(name, tally, args.last)
    tally = Tally(limit=args.limit)
    with tempfile.TemporaryDirectory() as tmp:
        def check_folder(spec: RuleFolder) -> None:
            check_rule_folder(write_rule_folder(spec, Path(tmp) / "rules"), tally, spec)

        run(RULE_FOLDERS, args.rule_folders, check_folder, args.last, watchdog)
    ok &= report("mutated rule folders", tally, args.last)
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
