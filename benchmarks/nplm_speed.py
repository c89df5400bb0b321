"""Training-step throughput of the neural LM against its peers (issue 4, section 5).

The model of ``../shared/bench/nplm_ref``: n = 5, m = 60, h = 100, V = 17,130 (brown-bengio),
batch 512, float32, Adam 1e-3.  Each round runs every implementation once in a fresh process
(so background load on this shared machine hits them alike): PyTorch CPU (``torch_nplm.py``),
hand-written NumPy with a fused in-place softmax (``np_nplm.py``), HIPS autograd
(``ag_nplm.py``), and ours: the training step of :mod:`wordnet_lm.nplm.train` (loss and
gradients through ``wordnet_lm.autodiff``, update by a ``wordnet_lm.nn`` optimizer).  Every
process times the same protocol: 3 warm-up steps, then 3 repetitions of 5 steps on random
batches; a process reports the median of its repetitions, the table the median over rounds.

Targets (ours, default settings): >= 1.6 x PyTorch, >= 0.85 x hand-written NumPy, >= 2.5 x
autograd.

    python benchmarks/nplm_speed.py                 # 5 rounds, batch 512
    python benchmarks/nplm_speed.py --rounds 3 --batch 128 --direct
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
TARGETS = {"pytorch": 1.6, "numpy": 0.85, "autograd": 2.5}
WARM, REPS, STEPS = 3, 3, 5


def shared_dir() -> Path:
    env = os.environ.get("WORDNET_LM_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


# ---------------------------------------------------------------------------- our worker


def run_ours(batch: int, lazy: bool, direct: bool, seed: int = 1) -> dict:
    """Time our training step in this process (the protocol of the peers)."""
    sys.path.insert(0, str(ROOT))
    from wordnet_lm.nplm import NPLM, TrainConfig
    from wordnet_lm.nplm.config import make_optimizer
    from wordnet_lm.nplm.train import make_step
    from wordnet_lm.nplm.windows import context_windows
    from wordnet_lm.text import load_corpus

    corpus = shared_dir() / "corpora" / "brown-bengio"
    train, vocab = load_corpus(corpus / "train.txt")
    contexts, targets = context_windows(train, 5)
    model = NPLM(order=5, embed_dim=60, hidden=100, direct=direct)
    params = model.init_params(len(vocab))
    optimizer = make_optimizer(TrainConfig(optimizer="adam", lr=1e-3, weight_decay=0.0, lazy_embeddings=lazy))
    state = optimizer.init(params)
    step = make_step(model, optimizer)
    rng = np.random.default_rng(seed)
    idx = rng.integers(0, len(targets), (WARM + REPS * STEPS, batch))
    for i in range(WARM):
        step(params, state, contexts[idx[i]], targets[idx[i]], None)
    k, rates = WARM, []
    for _ in range(REPS):
        t0 = time.perf_counter()
        for _ in range(STEPS):
            loss = step(params, state, contexts[idx[k]], targets[idx[k]], None)
            k += 1
        rates.append(STEPS * batch / (time.perf_counter() - t0))
    return {"impl": "ours-lazy" if lazy else "ours", "batch": batch, "direct": direct, "V": len(vocab),
            "tok_s": float(np.median(rates)), "all": rates, "last_loss": loss, "load1": os.getloadavg()[0]}


# ---------------------------------------------------------------------------- driver


def commands(batch: int, direct: bool, threads: int, with_lazy: bool) -> dict[str, list[str]]:
    ref = shared_dir() / "bench" / "nplm_ref"
    py = sys.executable
    protocol = ["--steps", str(STEPS), "--reps", str(REPS)]
    me = [py, str(Path(__file__).resolve()), "--worker", "--batch", str(batch)] + (["--direct"] if direct else [])
    cmds = {
        "pytorch": [py, str(ref / "torch_nplm.py"), "bench", "--threads", str(threads), "--batches", str(batch),
                    "--sparse", "0", "--direct", str(int(direct))] + protocol,
        "numpy": [py, str(ref / "np_nplm.py"), "bench", "--bs", str(batch), "--direct", str(int(direct))] + protocol,
        "ours": me,
    }
    if not direct:  # ag_nplm.py has no direct connections
        cmds["autograd"] = [py, str(ref / "ag_nplm.py"), "bench", "--bs", str(batch)] + protocol
    if with_lazy:
        cmds["ours-lazy"] = me + ["--lazy"]
    return cmds


def run(cmd: list[str], env: dict) -> dict | None:
    out = subprocess.run(cmd, env=env, capture_output=True, text=True)
    for line in out.stdout.splitlines():
        if line.startswith("{") and '"tok_s"' in line:
            return json.loads(line)
    print(f"  failed: {' '.join(cmd[:3])}: {out.stderr.strip().splitlines()[-1:] or out.returncode}", file=sys.stderr)
    return None


def versions() -> str:
    parts = [f"python {platform.python_version()}", f"numpy {np.__version__}"]
    for name in ("torch", "autograd"):
        try:
            from importlib.metadata import version

            parts.append(f"{name} {version(name)}")
        except Exception:  # noqa: BLE001  (a missing peer is reported, not fatal)
            parts.append(f"{name} missing")
    return ", ".join(parts)


def summarize(results: dict[str, list[float]], per_round: list[dict[str, float]]) -> list[str]:
    lines = ["| implementation | tokens/s (median) | min-max | ours / it (median of per-round ratios) | target |",
             "|---|---:|---:|---:|---|"]
    for name, rates in results.items():
        if not rates:
            continue
        ratios = [r["ours"] / r[name] for r in per_round if name in r and "ours" in r]
        ratio = float(np.median(ratios)) if ratios else float("nan")
        target = TARGETS.get(name)
        verdict = "" if target is None else f">= {target}: {'met' if ratio >= target else 'MISSED'}"
        lines.append(f"| {name} | {np.median(rates):,.0f} | {min(rates):,.0f}-{max(rates):,.0f} | "
                     f"{'' if name.startswith('ours') else f'{ratio:.2f}'} | {verdict} |")
    return lines


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--direct", action="store_true", help="direct connections (no autograd peer)")
    ap.add_argument("--threads", type=int, default=2)
    ap.add_argument("--no-lazy", action="store_true", help="skip our lazy-Adam variant")
    ap.add_argument("--jsonl", help="also append every measurement to this file")
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--lazy", action="store_true", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.worker:
        print(json.dumps(run_ours(args.batch, args.lazy, args.direct)), flush=True)
        return 0

    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(args.threads), OMP_NUM_THREADS=str(args.threads),
               MKL_NUM_THREADS=str(args.threads))
    env.setdefault("NPLM_CACHE", os.path.join(os.environ.get("TMPDIR", "/tmp"), "wordnet_lm_nplm_ref_ctx4.npz"))
    cmds = commands(args.batch, args.direct, args.threads, not args.no_lazy)
    loads = [os.getloadavg()[0]]
    results: dict[str, list[float]] = {name: [] for name in cmds}
    per_round: list[dict[str, float]] = []
    print(f"{args.rounds} rounds, batch {args.batch}, direct {args.direct}, {args.threads} threads; "
          f"nproc {os.cpu_count()}", file=sys.stderr)
    for r in range(args.rounds):
        this: dict[str, float] = {}
        for name, cmd in cmds.items():
            res = run(cmd, env)
            if res is None:
                continue
            this[name] = res["tok_s"]
            results[name].extend(res.get("all", [res["tok_s"]]))
            loads.append(os.getloadavg()[0])
            if args.jsonl:
                with open(args.jsonl, "a") as f:
                    f.write(json.dumps({**res, "name": name, "round": r}) + "\n")
        per_round.append(this)
        print(f"round {r + 1}: " + ", ".join(f"{k} {v:,.0f}" for k, v in this.items()), file=sys.stderr, flush=True)

    print(f"NPLM training throughput: n=5, m=60, h=100, V=17,130, batch {args.batch}, float32, Adam; "
          f"direct connections {'on' if args.direct else 'off'}")
    print(f"date {datetime.date.today()}, nproc {os.cpu_count()}, {args.threads} BLAS threads, {args.rounds} rounds, "
          f"load average {min(loads):.1f}-{max(loads):.1f}; {versions()}")
    print()
    print("\n".join(summarize(results, per_round)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
