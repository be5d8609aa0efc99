"""The kept lines tidied into the cleaned text, and a title guessed from them.

Kept lines are joined with one blank line at most between blocks; a capture whose
rules and markup found no title takes the first of its first kept lines short enough
to be a headline.
"""
from __future__ import annotations

from collections.abc import Iterable, Sequence

from ..model import Line

TITLE_MAX_WORDS = 30
TITLE_MAX_CHARS = 300
TITLE_LOOKAHEAD = 2


def assemble(lines: Iterable[Line]) -> str:
    """Join kept lines: one blank line at most between blocks, none at the ends, final newline.

    >>> assemble([Line(1, ""), Line(2, "a"), Line(3, ""), Line(4, ""), Line(5, "b")])
    'a\\n\\nb\\n'
    """
    out = assembled_lines(lines)
    return "\n".join([line.text for line in out]) + "\n" if out else ""


def assembled_lines(lines: Iterable[Line]) -> list[Line]:
    """The lines ``assemble`` joins, each blank one standing for the run it ends up as."""
    out: list[Line] = []
    for line in lines:
        if line.text.strip():
            out.append(line)
        elif out and out[-1].text:
            out.append(Line(line.number, ""))
    while out and not out[-1].text:
        out.pop()
    return out


def guess_title(kept: Sequence[Line]) -> str | None:
    """The first of the first TITLE_LOOKAHEAD kept lines short enough to be a headline:
    a blogger's own paragraph may stand above the reposted article's headline."""
    texts = [text for line in kept if (text := line.text.strip())][:TITLE_LOOKAHEAD]
    return next((text for text in texts
                 if len(text) <= TITLE_MAX_CHARS and len(text.split()) <= TITLE_MAX_WORDS), None)
