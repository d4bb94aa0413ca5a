"""What changed between two archived texts of a source, line by line and word by word (pure).

Extracted texts hold one paragraph per line, so a diff by lines finds the paragraphs that
changed; within a paragraph that was edited, not replaced, the words that changed are
marked, so "4,2 Milliarden" → "3,9 Milliarden" shows as two words, not a whole paragraph.
"""

from __future__ import annotations

import difflib
import re
from dataclasses import dataclass

__all__ = ["DiffLine", "DiffSummary", "line_diff", "summary"]

# Unchanged lines kept around each change; longer unchanged runs become one "gap" line.
CONTEXT_LINES = 1
# A diff longer than this many lines is cut (the rest is counted, not shown).
MAX_LINES = 400
# Two versions of one paragraph at least this similar (difflib ratio) are shown word by word.
SAME_PARAGRAPH_RATIO = 0.5
_WORDS = re.compile(r"\s+|[^\s]+")


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff. ``kind``: ``same``, ``added``, ``removed``, ``changed`` (an
    edited paragraph, its ``pieces`` marked word by word) or ``gap`` (unchanged lines
    left out; ``skipped`` says how many). ``pieces`` are (kind, text) with kind ``same``,
    ``added`` or ``removed``."""

    kind: str
    pieces: tuple[tuple[str, str], ...] = ()
    skipped: int = 0


@dataclass(frozen=True)
class DiffSummary:
    added: int
    removed: int
    changed: int

    @property
    def is_same(self) -> bool:
        return not (self.added or self.removed or self.changed)


def _word_pieces(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    pieces: list[tuple[str, str]] = []
    matcher = difflib.SequenceMatcher(None, a, b, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(b[j1:j2])))
    return tuple(pieces)


def _replaced(old: list[str], new: list[str]) -> list[DiffLine]:
    """A block of lines replaced by another: pairs that read as one paragraph edited are
    `changed`; the rest removed, then added."""
    lines: list[DiffLine] = []
    for n in range(max(len(old), len(new))):
        before = old[n] if n < len(old) else None
        after = new[n] if n < len(new) else None
        if before is not None and after is not None:
            ratio = difflib.SequenceMatcher(None, before, after, autojunk=False).ratio()
            if ratio >= SAME_PARAGRAPH_RATIO:
                lines.append(DiffLine("changed", _word_pieces(before, after)))
                continue
        if before is not None:
            lines.append(DiffLine("removed", (("removed", before),)))
        if after is not None:
            lines.append(DiffLine("added", (("added", after),)))
    return lines


def line_diff(
    old: str, new: str, *, context: int = CONTEXT_LINES, limit: int = MAX_LINES
) -> list[DiffLine]:
    """The lines that differ between ``old`` and ``new``, with ``context`` unchanged lines
    around each change; empty when the texts have the same lines. At most ``limit`` lines,
    then one ``gap`` counting the lines left out."""
    a, b = old.splitlines(), new.splitlines()
    lines: list[DiffLine] = []
    opcodes = difflib.SequenceMatcher(None, a, b, autojunk=False).get_opcodes()
    if all(op == "equal" for op, *_ in opcodes):
        return []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op != "equal":
            if op == "replace":
                lines += _replaced(a[i1:i2], b[j1:j2])
            else:
                lines += [DiffLine("removed", (("removed", line),)) for line in a[i1:i2]]
                lines += [DiffLine("added", (("added", line),)) for line in b[j1:j2]]
            continue
        same = a[i1:i2]
        head = same[:context] if index > 0 else []
        tail = same[-context:] if index < len(opcodes) - 1 and context else []
        if len(head) + len(tail) >= len(same):
            lines += [DiffLine("same", (("same", line),)) for line in same]
            continue
        lines += [DiffLine("same", (("same", line),)) for line in head]
        lines.append(DiffLine("gap", skipped=len(same) - len(head) - len(tail)))
        lines += [DiffLine("same", (("same", line),)) for line in tail]
    if len(lines) > limit:
        left_out = len(lines) - limit
        lines = [*lines[:limit], DiffLine("gap", skipped=left_out)]
    return lines


def summary(lines: list[DiffLine]) -> DiffSummary:
    """How many lines a diff adds, removes and edits."""
    kinds = [line.kind for line in lines]
    return DiffSummary(
        added=kinds.count("added"), removed=kinds.count("removed"), changed=kinds.count("changed")
    )
