"""Peak memory and time of `cleaner clean` on one large HTML capture (not part of `make test`).

    python benchmarks/big_html.py [--data DIR] [--megabytes 20]

Builds one HTML page of about ``--megabytes`` MB from the bodies of the benchmark's
dev pages (generated pages when the data is absent), cleans it with `cleaner clean`
in a child process and samples the resident memory of that process and its
children. Writes the "big-html" section of RESULTS.md.
"""
from __future__ import annotations

import argparse
import re
import tempfile
from pathlib import Path

from results import write_section  # this folder is on the path when run as a script
from speed import DEFAULT_DATA, load_pages, run_cli

BODY = re.compile(r"<body[^>]*>(.*?)</body>", re.DOTALL | re.IGNORECASE)


def build_page(pages: list[dict[str, str]], megabytes: float) -> str:
    """One page whose body is the bodies of ``pages`` in turn, until it is big enough."""
    target = int(megabytes * 1e6)
    bodies, size = [], 0
    while size < target:
        for page in pages:
            match = BODY.search(page["html"])
            body = match.group(1) if match else page["html"]
            bodies.append(f"<section>{body}</section>")
            size += len(body.encode("utf-8"))
            if size >= target:
                break
    return "<!DOCTYPE html><html><head><title>One large capture</title></head><body>" \
        + "\n".join(bodies) + "</body></html>\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--megabytes", type=float, default=20.0)
    parser.add_argument("--doc-timeout", type=float, default=600.0)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        page = Path(tmp) / "big.html"
        page.write_text(build_page(load_pages(args.data, 2000), args.megabytes), encoding="utf-8")
        size_mb = page.stat().st_size / 1e6
        out = Path(tmp) / "out"
        seconds, peak_kb = run_cli(["clean", str(page), "-o", str(out), "--max-bytes",
                                    str(2 * page.stat().st_size),
                                    "--doc-timeout", str(args.doc_timeout)])
        errors = (out / "errors.jsonl").read_text(encoding="utf-8").strip()
        if errors:
            raise SystemExit(f"the capture was not cleaned: {errors}")
    peak_mb = peak_kb / 1024
    text = (f"# One large HTML capture\n\nMeasured by `benchmarks/big_html.py`: one HTML page "
            f"of {size_mb:.1f} MB built from the benchmark's pages, cleaned by `cleaner clean` "
            f"(`--doc-timeout {args.doc_timeout:g}`).\n\n"
            f"| measure | result |\n|---|---|\n"
            f"| wall time | {seconds:.1f} s |\n"
            f"| peak memory (all processes of the run) | {peak_mb:,.0f} MB "
            f"({peak_mb / size_mb:.0f} times the page) |\n")
    print(text)
    write_section("big-html", text)


if __name__ == "__main__":
    main()
