"""annotations.textdiff: pure, no database. What is marked, what is not, and that a diff
puts both texts back together; its speed is bench/textdiff_bench.py's (BENCHMARKS.md)."""

from __future__ import annotations

import random

from hypothesis import given, settings
from hypothesis import strategies as st

from annotations import textdiff
from annotations.textdiff import Diff, DiffLine

BIG = 10**9


def texts_of(lines: tuple[DiffLine, ...]) -> tuple[list[str], list[str]]:
    """The old and the new lines a diff without gaps describes."""
    old: list[str] = []
    new: list[str] = []
    for line in lines:
        assert line.kind in ("same", "removed", "added", "changed"), line
        if line.kind != "added":
            old.append("".join(t for kind, t in line.pieces if kind in ("same", "removed")))
        if line.kind != "removed":
            new.append("".join(t for kind, t in line.pieces if kind in ("same", "added")))
    return old, new


def marked(diff: Diff, kind: str) -> list[str]:
    return [t for line in diff.lines for k, t in line.pieces if k == kind]


def words(rng: random.Random, n: int) -> str:
    letters = "abcdefghiklmnoprstuwäöüß"
    return " ".join(
        "".join(rng.choice(letters) for _ in range(rng.randint(3, 11))) for _ in range(n)
    )


def test_an_edited_number_is_marked_word_by_word():
    old = "Erster Absatz.\nDer Bund gibt 4,2 Milliarden Euro frei.\nLetzter Absatz."
    new = old.replace("4,2", "3,9")

    diff = textdiff.diff(old, new)

    changed = [line for line in diff.lines if line.kind == "changed"]
    assert [line.pieces for line in changed] == [
        (
            ("same", "Der Bund gibt "),
            ("removed", "4,2"),
            ("added", "3,9"),
            ("same", " Milliarden Euro frei."),
        )
    ]
    assert (diff.added, diff.removed, diff.changed) == (0, 0, 1)


def test_the_same_text_has_no_diff():
    text = "Ein Absatz.\nNoch einer.\nEin Absatz."
    assert textdiff.diff(text, text).lines == ()
    assert textdiff.line_diff(text, text) == []


def test_a_long_paragraph_with_two_words_changed_marks_those_two_words_alone():
    rng = random.Random(1)
    paragraph = words(rng, 5000)  # about 34 KiB, one line
    assert len(paragraph.encode()) > 34 * 1024
    tokens = paragraph.split(" ")
    tokens[1200], tokens[3900] = "Neuwort", "Zweitwort"
    edited = " ".join(tokens)
    old_words = paragraph.split(" ")

    diff = textdiff.diff(paragraph, edited)

    [line] = diff.lines
    assert line.kind == "changed"
    assert marked(diff, "removed") == [old_words[1200], old_words[3900]]
    assert marked(diff, "added") == ["Neuwort", "Zweitwort"]
    assert texts_of(diff.lines) == ([paragraph], [edited])


def test_a_big_page_with_half_its_paragraphs_replaced_marks_those_and_nothing_else():
    rng = random.Random(2)
    paragraphs = [words(rng, rng.randint(40, 120)) for _ in range(1300)]
    old = "\n".join(paragraphs)
    assert len(old.encode()) > 700 * 1024
    replaced = {n: words(rng, 60) for n in range(1, len(paragraphs), 2)}
    new = "\n".join(replaced.get(n, p) for n, p in enumerate(paragraphs))

    diff = textdiff.diff(old, new, limit=BIG, max_chars=BIG)

    assert (diff.removed, diff.added, diff.changed) == (len(replaced), len(replaced), 0)
    assert marked(diff, "removed") == [paragraphs[n] for n in sorted(replaced)]
    assert marked(diff, "added") == [replaced[n] for n in sorted(replaced)]
    kept = {p for n, p in enumerate(paragraphs) if n not in replaced}
    assert set(marked(diff, "same")) == kept
    assert diff.left_out == 0


def test_a_long_diff_is_cut_and_says_how_much_is_left_out():
    old = "\n".join(f"Absatz {n} lautet so." for n in range(1000))
    new = "\n".join(f"Absatz {n} lautet anders." for n in range(1000))

    diff = textdiff.diff(old, new, limit=10)

    assert [line.kind for line in diff.lines] == ["changed"] * 10 + ["cut"]
    assert diff.lines[-1].skipped == diff.left_out == 990
    assert diff.changed == 1000  # counted in full, shown in part
    assert diff.summary.changed == 1000


def test_the_shown_characters_are_capped_too():
    old = "\n".join("alt " * 5000 + str(n) for n in range(20))
    new = "\n".join("neu " * 5000 + str(n) for n in range(20))

    diff = textdiff.diff(old, new, max_chars=50_000)

    assert diff.lines[-1].kind == "cut"
    assert 0 < diff.left_out < 40
    assert sum(len(t) for line in diff.lines for _, t in line.pieces) <= 50_000


def test_only_the_start_of_a_huge_text_is_compared_and_the_diff_says_so():
    old = "\n".join(f"Zeile {n}" for n in range(2000))
    new = old.replace("Zeile 5\n", "Zeile fünf\n").replace("Zeile 1999", "Ende")

    diff = textdiff.diff(old, new, max_compared=1000)

    assert diff.compared_chars == 1000
    assert marked(diff, "added") == ["fünf"]
    assert "Ende" not in marked(diff, "added")
    assert textdiff.diff(old, new).compared_chars is None


def test_a_stored_diff_reads_back_the_same():
    old = "Eins.\nZwei drei vier.\nFünf.\n" + "\n".join(f"x{n}" for n in range(50))
    new = "Eins.\nZwei DREI vier.\nSechs.\n" + "\n".join(f"x{n}" for n in range(40))
    diff = textdiff.diff(old, new, limit=5)

    assert Diff.from_json(diff.as_json()) == diff
    assert Diff.from_json({**diff.as_json(), "version": 0}) is None
    assert Diff.from_json({"version": textdiff.VERSION}) is None


_lines = st.lists(
    st.sampled_from(["a b c", "a b d", "x y", "", "ä ö ü ß", "a  b c", "z"]), max_size=25
)


@settings(max_examples=300, deadline=None)
@given(_lines, _lines)
def test_a_diff_without_gaps_puts_both_texts_back_together(old, new):
    diff = textdiff.diff("\n".join(old), "\n".join(new), context=BIG, limit=BIG, max_chars=BIG)

    if "\n".join(old).splitlines() == "\n".join(new).splitlines():
        assert diff.lines == ()
    else:
        assert texts_of(diff.lines) == ("\n".join(old).splitlines(), "\n".join(new).splitlines())


def test_a_paragraph_too_long_to_show_is_compared_and_shown_up_to_its_cap():
    rng = random.Random(3)
    paragraph = words(rng, 40_000)  # about 280 KB, one line
    tokens = paragraph.split(" ")
    tokens[10] = "Neuwort"

    diff = textdiff.diff(paragraph, " ".join(tokens))

    [line] = diff.lines
    assert line.kind == "changed"
    assert marked(diff, "added") == ["Neuwort"]
    assert marked(diff, "removed") == [paragraph.split(" ")[10]]
    assert line.pieces[-1][1].endswith("…")
    assert sum(len(t) for _, t in line.pieces) < textdiff.MAX_LINE_CHARS + 100
