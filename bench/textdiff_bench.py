"""Timings of annotations/textdiff.diff on the archive's worst cases (issue 16).

    .venv/bin/python bench/textdiff_bench.py [--before PATH] [--rounds N]

Cases: a 700 KiB page with every other paragraph replaced; a 34 KiB one-paragraph page
with two words changed; a 700 KiB page with every paragraph edited (three words each);
a 700 KiB page of 8,000 copies of one line with some lines changed (no line unique); a
2 MiB page with its paragraphs shuffled. `--before PATH` times another textdiff module
(a file holding the old `line_diff`) on the same texts, for a ratio on the same machine,
each case stopped after `--timeout` seconds.
Prints the best of N rounds in seconds, and the load average.
"""

from __future__ import annotations

import argparse
import importlib.util
import multiprocessing
import os
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from annotations import textdiff  # noqa: E402

_COMMON = [
    "der",
    "die",
    "das",
    "und",
    "in",
    "den",
    "von",
    "zu",
    "mit",
    "sich",
    "des",
    "auf",
    "für",
    "ist",
    "im",
    "dem",
    "nicht",
    "ein",
    "eine",
    "als",
]


def vocabulary(rng: random.Random, size: int = 3000) -> list[str]:
    letters = "abcdefghiklmnoprstuwäöüß"
    words = {
        "".join(rng.choice(letters) for _ in range(rng.randint(3, 12))).capitalize()
        if rng.random() < 0.3
        else "".join(rng.choice(letters) for _ in range(rng.randint(3, 12)))
        for _ in range(size)
    }
    return sorted(words)


def paragraph(rng: random.Random, words: list[str], n_words: int) -> str:
    return (
        " ".join(
            rng.choice(_COMMON) if rng.random() < 0.35 else rng.choice(words)
            for _ in range(n_words)
        )
        + "."
    )


def page(rng: random.Random, words: list[str], size: int) -> list[str]:
    paragraphs: list[str] = []
    total = 0
    while total < size:
        paragraphs.append(paragraph(rng, words, rng.randint(30, 120)))
        total += len(paragraphs[-1].encode()) + 1
    return paragraphs


def edit_words(rng: random.Random, words: list[str], text: str, n: int) -> str:
    tokens = text.split(" ")
    for index in rng.sample(range(len(tokens)), n):
        tokens[index] = rng.choice(words) + "x"
    return " ".join(tokens)


def cases() -> dict[str, tuple[str, str]]:
    rng = random.Random(16)
    words = vocabulary(rng)
    base = page(rng, words, 700 * 1024)
    half = [paragraph(rng, words, len(p.split())) if n % 2 else p for n, p in enumerate(base)]
    edited = [edit_words(rng, words, p, 3) for p in base]
    long_paragraph = paragraph(rng, words, 5200)
    while len(long_paragraph.encode()) < 34 * 1024:
        long_paragraph += " " + paragraph(rng, words, 20)
    repeated = ["Weitere Absätze über Haushalt, Fahrpläne und Stellwerke der Bahn."] * 8000
    repeated_changed = [
        line.replace("Bahn", "Schiene") if n % 7 == 0 else line for n, line in enumerate(repeated)
    ]
    big = page(rng, words, 2 * 1024 * 1024)
    shuffled = big[:]
    rng.shuffle(shuffled)
    return {
        "700 KiB, half the paragraphs replaced": ("\n".join(base), "\n".join(half)),
        "34 KiB paragraph, two words changed": (
            long_paragraph,
            edit_words(rng, words, long_paragraph, 2),
        ),
        "700 KiB, every paragraph edited": ("\n".join(base), "\n".join(edited)),
        "700 KiB, one line 8,000 times, every 7th changed": (
            "\n".join(repeated),
            "\n".join(repeated_changed),
        ),
        "2 MiB, paragraphs shuffled": ("\n".join(big), "\n".join(shuffled)),
    }


def best(function, old: str, new: str, rounds: int) -> float:
    times = []
    for _ in range(rounds):
        start = time.perf_counter()
        function(old, new)
        times.append(time.perf_counter() - start)
    return min(times)


def _time_before(path: str, name: str, answer) -> None:
    """In a child process: the old module's time on one case, put on `answer`."""
    spec = importlib.util.spec_from_file_location("textdiff_before", path)
    before = importlib.util.module_from_spec(spec)
    sys.modules["textdiff_before"] = before
    spec.loader.exec_module(before)
    old, new = cases()[name]
    answer.put(best(before.line_diff, old, new, 1))


def before_time(path: str, name: str, timeout: float) -> float | None:
    """The old module's time on one case, or None when it ran past `timeout` seconds."""
    answer: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=_time_before, args=(path, name, answer))
    child.start()
    child.join(timeout)
    if child.is_alive():
        child.terminate()
        child.join()
        return None
    return answer.get()


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--before", help="a file holding the old textdiff module")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--timeout", type=float, default=180, help="seconds, per old case")
    args = parser.parse_args()
    print(f"load average {os.getloadavg()[0]:.1f}")
    for name, (old, new) in cases().items():
        now = best(textdiff.diff, old, new, args.rounds)
        line = f"{name:<50} {now:7.3f} s"
        if args.before:
            then = before_time(args.before, name, args.timeout)
            if then is None:
                line += f"   before > {args.timeout:.0f} s (stopped)"
            else:
                line += f"   before {then:7.2f} s   ×{then / now:,.0f}"
        print(line, flush=True)


if __name__ == "__main__":
    main()
