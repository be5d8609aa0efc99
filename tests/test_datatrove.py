"""CleanerStep in a real datatrove pipeline: reader -> CleanerStep -> writer, two tasks."""
from __future__ import annotations

import json
import pickle
from pathlib import Path

import pytest

pytest.importorskip("datatrove")

from datatrove.data import Document
from datatrove.executor import LocalPipelineExecutor
from datatrove.pipeline.readers import JsonlReader
from datatrove.pipeline.writers import JsonlWriter

from cleaner import Cleaner, CleanerError
from cleaner.batch.integrations.datatrove import CleanerStep
from cleaner.batch.tasks import Options

from .helpers import RULES, SEED_URLS, seed_bytes

SEEDS = sorted(SEED_URLS)
BOILERPLATE = "Skip to main content\n\nAdvertisement\n"


def write_inputs(folder: Path) -> None:
    """The seeds in two JSONL files (one per task), plus a capture that cleans to nothing."""
    folder.mkdir()
    records = [{"id": name, "text": seed_bytes(name).decode("utf-8"), "url": SEED_URLS[name]}
               for name in SEEDS]  # the reader moves "url" into the metadata
    records.append({"id": "boilerplate", "text": BOILERPLATE})
    for number, part in enumerate((records[:3], records[3:])):
        with open(folder / f"part-{number}.jsonl", "w", encoding="utf-8") as out:
            out.writelines(json.dumps(record) + "\n" for record in part)


def step_stats(logs: Path) -> dict:
    steps = json.loads((logs / "stats.json").read_text(encoding="utf-8"))
    (cleaner_step,) = [step for step in steps if "Cleaner" in step["name"]]
    return cleaner_step["stats"]


def test_pipeline_writes_cleaned_documents_with_their_removals(tmp_path, cleaner):
    write_inputs(tmp_path / "in")
    LocalPipelineExecutor(
        pipeline=[JsonlReader(str(tmp_path / "in")), CleanerStep(),
                  JsonlWriter(str(tmp_path / "out"), compression=None)],
        tasks=2, workers=2, logging_dir=str(tmp_path / "logs"),
    ).run()

    outputs = sorted((tmp_path / "out").glob("*.jsonl"))
    assert len(outputs) == 2  # one file per task: each task cleaned its own shard
    written = {doc["id"]: doc for path in outputs
               for doc in map(json.loads, path.read_text(encoding="utf-8").splitlines())}
    assert sorted(written) == SEEDS  # the boilerplate-only capture was dropped
    for name in SEEDS:
        url = SEED_URLS[name]
        cleaned = cleaner.clean_and_explain(seed_bytes(name), url=url)
        doc = written[name]
        assert doc["text"] == Cleaner().clean(seed_bytes(name), url)
        assert doc["metadata"]["url"] == url
        meta = doc["metadata"]["cleaner"]
        assert meta["paywalled"] is cleaned.paywalled
        assert meta["removals"] == [{"rule": r.rule_id, "category": r.category, "text": r.text}
                                    for r in cleaned.removals]
        assert {k: meta[k] for k in ("site", "title", "author", "date")} \
            == cleaned.metadata.as_dict()
        assert "cleaner_error" not in doc["metadata"]
    assert sum(doc["metadata"]["cleaner"]["paywalled"] for doc in written.values()) == 6

    stats = step_stats(tmp_path / "logs")
    assert stats["total"] == len(SEEDS) + 1
    assert stats["forwarded"] == len(SEEDS)
    assert stats["dropped"] == stats["dropped_empty"] == 1
    assert stats["paywalled"] == 6


def test_a_document_that_cannot_be_cleaned_keeps_its_text():
    step = CleanerStep()
    broken = "Council backs new park\ud800\n"  # a lone surrogate: not text
    docs = [Document(text=broken, id="broken"), Document(text=BOILERPLATE, id="empty")]
    out = list(step.run(iter(docs)))
    assert [doc.id for doc in out] == ["broken"]
    assert out[0].text == broken
    assert out[0].metadata["cleaner_error"]["reason"] == "capture"
    assert "cleaner" not in out[0].metadata
    assert step.stats["cleaner_error"].total == 1
    assert step.stats["dropped_empty"].total == 1


def test_empty_documents_stay_when_asked_and_categories_can_be_kept():
    step = CleanerStep(rules=str(RULES), keep_categories=["ad"], drop_empty=False, url_key="link")
    name = SEEDS[1]
    docs = [Document(text=BOILERPLATE, id="b"),
            Document(text="Skip to main content\n", id="e"),
            Document(text=seed_bytes(name).decode("utf-8"), id=name,
                     metadata={"link": SEED_URLS[name]})]
    out = list(step.run(iter(docs)))
    assert [doc.text for doc in out[:2]] == ["Advertisement\n", ""]
    assert out[1].metadata["cleaner"]["removals"][0]["category"] == "navigation"
    assert out[2].text == Cleaner(RULES, keep_categories={"ad"}).clean(seed_bytes(name),
                                                                       SEED_URLS[name])
    assert out[2].metadata["cleaner"]["site"] == "al-monitor.com"  # chosen by the URL


def test_the_step_pickles_without_its_rules_and_loads_them_where_it_runs():
    step = CleanerStep()
    list(step.run(iter([Document(text=BOILERPLATE, id="b")])))
    assert step._cleaner is not None
    copy = pickle.loads(pickle.dumps(step))
    assert copy._cleaner is None
    (doc,) = copy.run(iter([Document(text="Skip to main content\n\nA story.\n", id="s")]))
    assert doc.text == "A story.\n"


def test_unknown_categories_fail_when_the_pipeline_is_built():
    with pytest.raises(CleanerError, match="unknown categories"):
        CleanerStep(keep_categories=["adverts"])


def test_dropped_and_failed_documents_go_to_the_exclusion_writer(tmp_path):
    too_large = "A story that goes on. " * 10
    docs = [Document(text=BOILERPLATE, id="empty"), Document(text=too_large, id="broken"),
            Document(text="Skip to main content\n\nA story.\n", id="story")]
    step = CleanerStep(exclusion_writer=JsonlWriter(str(tmp_path / "excluded"),
                                                    compression=None))
    step.options = Options(max_bytes=100)  # the batch core's limit: a failure with a reason
    out = list(step.run(iter(docs)))

    assert [(doc.id, doc.text) for doc in out] == [("story", "A story.\n")]
    (written,) = (tmp_path / "excluded").glob("*.jsonl")
    excluded = {doc["id"]: doc for doc in map(json.loads, written.read_text().splitlines())}
    assert sorted(excluded) == ["broken", "empty"]
    empty = excluded["empty"]
    assert empty["text"] == BOILERPLATE  # as it came, with what would have been removed
    assert empty["metadata"]["filter_reason"] == "empty"
    assert [r["rule"] for r in empty["metadata"]["cleaner"]["removals"]] \
        == ["en-navigation:label", "en-ad:label"]
    assert excluded["broken"]["metadata"]["filter_reason"] == "cleaner_error"
    assert excluded["broken"]["metadata"]["cleaner_error"]["reason"] == "too-large"
    assert excluded["broken"]["text"] == too_large
    assert step.stats["dropped"].total == 2 and step.stats["dropped_empty"].total == 1
    assert step.stats["forwarded"].total == 1


def test_html_in_the_metadata_is_cleaned_as_cleaner_clean_reads_a_jsonl_record(tmp_path):
    """A JSONL record with `html` (and `text`): the reader puts the HTML in the metadata;
    the step cleans it, as `cleaner clean` prefers a record's HTML to its text."""
    html = ("<html><head><title>Park</title></head><body><nav>Home | News</nav><article>"
            "<h1>Council backs new park</h1><p>The council voted on Tuesday to expand the "
            "riverside park by four hectares, after a year of consultation.</p></article>"
            "</body></html>")
    (tmp_path / "in").mkdir()
    (tmp_path / "in" / "crawl.jsonl").write_text(
        json.dumps({"id": "p", "text": "a crawler's own extraction", "html": html,
                    "url": "https://example.com/park"}) + "\n", encoding="utf-8")
    (doc,) = CleanerStep().run(JsonlReader(str(tmp_path / "in")).run())

    assert doc.text == Cleaner().clean(html, "https://example.com/park")
    assert "riverside park" in doc.text and "html" not in doc.metadata
    assert doc.metadata["cleaner"]["title"] is not None
