"""`cleaner learn` and `cleaner clean --learn`, and grouping captures by site."""
from __future__ import annotations

import json
from pathlib import Path

import pytest

from cleaner.authoring.corpus import Grouping, collect, learn_sites, with_learned
from cleaner.batch.tasks import Options, Task
from cleaner.cli import main
from cleaner.engine.rules import load_rules

from . import synthetic
from .synthetic import SITE


def write_captures(folder: Path, count: int = 8) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(count):
        path = folder / f"page{i}.txt"
        path.write_text(synthetic.capture_text(i), encoding="utf-8")
        paths.append(path)
    return paths


def write_jsonl(path: Path, sites: dict[str, int], field: str | None = None) -> None:
    with path.open("w", encoding="utf-8") as out:
        for site, count in sites.items():
            for i in range(count):
                record = {"id": f"{site}-{i}", "text": synthetic.capture_text(i)}
                if field:
                    record[field] = site
                else:
                    record["url"] = f"https://www.{site}/story/{i}"
                out.write(json.dumps(record) + "\n")


def test_learn_writes_a_file_that_check_accepts(tmp_path, capsys):
    write_captures(tmp_path / "captures")
    target = tmp_path / "rules" / "sites" / f"{SITE}.toml"
    assert main(["learn", str(tmp_path / "captures"), "--site", SITE, "-o", str(target)]) == 0
    assert f"learned {SITE}:" in capsys.readouterr().err
    (tmp_path / "no-seeds").mkdir()  # an empty seeds directory: no goldens to compare
    assert main(["check", "--rules", str(tmp_path / "rules"),
                 "--seeds", str(tmp_path / "no-seeds")]) == 0
    assert "inline tests passed" in capsys.readouterr().err


def test_learn_prints_one_site_to_stdout(tmp_path, capsys):
    write_captures(tmp_path)
    assert main(["learn", str(tmp_path), "--site", SITE]) == 0
    out = capsys.readouterr().out
    assert out.startswith("schema = 1\n") and f"domains = ['{SITE}']" in out


def test_learn_groups_jsonl_by_registrable_domain_into_a_directory(tmp_path, capsys):
    write_jsonl(tmp_path / "crawl.jsonl", {"a.example.org": 3, "b.example.org": 3,
                                           "b.example.net": 6})
    assert main(["learn", str(tmp_path / "crawl.jsonl"), "-o", str(tmp_path / "out")]) == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "example.net.toml", "example.org.toml"]


def test_learn_groups_by_a_field(tmp_path, capsys):
    write_jsonl(tmp_path / "crawl.jsonl", {"c.example.org": 5}, field="group")
    assert main(["learn", str(tmp_path / "crawl.jsonl"), "--site-field", "group"]) == 0
    assert "domains = ['c.example.org']" in capsys.readouterr().out


def test_learn_refuses_a_file_named_after_another_site(tmp_path, capsys):
    write_captures(tmp_path / "captures")
    code = main(["learn", str(tmp_path / "captures"), "--site", SITE,
                 "-o", str(tmp_path / "other.toml")])
    assert code == 2 and f"{SITE}.toml" in capsys.readouterr().err


def test_learn_reports_sites_it_cannot_learn(tmp_path, capsys):
    write_jsonl(tmp_path / "crawl.jsonl", {"a.example.org": 6, "lonely.example.net": 1})
    code = main(["learn", str(tmp_path / "crawl.jsonl"), "-o", str(tmp_path / "out")])
    assert code == 1
    assert "not learned: example.net" in capsys.readouterr().err
    assert [p.name for p in (tmp_path / "out").iterdir()] == ["example.org.toml"]


def test_collect_keeps_a_bounded_sample_per_site():
    tasks = [Task(i, f"t{i}", synthetic.capture_text(i).encode(), url=f"https://{SITE}/{i}")
             for i in range(6)]
    tasks.append(Task(6, "t6", b"no url here"))
    samples = collect(tasks, Options(), Grouping(sample=4))
    assert [len(v) for v in samples.by_site.values()] == [4]
    assert samples.skipped == {"over-sample": 2, "no-site": 1}


def test_written_rule_files_win_over_learned_ones():
    tasks = [Task(i, f"t{i}", synthetic.capture_text(i).encode(),
                  url=f"https://news.al-monitor.com/{i}") for i in range(5)]
    drafts, _ = learn_sites(collect(tasks, Options(), Grouping()))
    shipped = load_rules()
    book, covered = with_learned(shipped, drafts)
    assert covered == ["al-monitor.com"]
    assert book.sites == shipped.sites  # nothing learned was added


def test_clean_learn_records_learned_removals(tmp_path, capsys):
    write_jsonl(tmp_path / "crawl.jsonl", {SITE: 8})
    code = main(["clean", str(tmp_path / "crawl.jsonl"), "--learn", "--format", "jsonl",
                 "--jobs", "1", "--no-model", "--quiet"])
    captured = capsys.readouterr()
    assert code == 0
    assert "learned rules for 1 of 1 sites from 8 captures" in captured.err
    records = [json.loads(line) for line in captured.out.splitlines()]
    rules = {r["rule"] for record in records for r in record["removals"]}
    assert "learned:example.com:repeated-ad" in rules  # the site of news.example.com
    assert all("Advertisement" not in record["text"] for record in records)
    assert all(p in records[2]["text"] for p in synthetic.body(2))


def test_clean_learn_refuses_standard_input(capsys):
    assert main(["clean", "-", "--learn", "--format", "jsonl"]) == 2
    assert "standard input" in capsys.readouterr().err
