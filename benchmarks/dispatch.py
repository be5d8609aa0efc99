"""Site selection cost as the number of site rule files grows (not part of `make test`).

    python benchmarks/dispatch.py [--sizes 0,1000,5000] [--repeat 2000]

Writes N generated site files beside copies of the shipped rules, loads them, and
times choosing the rule sets for the seeds, by URL and by signature.
"""
from __future__ import annotations

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from cleaner import Cleaner
from cleaner.batch.files import read_manifest
from cleaner.engine.extract import normalise
from cleaner.engine.rules import default_rules_dir, load_rules

ROOT = Path(__file__).resolve().parent.parent
SITE_TEMPLATE = """schema = 1
description = "generated site {i}"

[match]
domains = ["site{i}.example"]
signatures = ["Read more at Outlet{i} Online", "See the Outlet{i} Terms of Service"]

[[rule]]
id = "site{i}.example:paywall"
category = "subscription"
action = "truncate-after"
marker = 'Subscribe to Outlet{i} today'
min-kept-lines = 3

  [[rule.test]]
  name = "keeps-prose"
  input = "Bakers say the cookies sold out by noon."
"""


def make_rules(directory: Path, extra_sites: int) -> Path:
    shutil.copytree(default_rules_dir(), directory, dirs_exist_ok=True)
    for i in range(extra_sites):
        (directory / "sites" / f"site{i}.example.toml").write_text(SITE_TEMPLATE.format(i=i))
    return directory


def measure(extra_sites: int, repeat: int) -> tuple[float, float, float]:
    with tempfile.TemporaryDirectory() as tmp:
        rules = make_rules(Path(tmp) / "rules", extra_sites)
        started = time.perf_counter()
        cleaner = Cleaner(load_rules(rules))
        load = time.perf_counter() - started
    urls = read_manifest(ROOT / "seeds" / "urls.tsv")
    texts = {name: "\n".join(line.text for line in normalise(
        (ROOT / "seeds" / name).read_text(encoding="utf-8"))) for name in urls}
    by_url = _per_call(lambda: [cleaner.rule_sets_for(u, "") for u in urls.values()], repeat)
    by_text = _per_call(lambda: [cleaner.rule_sets_for(None, t) for t in texts.values()], repeat)
    return load, by_url / len(urls), by_text / len(texts)


def _per_call(work, repeat: int) -> float:
    started = time.perf_counter()
    for _ in range(repeat):
        work()
    return (time.perf_counter() - started) / repeat


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default="0,1000,5000")
    parser.add_argument("--repeat", type=int, default=2000)
    args = parser.parse_args()
    print("| extra site files | load (s) | select by URL (µs) | select by signature (µs) |")
    print("|---:|---:|---:|---:|")
    for size in (int(s) for s in args.sizes.split(",")):
        load, url, text = measure(size, args.repeat)
        print(f"| {size:,} | {load:.3f} | {url * 1e6:.1f} | {text * 1e6:.1f} |")


if __name__ == "__main__":
    main()
