"""First-call and warm timings of annotations/cues.suggest on a 100 KB German and English text.

Each language runs in a fresh interpreter, so "first" includes loading the lemmatiser, as a
worker's first article would without warm-up; "after warm_up" is the first call after
`cues.warm_up()`, as a worker that started with the warm-up signal makes it.

    .venv/bin/python bench/cues_speed.py
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

_CHILD = r"""
import sys, time
sys.path.insert(0, {root!r})
t0 = time.perf_counter()
from annotations import cues
language, warm = {language!r}, {warm!r}
lines = [x for x in open({demo!r}, encoding="utf-8").read().splitlines() if x.strip()]
# Every copy of a line gets its own number, so no sentence is served from a cache.
parts, k = [], 0
while sum(len(p.encode()) + 1 for p in parts) < 100_000:
    parts.append(f"{{lines[k % len(lines)]}} ({{k}})")
    k += 1
text = "\n".join(parts)
if warm:
    cues.warm_up()
t1 = time.perf_counter()
cues.suggest(text, language)
t2 = time.perf_counter()
cues.suggest(text + " ", language)
t3 = time.perf_counter()
print(f"{{t1 - t0:.2f}} {{t2 - t1:.2f}} {{t3 - t2:.2f}}")
"""


def run(language: str, warm: bool) -> tuple[float, float, float]:
    demo = ROOT / "tests" / "data" / f"demo_{language}.txt"
    code = _CHILD.format(root=str(ROOT), language=language, warm=warm, demo=str(demo))
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    setup, first, again = (float(x) for x in out.stdout.split())
    return setup, first, again


def main() -> None:
    print(f"{'lang':4} {'mode':14} {'setup s':>8} {'first s':>8} {'again s':>8}")
    for language in ("de", "en"):
        for warm in (False, True):
            setup, first, again = run(language, warm)
            mode = "after warm_up" if warm else "cold"
            print(f"{language:4} {mode:14} {setup:8.2f} {first:8.2f} {again:8.2f}")


if __name__ == "__main__":
    main()
