"""`cleaner lint`: boilerplate left in files that should be clean, as path:line: rule-id: message."""
from __future__ import annotations

import gzip
import json

from cleaner import Cleaner
from cleaner.authoring.lint import Finding, lint_task, lint_text
from cleaner.batch.tasks import Task
from cleaner.cli import main

CLEAN = "Council backs new park\n\nThe council voted on Tuesday to expand the park.\n"
DIRTY = ("Council backs new park\n\nThe council voted on Tuesday to expand the park.\n\n"
         "Advertisement\n\nShare on Facebook\n")


def test_text_file_findings_name_the_file_line(tmp_path, capsys):
    path = tmp_path / "article.txt"
    path.write_text(DIRTY, encoding="utf-8")
    assert main(["lint", str(path)]) == 1
    out = capsys.readouterr().out.splitlines()
    assert out == [f"{path}:5: en-ad:label: ad: 'Advertisement'",
                   f"{path}:7: en-share:prompt: share: 'Share on Facebook'"]


def test_clean_files_pass(tmp_path, capsys):
    (tmp_path / "a.txt").write_text(CLEAN, encoding="utf-8")
    (tmp_path / "b.jsonl").write_text(json.dumps({"text": CLEAN}) + "\n", encoding="utf-8")
    assert main(["lint", str(tmp_path)]) == 0
    captured = capsys.readouterr()
    assert captured.out == "" and "lint: 0 findings" in captured.err


def test_jsonl_findings_name_the_record_line_and_the_text_line(tmp_path, capsys):
    path = tmp_path / "data.jsonl.gz"
    records = [{"text": CLEAN}, {"body": DIRTY, "link": "https://example.com/a"}]
    with gzip.open(path, "wt", encoding="utf-8") as out:
        out.writelines(json.dumps(r) + "\n" for r in records)
    code = main(["lint", str(path), "--text-field", "body", "--url-field", "link"])
    out = capsys.readouterr().out.splitlines()
    assert code == 1
    # record 1 has no "body" field: it is reported, not skipped
    assert out[0].startswith(f"{path}:1: lint:bad-record: ")
    assert out[1] == f"{path}:2: en-ad:label: ad: 'Advertisement' (line 5 of the text)"


def test_site_rules_apply_by_url():
    cleaner = Cleaner(use_model=False)
    text = "Headline\n\nBody text of the story.\n\nFound in: iranian influence, baghdad\n"
    assert lint_text(cleaner, text, "x.txt") == []
    found = lint_text(cleaner, text, "x.txt", url="https://www.al-monitor.com/originals/x")
    assert [(f.line, f.rule_id) for f in found] == [(5, "al-monitor.com:found-in")]


def test_unreadable_task_is_a_finding():
    task = Task(0, "gone.txt", b"", source="gone.txt", error=("read", "cannot read: gone"))
    assert lint_task(Cleaner(use_model=False), task) == [
        Finding("gone.txt", 1, "lint:unreadable", "cannot read: gone")]
