"""How long matching a suggestion's speaker against the desk's claimants takes
(annotations/claimant_match.best_claimant), for 1,000 and 10,000 claimants with two aliases
each: the suggestions list indexes the names once (`name_index`) and matches each distinct
speaker once.

    .venv/bin/python bench/claimant_match_speed.py
"""

from __future__ import annotations

import random
import statistics
import string
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from annotations.claimant_match import best_claimant, name_index

SPEAKERS = ["Bundeskanzler Olaf Scholz", "Joe Biden", "Statistischen Bundesamt"]


def names(count: int) -> list[tuple[int, str]]:
    rng = random.Random(16)
    word = lambda: "".join(rng.choices(string.ascii_lowercase, k=rng.randint(4, 9))).title()  # noqa: E731
    pairs = []
    for pk in range(count):
        for _ in range(3):  # the name and two aliases
            pairs.append((pk, " ".join(word() for _ in range(rng.randint(1, 3)))))
    pairs.append((count, "Olaf Scholz"))
    return pairs


def main() -> None:
    for count in (1_000, 10_000):
        pairs = names(count)
        start = time.perf_counter()
        index = name_index(pairs)
        prepared = time.perf_counter() - start
        runs = []
        for _ in range(5):
            start = time.perf_counter()
            for speaker in SPEAKERS:
                best_claimant(speaker, index)
            runs.append((time.perf_counter() - start) / len(SPEAKERS))
        print(
            f"{count:>6} claimants ({len(pairs)} names): "
            f"index {prepared * 1000:.1f} ms once, then "
            f"{statistics.median(runs) * 1000:.1f} ms per speaker (median of 5)"
        )


if __name__ == "__main__":
    main()
