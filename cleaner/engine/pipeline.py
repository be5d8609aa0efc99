"""The pipeline: extract -> select rule sets -> apply actions -> tidy -> ``Cleaned``.

The rules' passes are ``passes.py``'s and the tidying ``tidy.py``'s; here a ``Cleaner``
chooses the rule sets, settles the rules and the generic stage together, and builds
the result.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import replace
from pathlib import Path
from typing import Any

from ..errors import CleanerError, PatternTimeout
from ..model import CATEGORIES, Cleaned, Line, Metadata, Removal, RuleSet
from .classifier import GUARD_ALL_SHARE, MAX_ROUNDS, run_stage
from .config import Config, load_config
from .extract import Extracted, extract
from .gates import LONG_LINE_CHARS
from .line_model import LineModel, load_models, model_kind
from .matching import SiteIndex, site_of_url
from .passes import DEFAULT_TIMEOUT, StepChooser, run_passes
from .program import PassState, Step, compile_rules
from .rules import RuleBook, load_rules
from .tidy import assemble, assembled_lines, guess_title


def _long_lines(lines: Sequence[Line]) -> tuple[int, ...]:
    """The numbers of the lines that patterns of unbounded width were not tried on."""
    return tuple(line.number for line in lines if len(line.text) > LONG_LINE_CHARS
                 and len(line.text.strip()) > LONG_LINE_CHARS)


def _words(lines: Sequence[Line]) -> int:
    """How many words ``lines`` hold."""
    return sum(len(line.text.split()) for line in lines)


class Cleaner:
    """A loaded set of rules, reusable and picklable (for process pools and clusters).

    ``rules`` is a rules directory, an already loaded ``RuleBook``, or None for the
    shipped rules. ``keep_categories`` names categories to leave in the text: a list
    or set of names, or one name as a string (``"byline"`` is ``{"byline"}``, never
    its letters).
    ``use_model`` runs the generic stage (``classifier.py``) after the rules, with
    ``models`` (by capture kind) when given, else the shipped weights: measuring on
    pages the shipped model was trained on needs a model that never saw them.
    """

    def __init__(self, rules: Path | str | RuleBook | None = None,
                 keep_categories: str | Iterable[str] = (),
                 pattern_timeout: float = DEFAULT_TIMEOUT, use_model: bool = True,
                 models: Mapping[str, LineModel] | None = None) -> None:
        self.rulebook = rules if isinstance(rules, RuleBook) else load_rules(rules)
        self.keep = frozenset([keep_categories] if isinstance(keep_categories, str)
                              else keep_categories)
        unknown = self.keep - set(CATEGORIES)
        if unknown:
            raise CleanerError(f"unknown categories to keep: {', '.join(sorted(unknown))}; "
                               f"use any of: {', '.join(CATEGORIES)}")
        self.timeout = pattern_timeout
        self.index = SiteIndex(self.rulebook.sites)
        # Generic rules compile as one list, so their line-local runs merge across files.
        self._site_steps = {s.path: compile_rules(s.rules) for s in self.rulebook.sites}
        self._site_rule_ids = {s.path: frozenset(r.id for r in s.rules)
                               for s in self.rulebook.sites}
        self._generic_steps = compile_rules(r for s in self.rulebook.generic for r in s.rules)
        self.use_model = use_model
        self._models: dict[str, LineModel] = {} if not use_model \
            else dict(load_models() if models is None else models)

    @classmethod
    def from_config(cls, config: Config | None = None, **options: Any) -> Cleaner:
        """A Cleaner with the rules of the project configuration (``config.py``), found
        from the working directory as the ``cleaner`` command finds it, or ``config``."""
        return cls((config if config is not None else load_config()).rulebook(), **options)

    def rule_sets_for(self, url: str | None, text: str) -> tuple[RuleSet, ...]:
        """The site set chosen for this capture (if any), then every generic set."""
        site = self.index.select(url, text)
        return ((site,) if site else ()) + self.rulebook.generic

    def clean_and_explain(self, capture: bytes | str, url: str | None = None,
                          kind: str = "auto", source: str | None = None) -> Cleaned:
        if not isinstance(capture, (bytes, str)):  # None would fail deep in the extractor
            raise TypeError(f"capture must be bytes or str, not {type(capture).__name__}")
        extracted = extract(capture, url=url, kind=kind, source=source)
        cleaned, kept = self._clean(extracted, url, source)
        if extracted.kind == "html":
            cleaned = self._clean_as_text(cleaned, kept, url, source)
        return cleaned

    def _clean_as_text(self, cleaned: Cleaned, kept: Sequence[Line], url: str | None,
                       source: str | None) -> Cleaned:
        """A page's cleaned text, cleaned again as the text it now is.

        The text model can judge a page's text differently from the HTML model: without
        this, cleaning the output again would change it. Its removals are given the
        numbers of the page's lines they came from.
        """
        origin = assembled_lines(kept)
        again = extract(cleaned.text, url=url, source=source)
        # Markup that survived extraction is read as HTML again, and has no fixed point;
        # a line that normalising changed again would not match its removals' spans.
        if again.kind != "text" or [line.text for line in again.lines[:len(origin)]] \
                != [line.text for line in origin]:
            return cleaned
        second, _ = self._clean(again, url, source)
        if not second.removals:
            return cleaned
        moved = [Removal(r.rule_id, r.category, origin[r.line - 1].number, r.start, r.end,
                         r.text, r.score) for r in second.removals]
        # the page's own fields (lines, metadata, encoding, long lines) stay as they were
        return replace(cleaned, text=second.text,
                       paywalled=cleaned.paywalled or second.paywalled,
                       removals=tuple(sorted(cleaned.removals + tuple(moved),
                                             key=lambda r: r.line)),
                       model_backed_off=cleaned.model_backed_off or second.model_backed_off)

    def _clean(self, extracted: Extracted, url: str | None,
               source: str | None) -> tuple[Cleaned, tuple[Line, ...]]:
        """The capture cleaned, and the lines it kept (as its removals left them)."""
        chosen: list[RuleSet | None] = []
        signed = self.index.candidates("\n".join([line.text for line in extracted.lines])) \
            if url is None else []

        def choose(kept: Sequence[Line]) -> Iterable[Step]:
            # Without a URL the site is chosen again on what is left: a signature
            # that other boilerplate hid may show once that boilerplate is gone.
            if url is not None:
                site = chosen[0] if chosen else self.index.for_url(url)
            else:
                site = self.index.best(signed, "\n".join([line.text for line in kept])) \
                    if signed else None
            chosen.append(site)
            return (self._site_steps[site.path] if site else ()) + self._generic_steps

        try:
            state = run_passes(extracted.lines, choose, self.keep, self.timeout)
            backed_off = self._settle(state, extracted.lines, choose, extracted.kind, chosen)
        except PatternTimeout as exc:
            raise PatternTimeout(exc.rule_id, exc.seconds, source) from None
        return Cleaned(text=assemble(state.kept),
                       metadata=self._metadata(state, extracted.metadata, chosen[0], url),
                       paywalled="subscription" in state.matched,
                       # stable: removals on one line stay in the order they were made
                       removals=tuple(sorted(state.removals, key=lambda r: r.line)),
                       lines=extracted.lines, model_backed_off=backed_off,
                       encoding=extracted.encoding, warnings=extracted.warnings,
                       long_lines=_long_lines(extracted.lines)), state.kept

    def _settle(self, state: PassState, lines: Sequence[Line], choose: StepChooser,
                kind: str, sites: Sequence[RuleSet | None]) -> bool:
        """Run the generic stage to a fixed point; True when it backed off.

        The rules run again after each round that removed lines (its removals can
        bring a rule into reach), until a round removes nothing: cleaning the result
        again then finds nothing more to remove. A page that has not settled after
        MAX_ROUNDS rounds goes back to the rules' result, which cleaning again would
        lead to the same end. So does a page whose rounds together leave less than a
        tenth of its words: each round's guard sees only its own share, and a page can
        erode a little at a time. ``sites`` are the site rule sets chosen in the passes so
        far: the lines their rules removed are the model's context in the first round.
        Later rounds judge the page without it: the template's lines beside what the
        stage has removed (comment signatures without their comments) are a page the
        model never saw, and the lines next to them would go one round after another.
        Each round's model is chosen by what is left (``model_kind``): a page cut down
        to an excerpt settles as one, so that its cleaned text, cleaned again, is too.
        The text model judges only a text the rules have removed something from.
        """
        before = PassState(kept=state.kept, removals=list(state.removals),
                           meta=dict(state.meta), matched=set(state.matched))
        for round_number in range(MAX_ROUNDS):
            judge = model_kind(kind, state.kept)
            if judge == "text" and not before.removals:
                # A whole text in which no rule found any page furniture is an article's
                # text already (an extractor's output, or cleaner's own): the text model,
                # learnt on whole pages, would take its lists and short lines for menus.
                return False
            removed, backed_off = self._generic_stage(state, judge,
                                                      () if round_number else sites)
            if not removed:
                return backed_off
            if _words(state.kept) < (1.0 - GUARD_ALL_SHARE) * _words(before.kept):
                break
            run_passes(lines, choose, self.keep, self.timeout, state)
        state.kept, state.removals = before.kept, before.removals
        state.meta, state.matched = before.meta, before.matched
        return True

    def _generic_stage(self, state: PassState, kind: str,
                       sites: Sequence[RuleSet | None]) -> tuple[bool, bool]:
        """One round of the model's removals: whether it removed lines, whether it backed off.

        The model reads the page with the lines the site rules removed in place
        (``classifier.decide``). Once it removes nothing that way, it is asked again
        without them: the cleaned text, cleaned again, has no such lines to read, and
        must settle all the same.
        """
        if kind == "excerpt" and kind not in self._models:
            kind = "text"  # weights without an excerpt model (older files) judge it as text
        model = self._models.get(kind)
        if model is None:
            return False, False
        # the excerpt model learnt captures without their template: it reads none
        context = self._site_context(state, sites) if kind != "excerpt" else []
        decision = run_stage(model, state, self.keep, context)
        if context and not decision.removals:
            decision = run_stage(model, state, self.keep)
        return bool(decision.removals), decision.backed_off

    def _site_context(self, state: PassState, sites: Sequence[RuleSet | None]) -> list[Line]:
        """The lines whose last removal was a rule's of ``sites``, as that rule found them."""
        ids = frozenset().union(*(self._site_rule_ids[site.path] for site in sites if site))
        if not ids:  # most captures: no site rule set was chosen
            return []
        kept = {line.number for line in state.kept}
        last = {removal.line: removal for removal in state.removals}
        return [Line(r.line, r.text) for r in last.values()
                if r.rule_id in ids and r.line not in kept]

    @staticmethod
    def _metadata(state: PassState, found: Metadata, site: RuleSet | None,
                  url: str | None) -> Metadata:
        """Rules' values first, then the markup's; the site rule set's name, else the host."""
        return Metadata(
            title=state.meta.get("title") or found.title or guess_title(state.kept),
            author=state.meta.get("author") or found.author,
            date=state.meta.get("date") or found.date,
            site=site.name if site else site_of_url(url),
        )

    def clean(self, capture: bytes | str, url: str | None = None) -> str:
        return self.clean_and_explain(capture, url=url).text
