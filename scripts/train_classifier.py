"""Train the generic stage's line classifier (writes cleaner/engine/data/classifier.json).

    python scripts/train_classifier.py [--data DIR] [--kinds text,html] [--cache DIR]
                                       [--exclude-persite-sites] [--output PATH]
    python scripts/train_classifier.py --kinds excerpt --labeled FILE... [--min-keep X]
                                       [--data DIR] [--cache DIR] [--output PATH]

Needs numpy and scikit-learn (``pip install -e '.[train]'``; inference does not). Reads the
dev pages of the accuracy benchmark (by default ``../shared/bench/data`` beside the
repository; the data is never copied into the repository), cleans each capture with
the rules only, and labels every line the rules kept by aligning it with the page's
human article text: a line is content when at least half of its word 4-grams occur in
the truth (a line of fewer than four words: when its words occur there in a row).

For each capture kind (``text``: the page's text capture; ``html``: what trafilatura
extracts from its HTML) it fits an L2-regularised logistic regression on the line
features of ``cleaner.engine.line_features``, estimates the two-state HMM's transitions from the
label sequences, and picks the thresholds and the guard on out-of-fold predictions
(grouped by site, so no site is both trained and scored on) to maximise the
benchmark's F1 with recall held at ``--min-recall``. Scoring runs the stage as it
ships: round after round until a round removes nothing (``settle``). It prints
cross-validated and training-set figures (both are also written beside the weights),
then fits on every page and writes the weights.

``--kinds excerpt`` trains the model of short text captures and its word lexicon
(``cleaner/engine/data/lexicon.json``) from captures labeled line by line (``--labeled``, the
format of ``../shared/pages/captures.jsonl``; default that file) and the benchmark's
text captures short enough to be excerpts (``labeled_pages.py``), and sets the
thresholds on the hand labels: the most boilerplate removed with ``--min-keep`` of keep
lines left. Its scores are gradient-boosted trees (``FOREST``), fitted per fold for the
cross-validation and on every capture for the shipped model; the label sequences give its
HMM transitions. The text and HTML models are fitted without the lexicon's features.

``--exclude-persite-sites`` leaves out every page of each site group that has pages in
the benchmark's per-site split (``persite`` = train or test), in any dataset: a model
that has never seen those sites, for measuring learned site rules fairly
(``benchmarks/learning.py --model-file``). Write it elsewhere with ``--output``; the
shipped weights stay as they are.
"""
from __future__ import annotations

import argparse
import gzip
import hashlib
import itertools
import json
import math
import os
import pickle
import re
import sys
from collections import Counter
from concurrent.futures import ProcessPoolExecutor
from dataclasses import replace
from pathlib import Path

import numpy as np
from sklearn.ensemble import HistGradientBoostingClassifier
from sklearn.linear_model import LogisticRegression
from sklearn.model_selection import GroupKFold

from cleaner import Cleaner
from cleaner.engine import lexicon
from cleaner.engine.rules import default_rules_dir
from cleaner.errors import CleanerError
import cleaner.engine.line_features
from cleaner.engine.classifier import MAX_ROUNDS, select
from cleaner.engine.line_features import FEATURE_NAMES, columns
from cleaner.engine.forest import LEAF, Forest, Tree
from cleaner.engine.line_model import LineModel
from cleaner.engine.scoring import page_logits, use_lexicon
from cleaner.engine.smoothing import smooth
import labeled_pages

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DEFAULT_DATA = REPO.parent / "shared" / "bench" / "data"
DEFAULT_LABELED = REPO.parent / "shared" / "pages" / "captures.jsonl"
OUTPUT = REPO / "cleaner" / "engine" / "data" / "classifier.json"
LEXICON = REPO / "cleaner" / "engine" / "data" / "lexicon.json"
EXCERPT_MIN_LINES = 3  # an excerpt of fewer non-blank lines is left to the rules
DATASETS = ("scrapinghub", "wcxb-article", "l3s-gn1", "dragnet", "big9", "chaos",
            "cleanportaleval")
TOKEN = re.compile(r"\w+")
FOLDS = 5
C = 0.5  # inverse regularisation strength of the logistic regression


class Recorder(Cleaner):
    """A rules-only cleaner that keeps the lines the generic stage would be given."""

    def __init__(self) -> None:
        super().__init__(use_model=False)
        self.seen: tuple = ()

    def _generic_stage(self, state, kind, sites=()):  # type: ignore[no-untyped-def]
        self.seen = state.kept
        return False, False


_RECORDER: Recorder | None = None


def prepare(args: tuple[str, str, str, str]) -> dict | None:
    """Rules-only pass over one page: the kept lines, their labels and the truth."""
    global _RECORDER
    kind, raw, truth, group = args
    if _RECORDER is None:
        _RECORDER = Recorder()
    try:
        _RECORDER.clean_and_explain(raw, kind=kind)
    except CleanerError:  # a page the cleaner cannot read scores as it is, untrained on
        return None
    texts = [line.text for line in _RECORDER.seen if line.text.strip()]
    truth_tokens = TOKEN.findall(truth)
    grams4 = set(zip(*(truth_tokens[i:] for i in range(4))))
    short = {n: set(zip(*(truth_tokens[i:] for i in range(n)))) for n in (1, 2, 3)}
    labels = []
    tokens = []
    for text in texts:
        toks = TOKEN.findall(text)
        tokens.append(toks)
        if len(toks) >= 4:
            grams = list(zip(*(toks[i:] for i in range(4))))
            labels.append(int(sum(g in grams4 for g in grams) * 2 >= len(grams)))
        elif toks:
            labels.append(int(tuple(toks) in short[len(toks)]))
        else:
            labels.append(0)
    return {"group": group, "texts": texts, "labels": labels, "tokens": tokens,
            "truth": shingles(truth_tokens)}


def shingles(tokens: list[str]) -> Counter:
    """The benchmark's unit: the multiset of word 4-grams (one shorter one for a short text)."""
    if len(tokens) >= 4:
        return Counter(zip(*(tokens[i:] for i in range(4))))
    return Counter([tuple(tokens)] if tokens else [])


def read_records(data: Path) -> list[dict]:
    records = []
    for name in DATASETS:
        path = data / f"{name}.jsonl.gz"
        if not path.is_file():
            continue
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            records += [r for r in map(json.loads, handle) if r.get("split") == "dev"]
    return records


def persite_groups(data: Path) -> set[str]:
    """The site groups with pages in the per-site split, in any dataset (cleaneval too)."""
    groups = set()
    for path in sorted(data.glob("*.jsonl.gz")):
        with gzip.open(path, "rt", encoding="utf-8") as handle:
            groups.update(r["group"] for r in map(json.loads, handle) if r.get("persite"))
    return groups


def rules_digest() -> str:
    """A short digest of the shipped rule files' names and contents."""
    digest = hashlib.sha256()
    root = default_rules_dir()
    for path in sorted(root.rglob("*.toml")):
        digest.update(str(path.relative_to(root)).encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def load_pages(data: Path, kind: str, cache: Path | None,
               exclude: frozenset[str] = frozenset()) -> list[dict]:
    """Prepared pages of ``kind``, without those of the site groups in ``exclude``."""
    # named by the rules too: prepared pages are what the rules left, stale once they change
    name = f"{kind}{'-heldout' if exclude else ''}-{rules_digest()}.pickle"
    if cache is not None and (cache / name).is_file():
        with open(cache / name, "rb") as handle:
            return pickle.load(handle)
    jobs = []
    for record in read_records(data):
        if record["group"] in exclude:
            continue
        raw = record["capture"] if kind == "text" else record["html"]
        jobs.append((kind, raw, record["truth"], record["group"]))
    with ProcessPoolExecutor(max(1, (os.cpu_count() or 2) - 1)) as pool:
        pages = [p for p in pool.map(prepare, jobs, chunksize=8) if p is not None]
    if cache is not None:
        cache.mkdir(parents=True, exist_ok=True)
        with open(cache / name, "wb") as handle:
            pickle.dump(pages, handle)
    return pages


def page_scores(page: dict, keep: list[bool]) -> tuple[float | None, float | None]:
    """The benchmark's per-page precision and recall of the kept lines (4-gram multisets)."""
    toks = [t for t, k in zip(page["tokens"], keep) if k for t in t]
    pred = shingles(toks)
    truth = page["truth"]
    tp = sum((pred & truth).values())
    fp = sum(pred.values()) - tp
    fn = sum(truth.values()) - tp
    if fp == 0 and fn == 0:
        return (1.0, 1.0) if tp else (None, None)
    return (tp / (tp + fp) if tp + fp else None, tp / (tp + fn) if tp + fn else None)


def pooled(pages: list[dict], keeps: list[list[bool]]) -> tuple[float, float, float]:
    ps, rs = [], []
    for page, keep in zip(pages, keeps):
        p, r = page_scores(page, keep)
        if p is not None:
            ps.append(p)
        if r is not None:
            rs.append(r)
    precision, recall = float(np.mean(ps)), float(np.mean(rs))
    return precision, recall, 2 * precision * recall / (precision + recall)


def transitions(pages: list[dict]) -> tuple[float, float, float]:
    counts: Counter = Counter()
    for page in pages:
        labels = page["labels"]
        counts.update(zip(labels, labels[1:]))
    stay_c = counts[1, 1] / max(1, counts[1, 1] + counts[1, 0])
    stay_b = counts[0, 0] / max(1, counts[0, 0] + counts[0, 1])
    prior = sum(sum(p["labels"]) for p in pages) / max(1, sum(len(p["labels"]) for p in pages))
    return stay_c, stay_b, prior


# The text and HTML models leave the lexicon's features out: the lexicon is learnt with
# the excerpt model, and retraining that one must not move the others.
LEXICON_FEATURES = frozenset(name for name in FEATURE_NAMES if name.startswith("lexicon_"))


def fit(pages: list[dict], by_length: bool = True,
        without: frozenset[str] = frozenset()) -> tuple[list[float], float, float, float]:
    """Logistic weights and HMM transitions; ``by_length`` weighs lines by their words (the
    benchmark counts words), else every line alike (the labeled captures count lines).
    Features named in ``without`` weigh 0."""
    used = [i for i, name in enumerate(FEATURE_NAMES) if name not in without]
    x = np.array([[row[i] for i in used] for p in pages for row in zip(*p["columns"])])
    y = np.array([label for p in pages for label in p["labels"]])
    weight = np.array([math.sqrt(min(len(t), 60) + 1) if by_length else 1.0
                       for p in pages for t in p["tokens"]])
    model = LogisticRegression(C=C, max_iter=3000, fit_intercept=False)
    model.fit(x, y, sample_weight=weight)
    stay_c, stay_b, prior = transitions(pages)
    weights = [0.0] * len(FEATURE_NAMES)
    for i, w in zip(used, model.coef_[0]):
        weights[i] = float(w)
    return weights, stay_c, stay_b, prior


# The excerpt model's trees: 150 of at most 15 leaves (no early stopping, so that a
# run is repeatable), with leaves of at least 40 lines so one site's template is no leaf.
FOREST = dict(max_iter=150, learning_rate=0.1, max_leaf_nodes=15, min_samples_leaf=40,
              l2_regularization=1.0, early_stopping=False, random_state=0)


def trees_model(name: str, pages: list[dict]) -> LineModel:
    """The excerpt model of ``pages``: trees to score lines, the HMM's transitions, no weights."""
    return replace(as_model(name, [0.0] * len(FEATURE_NAMES), *transitions(pages)),
                   min_lines=EXCERPT_MIN_LINES, forest=fit_forest(pages))


def fit_forest(pages: list[dict]) -> Forest:
    """Gradient-boosted trees on the pages' line features (every line alike)."""
    x = np.array([row for p in pages for row in zip(*p["columns"])])
    y = np.array([label for p in pages for label in p["labels"]])
    trees = HistGradientBoostingClassifier(**FOREST).fit(x, y)
    forest = as_forest(trees)
    sample = x[:: max(1, len(x) // 2000)]
    gap = np.max(np.abs(np.array(forest.log_odds(sample.tolist())) - trees.decision_function(sample)))
    if gap > 1e-6:  # the plain-Python walk must give scikit-learn's scores
        raise SystemExit(f"the exported trees score differently from scikit-learn's ({gap:.2g})")
    return forest


def as_forest(trees: HistGradientBoostingClassifier) -> Forest:
    """scikit-learn's fitted trees as the engine's ``Forest`` (features in FEATURE_NAMES order).

    It reads scikit-learn's own node arrays (not public API, stable through 1.x):
    ``fit_forest`` checks the result's scores against scikit-learn's on every run."""
    out = []
    for (predictor,) in trees._predictors:  # one tree per round for two classes
        nodes = predictor.nodes
        out.append(Tree(tuple(LEAF if leaf else int(f) for f, leaf in
                              zip(nodes["feature_idx"], nodes["is_leaf"])),
                        tuple(float(t) for t in nodes["num_threshold"]),
                        tuple(int(n) for n in nodes["left"]), tuple(int(n) for n in nodes["right"]),
                        tuple(float(v) for v in nodes["value"])))
    return Forest(float(np.ravel(trees._baseline_prediction)[0]), tuple(out))


def as_model(name: str, weights, stay_c, stay_b, prior, threshold=0.5, prose_threshold=0.9,
             guard_share=0.5) -> LineModel:
    return LineModel(name, tuple(weights), stay_c, stay_b, prior, threshold, prose_threshold,
                     guard_share)


def settle(model: LineModel, texts: list[str]) -> list[bool]:
    """Which lines survive the stage's rounds, as the shipped stage runs them (guard included)."""
    alive = list(range(len(texts)))
    for _ in range(MAX_ROUNDS):
        if len(alive) < model.min_lines:
            break
        z, shapes = page_logits(model, [texts[i] for i in alive])
        doomed, _backed_off = select(model, shapes, smooth(model, z), z)
        if not doomed:
            break
        gone = set(doomed)
        alive = [a for j, a in enumerate(alive) if j not in gone]
    else:  # no fixed point within MAX_ROUNDS rounds: the stage backs off
        return [True] * len(texts)
    keep = [False] * len(texts)
    for i in alive:
        keep[i] = True
    return keep


_LEXICON_IN_USE: dict | None = None


def settle_page(model: LineModel, page: dict) -> list[bool]:
    """``settle`` on a page, with the lexicon of its fold when it carries one."""
    global _LEXICON_IN_USE
    words = page.get("lexicon")
    if words is not None and words is not _LEXICON_IN_USE:
        use_lexicon(words)
        _LEXICON_IN_USE = words
    return settle(model, page["texts"])


def tune(pages: list[dict], models: list[LineModel], min_recall: float, measure=None,
         strong_prose: bool = False):
    """The thresholds and guard with the best pooled F1 whose recall stays >= min_recall.

    ``models[i]`` is the model that scores page i (out of fold while cross-validating).
    A coarse grid over all three knobs picks the start of a coordinate search (one knob
    at a time, twice over): the knobs trade recall against one another, so a search
    from a fixed start can stop on a poor ridge. ``measure`` (default ``pooled``) gives
    (precision, recall, figure to maximise) for the pages' kept lines.
    """
    measure = measure or pooled
    grid = {"threshold": (0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0.95, 0.99, 0.999),
            "prose_threshold": (0.5, 0.7, 0.8, 0.9, 0.95, 0.98, 0.99, 0.995, 0.999),
            "guard_share": (0.2, 0.3, 0.35, 0.375, 0.4, 0.425, 0.45, 0.5, 0.7)}
    coarse = {"threshold": (0.5, 0.7, 0.9), "prose_threshold": (0.8, 0.95),
              "guard_share": (0.3, 0.4, 0.5)}
    if strong_prose:  # an excerpt's prose needs a strong score: it has few paragraphs to lose
        grid = dict(grid, prose_threshold=(0.95, 0.98, 0.99, 0.995))
        coarse = dict(coarse, prose_threshold=(0.95, 0.98))
    seen: dict = {}

    def score(trial: dict) -> tuple[tuple[bool, float], tuple[float, float, float]]:
        trial["prose_threshold"] = max(trial["prose_threshold"], trial["threshold"])
        key_t = tuple(sorted(trial.items()))
        if key_t not in seen:
            keeps = [settle_page(replace(m, **trial), p) for p, m in zip(pages, models)]
            seen[key_t] = measure(pages, keeps)
        p, r, f = seen[key_t]
        ok = r >= min_recall
        return (ok, f if ok else r), (p, r, f)

    best = None
    for values in itertools.product(*coarse.values()):
        trial = dict(zip(coarse, values))
        key, figures = score(trial)
        if best is None or key > best[0]:
            best = (key, trial, figures)
    assert best is not None
    current = best[1]
    for _round in range(2):
        for knob, values in grid.items():
            for value in values:
                trial = dict(current, **{knob: value})
                key, figures = score(trial)
                if key > best[0]:
                    best = (key, trial, figures)
                    current = trial
    print(f"  best of {len(seen)} settings: {best[1]}", file=sys.stderr)
    return best[1], best[2]


def train_excerpt(paths: list[Path], min_keep: float, output: Path, data: Path,
                  cache: Path | None) -> int:
    """The excerpt model and its lexicon, from captures labeled line by line and the
    benchmark's text captures short enough to be judged as excerpts.

    Cross-validated by site: each fold's lexicon and weights are learnt without the
    sites it scores, and the thresholds are tuned on those out-of-fold judgements to
    remove the most boilerplate with ``min_keep`` of the keep lines left.
    """
    missing = [str(p) for p in paths if not p.is_file()]
    if missing:
        print(f"labeled captures not found: {', '.join(missing)}: nothing to train on",
              file=sys.stderr)
        return 2
    recorder = Recorder()
    prepared = [labeled_pages.prepare(recorder, c) for c in labeled_pages.read(paths)]
    if data.is_dir():
        prepared += labeled_pages.from_benchmark(load_pages(data, "text", cache))
    folds = GroupKFold(FOLDS).split(prepared, groups=[p["group"] for p in prepared])
    pages, oof = [], []
    for fold, (train, test) in enumerate(folds):
        words = labeled_pages.learn_lexicon(prepared[i] for i in train)
        use_lexicon(words)  # the features of every line depend on it
        trained = [dict(prepared[i], columns=columns(prepared[i]["texts"])) for i in train]
        model = trees_model(f"excerpt-fold{fold}", trained)
        for i in test:
            pages.append(dict(prepared[i], lexicon=words))
            oof.append(model)
    print(f"excerpt: {len(pages)} captures, {sum(len(p['labels']) for p in pages)} lines kept "
          f"by the rules", file=sys.stderr)
    # thresholds by the hand labels: the benchmark's labels (from the article text it
    # keeps, dates and bylines too) teach the weights, but do not set the cut
    labeled = [i for i, page in enumerate(pages) if page["set"] != "bench"]
    trial, (bp, keep, _) = tune([pages[i] for i in labeled], [oof[i] for i in labeled], min_keep,
                                measure=labeled_pages.scores, strong_prose=True)
    rules_only = labeled_pages.by_set(pages, [[True] * len(p["labels"]) for p in pages])
    judged = labeled_pages.by_set(pages, [settle_page(replace(m, **trial), p)
                                          for p, m in zip(pages, oof)])
    print(f"excerpt: cross-validated by site: boilerplate {bp:.3f} keep {keep:.3f}",
          file=sys.stderr)
    for name, (set_bp, set_keep) in judged.items():
        print(f"  set {name}: rules only {rules_only[name][0]:.3f} / {rules_only[name][1]:.3f}, "
              f"with the model {set_bp:.3f} / {set_keep:.3f} (boilerplate / keep lines)",
              file=sys.stderr)
    words = labeled_pages.learn_lexicon(pages)
    use_lexicon(words)
    for page in pages:
        page.pop("lexicon")
        page["columns"] = columns(page["texts"])
    tuned = replace(trees_model("excerpt-lines", pages), **trial)
    shipped = json.loads(output.read_text()) if output.is_file() else {}
    shipped["excerpt"] = dict(weights_entry(tuned), min_lines=EXCERPT_MIN_LINES,
                              trained_on=f"{len(pages)} excerpts: labeled captures and short "
                                         "text captures of the accuracy benchmark",
                              cross_validated={name: {"boilerplate_recall": round(b, 4),
                                                      "keep_line_recall": round(k, 4)}
                                               for name, (b, k) in judged.items()})
    output.write_text(json.dumps(shipped, indent=1) + "\n", encoding="utf-8")
    LEXICON.write_text(lexicon.dump(words, [p.name for p in paths]), encoding="utf-8")
    print(f"wrote {output} and {LEXICON}", file=sys.stderr)
    return 0


def weights_entry(model: LineModel, without: frozenset[str] = frozenset()) -> dict:
    """A model's entry in the weights file, without the features it was not trained on.
    A model with trees carries them, with every feature (the trees split on them by place),
    and no weights."""
    kept = [(name, w) for name, w in zip(FEATURE_NAMES, model.weights) if name not in without]
    scores: dict = {"weights": [round(w, 5) for _, w in kept]}
    if model.forest is not None:
        kept = [(name, 0.0) for name in FEATURE_NAMES]
        scores = {"forest": model.forest.to_dict()}
    return {"name": model.name, "features": [name for name, _ in kept], **scores,
            "stay_content": round(model.stay_content, 5),
            "stay_boilerplate": round(model.stay_boilerplate, 5),
            "prior_content": round(model.prior_content, 5),
            "threshold": model.threshold, "prose_threshold": model.prose_threshold,
            "guard_share": model.guard_share}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DEFAULT_DATA)
    parser.add_argument("--kinds", default="text,html")
    parser.add_argument("--cache", type=Path, default=None,
                        help="keep the prepared pages here between runs (outside the repository; "
                             "one file per kind and version of the rule files)")
    parser.add_argument("--min-recall", default="text=0.95,html=0.93",
                        help="per kind: the pooled recall the thresholds must keep")
    parser.add_argument("--output", type=Path, default=OUTPUT)
    parser.add_argument("--exclude-persite-sites", action="store_true",
                        help="leave out every page of the site groups in the per-site split")
    parser.add_argument("--labeled", type=Path, nargs="+", default=[DEFAULT_LABELED],
                        help="labeled captures (JSONL) the excerpt model learns from")
    parser.add_argument("--min-keep", type=float, default=0.975,
                        help="excerpt: the macro keep-line recall the thresholds must keep")
    args = parser.parse_args()
    if args.kinds == "excerpt":
        return train_excerpt(args.labeled, args.min_keep, args.output, args.data, args.cache)
    if not args.data.is_dir():
        print(f"benchmark data not found at {args.data}: nothing to train on", file=sys.stderr)
        return 2
    shipped = json.loads(args.output.read_text()) if args.output.is_file() else {}
    cleaner.engine.line_features.LINE_CACHE_LIMIT = 10_000_000  # every line of the training pages
    floors = dict(item.split("=") for item in args.min_recall.split(","))
    exclude = frozenset(persite_groups(args.data)) if args.exclude_persite_sites else frozenset()
    for kind in args.kinds.split(","):
        pages = load_pages(args.data, kind, args.cache, exclude)
        if not pages:
            print(f"{kind}: no page could be prepared from {args.data}", file=sys.stderr)
            return 1
        for page in pages:
            page["columns"] = columns(page["texts"])
        print(f"{kind}: {len(pages)} pages, {sum(len(p['labels']) for p in pages)} lines, "
              f"{np.mean([l for p in pages for l in p['labels']]):.3f} content", file=sys.stderr)
        groups = [p["group"] for p in pages]
        oof: list[LineModel] = [None] * len(pages)  # type: ignore[list-item]
        for fold, (train, test) in enumerate(GroupKFold(FOLDS).split(pages, groups=groups)):
            model = as_model(f"{kind}-fold{fold}",
                             *fit([pages[i] for i in train], without=LEXICON_FEATURES))
            for i in test:
                oof[i] = model
        trial, (p, r, f) = tune(pages, oof, float(floors[kind]))
        print(f"{kind}: cross-validated by site group ({FOLDS} folds): "
              f"P {p:.3f} R {r:.3f} F1 {f:.3f}", file=sys.stderr)
        rules_only = pooled(pages, [[True] * len(p["labels"]) for p in pages])
        print(f"{kind}: rules only: P {rules_only[0]:.3f} R {rules_only[1]:.3f} "
              f"F1 {rules_only[2]:.3f}", file=sys.stderr)
        tuned = replace(as_model(f"{kind}-lines", *fit(pages, without=LEXICON_FEATURES)),
                        **trial)
        tp, tr, tf = pooled(pages, [settle(tuned, p["texts"]) for p in pages])
        print(f"{kind}: on the training pages: P {tp:.3f} R {tr:.3f} F1 {tf:.3f}",
              file=sys.stderr)
        shipped[kind] = {
            **weights_entry(tuned, LEXICON_FEATURES),
            "trained_on": f"{len(pages)} dev pages of the accuracy benchmark" +
                          (f", without the {len(exclude)} site groups of the per-site split"
                           if exclude else ""),
            "cross_validated": {"precision": round(p, 4), "recall": round(r, 4),
                                "f1": round(f, 4)},
            "training_set": {"precision": round(tp, 4), "recall": round(tr, 4),
                             "f1": round(tf, 4)},
        }
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(json.dumps(shipped, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {args.output}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
