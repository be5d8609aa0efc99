"""Speed and memory of `cleaner` (not part of `make test`): its section of RESULTS.md.

    python benchmarks/speed.py [--data DIR] [--quick] [--gigabytes 1.0]

Measures, with every shipped rule loaded:
  1. text captures: documents/s and MB/s on one core (CPU time of this process),
     from a cold start and warm (a long batch's steady state), beside a C4-style line
     filter timed the same way (``reference.py``), the yardstick the targets were set by;
  2. HTML pages: cleaner's time against its two extractors' and trafilatura's own;
  3. `cleaner clean --jobs 1` against `--jobs 2` on the same JSONL (wall time);
  4. loading and cleaning with 1,000 generated site rule files beside the shipped ones;
  5. peak memory (all processes of the run) cleaning a JSONL of about 1 GB.
Pages come from the benchmark data directory when it is there (read in place, never
copied into the repository), else from generated captures.
"""
from __future__ import annotations

import argparse
import gzip
import json
import os
import random
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import warnings
from collections.abc import Callable
from pathlib import Path

import trafilatura

from cleaner import Cleaner
from cleaner.engine.html import from_html
from cleaner.engine.rules import default_rules_dir, load_rules
from dispatch import SITE_TEMPLATE  # this folder is on the path when run as a script
from reference import C4_RATE_WHERE_TARGETS_WERE_SET, c4_line_filter
from results import RESULTS, write_section

HERE = Path(__file__).resolve().parent
DEFAULT_DATA = HERE.parent.parent / "shared" / "bench" / "data"
DATASETS = ("scrapinghub", "wcxb-article", "l3s-gn1", "dragnet", "big9", "chaos",
            "cleanportaleval")
TEXT_RUNS = 3  # each text rate is the fastest of this many runs
HTML_ROUNDS = 2  # each HTML step is timed this many times on every page


def load_pages(data: Path, limit: int | None) -> list[dict[str, str]]:
    """Text captures and HTML of the benchmark's dev pages, or generated ones."""
    if not data.is_dir():
        print(f"benchmark data not found at {data}: using generated captures", file=sys.stderr)
        return generated_pages(limit or 2000)
    pages: list[dict[str, str]] = []
    for name in DATASETS:
        path = data / f"{name}.jsonl.gz"
        if path.is_file():
            with gzip.open(path, "rt", encoding="utf-8") as handle:
                pages.extend({"capture": r["capture"], "html": r["html"]}
                             for r in map(json.loads, handle))
    random.Random(7).shuffle(pages)
    return pages[:limit] if limit else pages


def generated_pages(count: int) -> list[dict[str, str]]:
    rng = random.Random(7)
    menu = ["Home", "World", "Politics", "Business", "Sport", "Skip to main content",
            "Subscribe", "Log In", "Share on Facebook", "Related Topics", "Advertisement"]
    words = ("the council said on tuesday that a new park would open next spring after "
             "months of debate among residents and officials in the city").split()
    pages = []
    for i in range(count):
        body = [" ".join(rng.choice(words) for _ in range(rng.randint(15, 60))).capitalize() + "."
                for _ in range(rng.randint(5, 25))]
        lines = rng.sample(menu, 6) + [f"Headline number {i}"] + body + rng.sample(menu, 4)
        html = "<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>"
        pages.append({"capture": "\n\n".join(lines), "html": html})
    return pages


def cpu_seconds(work, items: list[str]) -> float:
    """This process's CPU time for ``work`` over ``items``."""
    started = time.process_time()
    for item in items:
        work(item)
    return time.process_time() - started


def rates(items: list[str], seconds: float) -> tuple[float, float]:
    """Documents/s and MB/s of ``items`` done in ``seconds``."""
    size = sum(len(item.encode("utf-8")) for item in items)
    return len(items) / seconds, size / seconds / 1e6


def cpu_rate(work, items: list[str]) -> tuple[float, float]:
    """Documents/s and MB/s of ``work`` over ``items``, by this process's CPU time."""
    return rates(items, cpu_seconds(work, items))


def steady_rate(use_model: bool, captures: list[str]) -> tuple[float, float]:
    """Documents/s and MB/s of a cleaner that has already cleaned other captures.

    A long batch runs warm: the rule gates' per-pattern answers and the verdicts on
    lines that recur (menus, footers, prompts of the same sites) are cached after the
    first few thousand captures. Each half of the pages is timed on a fresh cleaner
    that first cleaned the other half, so no capture is timed after being seen.
    """
    half = len(captures) // 2
    seconds = 0.0
    for timed, warm in ((captures[:half], captures[half:]), (captures[half:], captures[:half])):
        cleaner = Cleaner(use_model=use_model)
        for capture in warm:
            cleaner.clean(capture)
        seconds += cpu_seconds(cleaner.clean, timed)
    return rates(captures, seconds)


def fastest(measure, runs: int = TEXT_RUNS) -> tuple[float, float]:
    """The fastest of ``runs`` runs of ``measure`` (documents/s, MB/s): other load on
    the machine only slows a run, even in CPU time (shared caches, stolen cycles)."""
    return max((measure() for _ in range(runs)), key=lambda rate: rate[0])


def bench_text(pages) -> dict[str, float]:
    """The default cleaner (rules and model) and the rules alone, from cold and warm.

    Every run from a cold start uses a new cleaner, and every warm run new cleaners.
    """
    captures = [p["capture"] for p in pages]
    docs, mb = fastest(lambda: cpu_rate(Cleaner().clean, captures))
    rules_only, rules_mb = fastest(lambda: cpu_rate(Cleaner(use_model=False).clean, captures))
    warm, warm_mb = fastest(lambda: steady_rate(True, captures))
    warm_rules, warm_rules_mb = fastest(lambda: steady_rate(False, captures))
    c4, _ = fastest(lambda: cpu_rate(c4_line_filter, captures))
    return {"c4_docs_per_s": c4, "docs_per_s": docs, "mb_per_s": mb,
            "rules_docs_per_s": rules_only, "rules_mb_per_s": rules_mb,
            "warm_docs_per_s": warm, "warm_mb_per_s": warm_mb, "warm_rules_docs_per_s": warm_rules,
            "warm_rules_mb_per_s": warm_rules_mb}


Step = Callable[[str], object]


def interleaved_seconds(steps: dict[str, Step], items: list[str]) -> dict[str, float]:
    """This process's CPU time for each step over ``items``, every step on an item before
    the next item, each item starting with the next step in turn."""
    names = list(steps)
    seconds = dict.fromkeys(names, 0.0)
    for turn, item in enumerate(items):
        for name in names[turn % len(names):] + names[:turn % len(names)]:
            started = time.process_time()
            steps[name](item)
            seconds[name] += time.process_time() - started
    return seconds


def bench_html(pages, cleaner: Cleaner) -> dict[str, float]:
    """The steps timed page by page, in turn, after a warm-up; HTML_ROUNDS rounds over the pages.

    ``from_html`` is both extractors and the cut where they agree; ``cleaner.clean`` adds
    decoding, rules, the generic stage and tidying. trafilatura's default mode (what
    cleaner ran before it added the second extractor) is timed for comparison. Timing
    every step on each page before the next page (starting with a different step each
    time) keeps the machine's drifts in speed out of the comparison: timed one step
    after the other over all pages, the same code read overheads from -4% to +16%.
    """
    htmls = [p["html"] for p in pages]

    def recall_mode(html: str) -> object:  # what cleaner asks of trafilatura
        return trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                           include_tables=True, favor_recall=True)

    def default_mode(html: str) -> object:
        return trafilatura.bare_extraction(html, with_metadata=True, include_comments=False,
                                           include_tables=True)

    steps: dict[str, Step] = {"trafilatura": recall_mode, "trafilatura_default": default_mode,
                              "extraction": from_html, "cleaner": cleaner.clean}
    for html in htmls[:20]:
        for work in steps.values():
            work(html)
    seconds = interleaved_seconds(steps, htmls * HTML_ROUNDS)
    rate = {name: HTML_ROUNDS * len(htmls) / seconds[name] for name in steps}
    size = HTML_ROUNDS * sum(len(html.encode("utf-8")) for html in htmls)
    return {"trafilatura_docs_per_s": rate["trafilatura"],
            "trafilatura_default_docs_per_s": rate["trafilatura_default"],
            "extraction_docs_per_s": rate["extraction"],
            "cleaner_docs_per_s": rate["cleaner"], "mb_per_s": size / seconds["cleaner"] / 1e6,
            # readability's pass and the cut, on top of trafilatura
            "second_opinion_pct": 100 * (rate["trafilatura"] / rate["extraction"] - 1),
            # decoding, rules, model and tidying, on top of both extractors
            "overhead_pct": 100 * (rate["extraction"] / rate["cleaner"] - 1),
            "total_vs_default_pct": 100 * (rate["trafilatura_default"] / rate["cleaner"] - 1)}


def write_jsonl(path: Path, pages, target_bytes: int | None = None) -> int:
    """Write captures as JSONL (cycling through them up to ``target_bytes``); count records."""
    written = count = 0
    with path.open("w", encoding="utf-8") as handle:
        while True:
            for i, page in enumerate(pages):
                line = json.dumps({"id": f"doc-{count}", "text": page["capture"],
                                   "source": "bench"}, ensure_ascii=False) + "\n"
                handle.write(line)
                written += len(line.encode("utf-8"))
                count += 1
                if target_bytes and written >= target_bytes:
                    return count
            if not target_bytes:
                return count


def run_cli(args: list[str]) -> tuple[float, int]:
    """Wall seconds and peak memory (kB, all processes of the run) of one `cleaner` command."""
    command = [sys.executable, "-m", "cleaner.cli", *args, "--quiet"]
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    sampler = MemorySampler(process.pid)
    sampler.start()
    _, err = process.communicate()
    sampler.stop()
    if process.returncode not in (0, 1):
        raise SystemExit(f"cleaner failed ({process.returncode}): {err.decode()[-2000:]}")
    return time.perf_counter() - started, sampler.peak_kb


class MemorySampler(threading.Thread):
    """Samples the resident memory of a process and its descendants (Linux /proc)."""

    def __init__(self, pid: int) -> None:
        super().__init__(daemon=True)
        self.pid, self.peak_kb, self._done = pid, 0, threading.Event()

    def run(self) -> None:
        while not self._done.wait(0.05):
            self.peak_kb = max(self.peak_kb, sum(map(_rss_kb, _tree(self.pid))))

    def stop(self) -> None:
        self._done.set()
        self.join()


def _tree(pid: int) -> list[int]:
    found, todo = [], [pid]
    while todo:
        current = todo.pop()
        found.append(current)
        try:
            for task in Path(f"/proc/{current}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except OSError:
            continue
    return found


def _rss_kb(pid: int) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return 0


def bench_jobs(pages, workdir: Path) -> dict[str, float]:
    """Each setting twice, alternating; the faster run counts (other load only slows)."""
    source = workdir / "jobs.jsonl"
    count = write_jsonl(source, pages * 2)  # long enough that starting workers is amortised
    result: dict[str, float] = {"documents": count}
    for jobs in (1, 2, 1, 2):
        out = workdir / f"jobs{jobs}"
        seconds, _ = run_cli(["clean", str(source), "--format", "jsonl", "-o", str(out),
                              "--jobs", str(jobs), "--force"])  # the second run overwrites
        key = f"jobs{jobs}_docs_per_s"
        result[key] = max(result.get(key, 0.0), count / seconds)
    result["speedup"] = result["jobs2_docs_per_s"] / result["jobs1_docs_per_s"]
    return result


def bench_site_files(pages, workdir: Path, count: int = 1000) -> dict[str, float]:
    rules = workdir / "rules"
    shutil.copytree(default_rules_dir(), rules)
    for i in range(count):
        (rules / "sites" / f"site{i}.example.toml").write_text(SITE_TEMPLATE.format(i=i))
    started = time.perf_counter()
    book = load_rules(rules)
    load_seconds = time.perf_counter() - started
    captures = [p["capture"] for p in pages]
    # each set twice, alternating, from a cold start; the faster run counts (as for --jobs)
    shipped = many = 0.0
    for _ in range(2):
        shipped = max(shipped, cpu_rate(Cleaner().clean, captures)[0])
        many = max(many, cpu_rate(Cleaner(book).clean, captures)[0])
    return {"site_files": len(book.sites), "load_s": load_seconds, "shipped_docs_per_s": shipped,
            "many_docs_per_s": many, "change_pct": 100 * (many / shipped - 1)}


def bench_memory(pages, workdir: Path, gigabytes: float) -> dict[str, float]:
    source = workdir / "big.jsonl"
    count = write_jsonl(source, pages, int(gigabytes * 1e9))
    size = source.stat().st_size
    seconds, peak_kb = run_cli(["clean", str(source), "--format", "jsonl", "-o",
                                str(workdir / "big-out"), "--jobs", "2"])
    return {"documents": count, "input_gb": size / 1e9, "peak_mb": peak_kb / 1024,
            "seconds": seconds, "docs_per_s": count / seconds}


def c4_share(rate: float, c4_rate: float) -> str:
    """A text rate as a share of the C4-style filter's, and what it comes to on the
    machine the targets were set on."""
    share = rate / c4_rate
    return f"{share:.2f}x the filter: {share * C4_RATE_WHERE_TARGETS_WERE_SET:,.0f} docs/s there"


def report(results: dict[str, dict[str, float]], pages: int, source: str) -> str:
    t, h, j, s, m = (results[k] for k in ("text", "html", "jobs", "sites", "memory"))
    c4 = t["c4_docs_per_s"]
    there = C4_RATE_WHERE_TARGETS_WERE_SET
    return f"""# Speed and memory

Measured by `benchmarks/speed.py` on {pages:,} pages ({source}), every shipped rule
loaded, on a machine with {os.cpu_count()} cores. Rates on one core are CPU time of
one process, the fastest of {TEXT_RUNS} runs for text; for HTML, every step is timed on each
page in turn, {HTML_ROUNDS} times over the pages; `--jobs` and memory
runs are wall time of the `cleaner clean` command (`--jobs`: the faster of 2 runs).
"Warm" is a long batch's steady state: each half of the pages is timed on a cleaner
that first cleaned the other half. "From a cold start" times every page on a new
cleaner, caches empty.

Absolute rates depend on the machine. The text targets were set where a C4-style
line filter (`benchmarks/reference.py`) runs at {there:,.0f} docs/s; here it runs at
{c4:,.0f} docs/s. The text rates are also given as shares of the filter's rate, and
as what that share comes to on the machine the targets were set on ("there"); the
time to load site files, also bound by one core, is scaled the same way.

| measure | result | target |
|---|---:|---:|
| text captures, one core, a C4-style line filter (the yardstick) | {c4:,.0f} docs/s | |
| text captures, one core, rules only, warm | {t['warm_rules_docs_per_s']:,.0f} docs/s, {t['warm_rules_mb_per_s']:.2f} MB/s ({c4_share(t['warm_rules_docs_per_s'], c4)}) | 1,000 docs/s |
| text captures, one core, rules only, from a cold start | {t['rules_docs_per_s']:,.0f} docs/s, {t['rules_mb_per_s']:.2f} MB/s | |
| text captures, one core, rules and model, warm | {t['warm_docs_per_s']:,.0f} docs/s, {t['warm_mb_per_s']:.2f} MB/s ({c4_share(t['warm_docs_per_s'], c4)}) | 500 docs/s |
| text captures, one core, rules and model, from a cold start | {t['docs_per_s']:,.0f} docs/s, {t['mb_per_s']:.2f} MB/s | |
| HTML, trafilatura alone, recall mode (as cleaner runs it) | {h['trafilatura_docs_per_s']:,.1f} docs/s | |
| HTML, trafilatura alone, default mode | {h['trafilatura_default_docs_per_s']:,.1f} docs/s | |
| HTML, both extractors and the cut (`html.from_html`) | {h['extraction_docs_per_s']:,.1f} docs/s ({h['second_opinion_pct']:+.1f}% time: readability and the cut) | |
| HTML, cleaner (extraction, rules and model) | {h['cleaner_docs_per_s']:,.1f} docs/s, {h['mb_per_s']:.2f} MB/s ({h['total_vs_default_pct']:+.1f}% time vs trafilatura's default mode) | |
| HTML, cleaner's overhead on its extractors | {h['overhead_pct']:.1f}% | at most 10% |
| `--jobs 1` ({j['documents']:,} text captures) | {j['jobs1_docs_per_s']:,.0f} docs/s | |
| `--jobs 2` | {j['jobs2_docs_per_s']:,.0f} docs/s ({j['speedup']:.2f}x) | 1.7x |
| loading {s['site_files']:,} site files | {s['load_s']:.2f} s ({s['load_s'] * c4 / there:.2f} s there) | under 1 s |
| text with 1,000 extra site files | {s['many_docs_per_s']:,.0f} docs/s ({s['change_pct']:+.1f}% vs {s['shipped_docs_per_s']:,.0f}) | within 10% |
| peak memory, {m['input_gb']:.2f} GB JSONL, `--jobs 2` | {m['peak_mb']:,.0f} MB ({m['documents']:,} docs in {m['seconds']:.0f} s) | under 500 MB |
"""


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--quick", action="store_true", help="small samples (a smoke run)")
    parser.add_argument("--gigabytes", type=float, default=1.0)
    parser.add_argument("--out", type=Path, default=RESULTS,
                        help="the results file whose speed section is rewritten")
    args = parser.parse_args()
    warnings.filterwarnings("ignore")  # dateutil and trafilatura warn about odd pages
    pages = load_pages(args.data, 300 if args.quick else None)
    html_pages = pages[:100 if args.quick else 600]
    cleaner = Cleaner()
    results = {"text": bench_text(pages), "html": bench_html(html_pages, cleaner)}
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        results["jobs"] = bench_jobs(pages, work)
        results["sites"] = bench_site_files(pages, work)
        results["memory"] = bench_memory(pages, work, 0.05 if args.quick else args.gigabytes)
    source = "the benchmark's dev split" if args.data.is_dir() else "generated captures"
    text = report(results, len(pages), source)
    write_section("speed", text, args.out)
    print(text)
    print(json.dumps(results, indent=1))


if __name__ == "__main__":
    main()
