#!/usr/bin/env python3
"""``wordnet-lm compare`` reusing models already trained vs training them, side by side.

On the demo corpus: (1) ``compare`` trains the n-gram baselines (orders 2-5) and the neural LM
(``--epochs E``) and saves the neural LM; (2) ``ngram`` writes a modified Kneser-Ney 5-gram
ARPA file; (3) ``compare --neural lm.npz --ngram lm.arpa`` scores those two files.  Checks that
the reused rows are the trained rows to the printed digit (the same models, read back), and
reports wall and CPU seconds of each command (child processes, ``wordnet-lm`` start-up
included), with the ratio.

    python benchmarks/compare_reuse.py [--epochs 1]
"""

from __future__ import annotations

import argparse
import csv
import datetime
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wordnet_lm.text import demo_paths  # noqa: E402


def run(args: list[str], cwd: Path) -> tuple[str, float, float]:
    """stdout, wall seconds and CPU seconds (user + system) of ``wordnet-lm ARGS``."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    result = subprocess.run([sys.executable, "-m", "wordnet_lm.cli", *args], cwd=cwd, env=env,
                            capture_output=True, text=True, check=False)
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if result.returncode:
        sys.exit(f"wordnet-lm {' '.join(args)} failed:\n{result.stderr}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return result.stdout, wall, cpu


def table_rows(path: Path) -> dict[tuple[str, str], list[str]]:
    """Rows of a ``--save-table`` CSV by (model, order): [valid ppl, test ppl] as printed (2 decimals)."""
    with open(path, newline="") as f:
        return {(row["model"], row["order"]): [f"{float(row['valid_ppl']):.2f}", f"{float(row['test_ppl']):.2f}"]
                for row in csv.DictReader(f)}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--epochs", default="1", help="neural LM epochs (default 1)")
    args = parser.parse_args()
    demo = {k: str(v) for k, v in demo_paths().items()}
    data = ["--train", demo["train"], "--valid", demo["valid"], "--test", demo["test"]]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        _, t_wall, t_cpu = run(["compare", *data, "--epochs", args.epochs, "--save-model", "lm.npz",
                                "--save-table", "trained.csv", "-q"], work)
        _, a_wall, a_cpu = run(["ngram", "--train", demo["train"], "--order", "5", "--smoothing", "mkn",
                                "--arpa", "lm.arpa"], work)
        _, r_wall, r_cpu = run(["compare", "--neural", "lm.npz", "--ngram", "lm.arpa", "--valid", demo["valid"],
                                "--test", demo["test"], "--save-table", "reused.csv", "-q"], work)
        trained, reused = table_rows(work / "trained.csv"), table_rows(work / "reused.csv")
    neural, mkn5, arpa = reused[("neural LM", "5")], trained[("modified-kn", "5")], reused[("lm.arpa", "5")]
    same_neural = trained[("neural LM", "5")] == neural
    same_mkn = mkn5 == arpa
    load = os.getloadavg()
    print(f"# compare: reusing models vs training them (demo corpus, neural LM {args.epochs} epoch(s))")
    print(f"date {datetime.date.today()}, nproc {os.cpu_count()}, load average {load[0]:.2f} {load[1]:.2f}, "
          f"Python {platform.python_version()}, NumPy {np.__version__}")
    print()
    print("| command | wall s | CPU s |")
    print("|---|---:|---:|")
    print(f"| `compare` training 12 n-gram models + the neural LM | {t_wall:.1f} | {t_cpu:.1f} |")
    print(f"| `ngram --order 5 --smoothing mkn --arpa lm.arpa` | {a_wall:.1f} | {a_cpu:.1f} |")
    print(f"| `compare --neural lm.npz --ngram lm.arpa` | {r_wall:.1f} | {r_cpu:.1f} |")
    print()
    print(f"reusing takes {r_cpu / t_cpu:.2f}x the CPU time of training ({r_wall / t_wall:.2f}x the wall time)")
    print(f"neural LM row identical when reused: {same_neural} (valid/test {' / '.join(neural)})")
    print(f"modified-kn 5 row = the reused ARPA's: {same_mkn} (valid/test {' / '.join(arpa)})")
    if not (same_neural and same_mkn):
        sys.exit("the reused models do not reproduce the trained rows")


if __name__ == "__main__":
    main()
