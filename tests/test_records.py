"""Records and their encoded form: what crosses from worker processes to a batch's parent."""
from __future__ import annotations

import pickle
from collections import Counter

import pytest

from cleaner import Cleaner
from cleaner.batch.records import EncodedRecord, Tally, decode_record, encode_record, result_record
from cleaner.batch.summary import Summary
from cleaner.batch.tasks import Result

CAPTURE = "Headline\n\nAdvertisement\n\nBody of the story.\n\nAdvertisement\n\n" \
          "Subscribe for unlimited access\n"


@pytest.fixture(scope="module")
def record() -> dict:
    return result_record(Cleaner(use_model=False).clean_and_explain(CAPTURE), "doc-1",
                         None, {"lang": "en", "score": 0.5, "tags": ["a", "b"]})


def test_an_encoded_record_decodes_to_the_record(record):
    encoded = EncodedRecord.of(record)
    assert encoded.line == encode_record(record)
    assert encoded.decode() == record


def test_a_tally_counts_the_record(record):
    tally = Tally.of(record)
    assert tally.text_bytes == len(record["text"].encode()) and tally.paywalled
    assert tally.by_category == {"ad": 2, "subscription": 1}
    assert tally.by_rule == Counter(r["rule"] for r in record["removals"])


def test_lone_surrogates_survive_the_round_trip(record):
    # orjson refuses them; the standard library's ASCII form carries them both ways.
    odd = record | {"text": "half \\ud800 a pair\\n"}
    assert decode_record(encode_record(odd)) == odd
    assert Tally.of(odd).text_bytes == len("half \\ud800 a pair\\n".encode("utf-8", "surrogatepass"))


def test_a_result_reads_the_same_in_either_form(record):
    plain = Result(3, "doc-1", 120, output=record, relative="a/doc-1.txt", source="in.jsonl:4")
    encoded = pickle.loads(pickle.dumps(plain.encoded()))
    assert isinstance(encoded.output, EncodedRecord)
    assert encoded.record == plain.record and encoded.line == plain.line
    assert encoded.tally == plain.tally
    assert encoded == plain and encoded != Result(3, "doc-1", 120, output=record)


def test_a_failed_result_has_nothing_to_encode():
    failed = Result(0, "x", 5, error={"reason": "capture", "message": "bad"})
    assert failed.encoded() is failed
    assert failed.record is None and failed.line is None and failed.tally is None


def test_a_summary_counts_either_form_alike(record):
    plain = Result(0, "doc-1", 120, output=record)
    sums = []
    for result in (plain, plain.encoded()):
        summary = Summary()
        summary.add(result)
        sums.append(summary.as_dict())
    assert sums[0] == sums[1]
    assert sums[0]["removals"] == 3 and sums[0]["paywalled"] == 1


def test_a_record_says_the_encoding_only_when_it_is_not_plain_utf8():
    cleaner = Cleaner(use_model=False)
    plain = result_record(cleaner.clean_and_explain(CAPTURE.encode("utf-8")))
    assert "encoding" not in plain and "warnings" not in plain
    latin = result_record(cleaner.clean_and_explain(
        "Le café était plein. Les élèves ont mangé des crêpes.\n".encode("latin-1")))
    assert latin["encoding"] == "cp1252"
    assert latin["warnings"] == ["not UTF-8 and no charset declared: read as cp1252, a guess"]
    stray = result_record(cleaner.clean_and_explain(
        "Le café était plein.\nLes élèves ont mangé.\n".encode("utf-8") + b"\xff\n"))
    assert stray["encoding"] == "utf-8"
    assert stray["warnings"] == ["1 invalid byte sequence in utf-8 replaced by U+FFFD"]
