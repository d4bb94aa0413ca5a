"""Run every benchmark in turn (`make bench`); each prints its own table.

Figures go into BENCHMARKS.md by hand, with the date and the machine they came from.
"""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SCRIPTS = [
    "reanchor.py",
    "eval_cues.py",
    # First-call and warm timings of the cue rules on 100 KB German and English.
    "cues_speed.py",
    "api_bench.py",
    "export_bench.py",
    "page_bench.py",
    # The annotate page in Debian's Chromium (load, tag latency, scroll, heap).
    "annotate_bench.py",
    "queue_bench.py",
    # The desk's dashboard on 100,000 claims with their histories (issue 16).
    "insights_bench.py",
    "checks_bench.py",
    # Webhook deliveries per second to local receivers (in order, none lost or doubled).
    "webhook_bench.py",
    # Installs doccano 1.8.4 from PyPI into var/doccano-venv on first use (about a minute).
    "doccano_bench.py",
]


def main() -> int:
    failed = []
    for script in SCRIPTS:
        print(f"\n=== bench/{script}", flush=True)
        result = subprocess.run([sys.executable, str(ROOT / "bench" / script)], cwd=ROOT)
        if result.returncode != 0:
            failed.append(script)
    if failed:
        print("\nfailed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
