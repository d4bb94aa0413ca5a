"""What changed between two archived texts of a source, line by line and word by word (pure).

Extracted texts hold one paragraph per line, so a diff by lines finds the paragraphs that
changed; within a paragraph that was edited, not replaced, the words that changed are
marked, so "4,2 Milliarden" → "3,9 Milliarden" shows as two words, not a whole paragraph.

Fast and bounded, whatever the texts: lines (then words) are matched by their common
start and end and by the lines unique to both sides (patience diff, n log n); only small
leftover stretches go to difflib. Words are compared only in the paragraphs shown, and
at most MAX_COMPARED_CHARS of each text are compared. The worker computes a diff once,
when a re-check archives a changed copy, and stores it (`as_json`, models.CaptureDiff).
"""

from __future__ import annotations

import bisect
import difflib
import re
from collections import Counter
from collections.abc import Hashable, Sequence
from dataclasses import dataclass
from typing import Any

__all__ = ["Diff", "DiffLine", "DiffSummary", "diff", "line_diff", "summary"]

# Unchanged lines kept around each change; longer unchanged runs become one "gap" line.
CONTEXT_LINES = 1
# A diff longer than this many lines is cut (the rest is counted, not shown) ...
MAX_LINES = 400
# ... and so is one whose shown lines hold more than this many characters.
MAX_SHOWN_CHARS = 200_000
# Of each text, at most this many characters are compared (cut at a line's end).
MAX_COMPARED_CHARS = 2_000_000
# A paragraph longer than this is compared and shown up to this many characters.
MAX_LINE_CHARS = 100_000
# Two versions of one paragraph sharing at least this share of their words are shown
# word by word.
SAME_PARAGRAPH_RATIO = 0.5
# A stretch without a line (word) unique to both sides goes to difflib only when the
# product of its lengths is at most this; a bigger one reads as replaced.
_SMALL_PRODUCT = 40_000
# Unique-match rounds nested deeper than this fall back as above.
_MAX_DEPTH = 12
_WORDS = re.compile(r"\s+|[^\s]+")
# The version of the stored form (`as_json`); a stored diff of another version is not read.
VERSION = 1


@dataclass(frozen=True)
class DiffLine:
    """One line of a diff. ``kind``: ``same``, ``added``, ``removed``, ``changed`` (an
    edited paragraph, its ``pieces`` marked word by word), ``gap`` (unchanged lines left
    out; ``skipped`` says how many) or ``cut`` (the diff was too long: ``skipped`` lines
    not shown). ``pieces`` are (kind, text) with kind ``same``, ``added`` or ``removed``."""

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


@dataclass(frozen=True)
class Diff:
    """A whole diff: the ``lines`` shown; how many lines were added, removed and edited in
    all (shown or not); ``left_out`` lines of the diff not shown (it was too long); and
    ``compared_chars`` when a text was longer than that and only its start was compared."""

    lines: tuple[DiffLine, ...]
    added: int = 0
    removed: int = 0
    changed: int = 0
    left_out: int = 0
    compared_chars: int | None = None

    @property
    def summary(self) -> DiffSummary:
        return DiffSummary(added=self.added, removed=self.removed, changed=self.changed)

    @property
    def shown_lines(self) -> int:
        return sum(1 for line in self.lines if line.kind not in ("gap", "cut"))

    def as_json(self) -> dict[str, Any]:
        return {
            "version": VERSION,
            "lines": [
                [line.kind, [list(piece) for piece in line.pieces], line.skipped]
                for line in self.lines
            ],
            "added": self.added,
            "removed": self.removed,
            "changed": self.changed,
            "left_out": self.left_out,
            "compared_chars": self.compared_chars,
        }

    @classmethod
    def from_json(cls, data: Any) -> Diff | None:
        """The diff stored by `as_json`; None when it is of another version or malformed."""
        try:
            if data.get("version") != VERSION:
                return None
            return cls(
                lines=tuple(
                    DiffLine(str(kind), tuple((str(k), str(t)) for k, t in pieces), int(skipped))
                    for kind, pieces, skipped in data["lines"]
                ),
                added=int(data["added"]),
                removed=int(data["removed"]),
                changed=int(data["changed"]),
                left_out=int(data["left_out"]),
                compared_chars=data.get("compared_chars"),
            )
        except (AttributeError, KeyError, TypeError, ValueError):
            return None


# --- matching two sequences -----------------------------------------------------------------


def _unique_anchors(
    a: Sequence[Hashable], b: Sequence[Hashable], alo: int, ahi: int, blo: int, bhi: int
) -> list[tuple[int, int]]:
    """The items found exactly once in a[alo:ahi] and once in b[blo:bhi], as (i, j) pairs,
    the longest run of them in the same order on both sides (patience sorting)."""
    count_a = Counter(a[alo:ahi])
    count_b = Counter(b[blo:bhi])
    where_b = {b[j]: j for j in range(blo, bhi) if count_b[b[j]] == 1}
    pairs = [(i, where_b[a[i]]) for i in range(alo, ahi) if count_a[a[i]] == 1 and a[i] in where_b]
    if not pairs:
        return []
    # Longest increasing subsequence of j, in n log n.
    tails: list[int] = []  # j at the end of the best run of each length
    tail_index: list[int] = []  # its index in pairs
    back: list[int] = [-1] * len(pairs)
    for index, (_, j) in enumerate(pairs):
        length = bisect.bisect_left(tails, j)
        if length == len(tails):
            tails.append(j)
            tail_index.append(index)
        else:
            tails[length] = j
            tail_index[length] = index
        back[index] = tail_index[length - 1] if length else -1
    run = []
    index = tail_index[-1]
    while index >= 0:
        run.append(pairs[index])
        index = back[index]
    return run[::-1]


def _matches(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[int, int]]:
    """Pairs (i, j) with a[i] == b[j], increasing on both sides: the common start and end,
    then the unique items of what is between, recursively."""
    found: list[tuple[int, int]] = []

    def solve(alo: int, ahi: int, blo: int, bhi: int, depth: int) -> None:
        while alo < ahi and blo < bhi and a[alo] == b[blo]:
            found.append((alo, blo))
            alo, blo = alo + 1, blo + 1
        tail = []
        while alo < ahi and blo < bhi and a[ahi - 1] == b[bhi - 1]:
            ahi, bhi = ahi - 1, bhi - 1
            tail.append((ahi, bhi))
        if alo < ahi and blo < bhi:
            anchors = _unique_anchors(a, b, alo, ahi, blo, bhi) if depth < _MAX_DEPTH else []
            if anchors:
                i0, j0 = alo, blo
                for i, j in anchors:
                    solve(i0, i, j0, j, depth + 1)
                    found.append((i, j))
                    i0, j0 = i + 1, j + 1
                solve(i0, ahi, j0, bhi, depth + 1)
            elif (ahi - alo) * (bhi - blo) <= _SMALL_PRODUCT:
                matcher = difflib.SequenceMatcher(None, a[alo:ahi], b[blo:bhi], autojunk=False)
                for i, j, size in matcher.get_matching_blocks():
                    found.extend((alo + i + k, blo + j + k) for k in range(size))
        found.extend(reversed(tail))

    solve(0, len(a), 0, len(b), 0)
    return found


def _opcodes(a: Sequence[Hashable], b: Sequence[Hashable]) -> list[tuple[str, int, int, int, int]]:
    """As difflib.SequenceMatcher.get_opcodes, from `_matches`."""
    codes: list[tuple[str, int, int, int, int]] = []
    i = j = 0
    for mi, mj in [*_matches(a, b), (len(a), len(b))]:
        if mi > i or mj > j:
            op = "replace" if mi > i and mj > j else ("delete" if mi > i else "insert")
            codes.append((op, i, mi, j, mj))
        if mi < len(a):
            if codes and codes[-1][0] == "equal" and codes[-1][2] == mi:
                _, i1, _, j1, _ = codes[-1]
                codes[-1] = ("equal", i1, mi + 1, j1, mj + 1)
            else:
                codes.append(("equal", mi, mi + 1, mj, mj + 1))
        i, j = mi + 1, mj + 1
    return codes


# --- paragraphs and words -------------------------------------------------------------------


def _word_pieces(old: str, new: str) -> tuple[tuple[str, str], ...]:
    a, b = _WORDS.findall(old), _WORDS.findall(new)
    pieces: list[tuple[str, str]] = []
    for op, i1, i2, j1, j2 in _opcodes(a, b):
        if op == "equal":
            pieces.append(("same", "".join(a[i1:i2])))
            continue
        if i2 > i1:
            pieces.append(("removed", "".join(a[i1:i2])))
        if j2 > j1:
            pieces.append(("added", "".join(b[j1:j2])))
    return tuple(pieces)


def _similar(old: str, new: str) -> bool:
    """Whether two paragraphs read as one edited: they share SAME_PARAGRAPH_RATIO of their
    words (counted as multisets; linear)."""
    a, b = Counter(old.split()), Counter(new.split())
    total = sum(a.values()) + sum(b.values())
    if not total:
        return True
    return 2 * sum((a & b).values()) / total >= SAME_PARAGRAPH_RATIO


def _lines_within(lines: list[str], limit: int) -> int:
    """How many of the first lines fit in `limit` characters (a newline after each)."""
    total = 0
    for count, line in enumerate(lines):
        total += len(line) + 1
        if total > limit:
            return count
    return len(lines)


def _cut_lines(a: list[str], b: list[str], limit: int) -> tuple[list[str], list[str], bool]:
    """Both texts' lines, or, when either holds more than `limit` characters, the same
    number of first lines of each, as many as fit in `limit` on both sides."""
    within_a, within_b = _lines_within(a, limit), _lines_within(b, limit)
    if within_a == len(a) and within_b == len(b):
        return a, b, False
    # At least the first line: one too long is still compared up to MAX_LINE_CHARS.
    keep = max(min(within_a, within_b), 1)
    return a[:keep], b[:keep], True


def _shown(text: str) -> str:
    """A paragraph as shown and compared word by word: cut at MAX_LINE_CHARS."""
    return text if len(text) <= MAX_LINE_CHARS else text[:MAX_LINE_CHARS] + "…"


# A line of the diff before the words of its edited paragraphs are compared:
# (kind, old text, new text, skipped).
_Row = tuple[str, str, str, int]


def _rows(a: list[str], b: list[str], context: int) -> list[_Row]:
    ids: dict[str, int] = {}
    a_ids = [ids.setdefault(line, len(ids)) for line in a]
    b_ids = [ids.setdefault(line, len(ids)) for line in b]
    opcodes = _opcodes(a_ids, b_ids)
    if all(op == "equal" for op, *_ in opcodes):
        return []
    rows: list[_Row] = []
    for index, (op, i1, i2, j1, j2) in enumerate(opcodes):
        if op != "equal":
            old, new = a[i1:i2], b[j1:j2]
            # A block replaced by another: pairs that read as one paragraph edited are
            # `changed`; the rest removed, then added.
            for n in range(max(len(old), len(new))):
                before = old[n] if n < len(old) else None
                after = new[n] if n < len(new) else None
                if before is not None and before == after:
                    # Lines too alike to be matched one to one (no line unique), aligned.
                    rows.append(("same", before, after, 0))
                    continue
                if before is not None and after is not None and _similar(before, after):
                    rows.append(("changed", before, after, 0))
                    continue
                if before is not None:
                    rows.append(("removed", before, "", 0))
                if after is not None:
                    rows.append(("added", "", after, 0))
            continue
        same = a[i1:i2]
        head = same[:context] if index > 0 else []
        tail = same[-context:] if index < len(opcodes) - 1 and context else []
        if len(head) + len(tail) >= len(same):
            rows += [("same", line, line, 0) for line in same]
            continue
        rows += [("same", line, line, 0) for line in head]
        rows.append(("gap", "", "", len(same) - len(head) - len(tail)))
        rows += [("same", line, line, 0) for line in tail]
    return rows


def _line(row: _Row) -> DiffLine:
    kind, old, new, skipped = row
    if kind == "gap":
        return DiffLine("gap", skipped=skipped)
    if kind == "changed":
        return DiffLine("changed", _word_pieces(_shown(old), _shown(new)))
    if kind == "removed":
        return DiffLine("removed", (("removed", _shown(old)),))
    if kind == "added":
        return DiffLine("added", (("added", _shown(new)),))
    return DiffLine("same", (("same", _shown(old)),))


def diff(
    old: str,
    new: str,
    *,
    context: int = CONTEXT_LINES,
    limit: int = MAX_LINES,
    max_chars: int = MAX_SHOWN_CHARS,
    max_compared: int = MAX_COMPARED_CHARS,
) -> Diff:
    """What changed from ``old`` to ``new``: the lines that differ, with ``context``
    unchanged lines around each change; no lines when the texts have the same lines.
    At most ``limit`` lines holding at most ``max_chars`` characters are shown, then one
    ``cut`` line counting the lines left out; of each text, the first ``max_compared``
    characters are compared (the same number of lines of each), and of each paragraph
    the first MAX_LINE_CHARS, marked with an ellipsis."""
    a, b, is_cut = _cut_lines(old.splitlines(), new.splitlines(), max_compared)
    rows = _rows(a, b, context)
    kinds = Counter(row[0] for row in rows)
    shown: list[DiffLine] = []
    chars = 0
    left_out = 0
    for number, (kind, before, after, _) in enumerate(rows):
        longest = max(len(before), len(after))
        chars += min(longest, MAX_LINE_CHARS) * (2 if kind == "changed" else 1)
        if number >= limit or (chars > max_chars and shown):
            left_out = len(rows) - number
            shown.append(DiffLine("cut", skipped=left_out))
            break
        shown.append(_line(rows[number]))
    return Diff(
        lines=tuple(shown),
        added=kinds["added"],
        removed=kinds["removed"],
        changed=kinds["changed"],
        left_out=left_out,
        compared_chars=max_compared if is_cut else None,
    )


def line_diff(
    old: str, new: str, *, context: int = CONTEXT_LINES, limit: int = MAX_LINES
) -> list[DiffLine]:
    """The lines of `diff` (old, new): empty when the texts have the same lines."""
    return list(diff(old, new, context=context, limit=limit).lines)


def summary(lines: Sequence[DiffLine]) -> DiffSummary:
    """How many lines a diff adds, removes and edits, of the lines given (`Diff.summary`
    counts those not shown, too)."""
    kinds = [line.kind for line in lines]
    return DiffSummary(
        added=kinds.count("added"), removed=kinds.count("removed"), changed=kinds.count("changed")
    )
