"""Encoding and neural-LM training throughput as the corpus grows (issue 11, part 4, last item).

For corpora of 4M, 16M, 64M tokens from ``../shared/bench/make_scale_corpus.py`` (kept under
/tmp, shared with ``benchmarks/scale.py``), in one run:

* ``wordnet-lm corpus encode TEXT --out DIR --max-vocab 30000`` (both cores): wall and CPU time,
  tokens per second, peak RSS of the process tree;
* training the neural LM from that memory-mapped folder through the real entry point
  (``NPLM.fit``: the data fingerprint, per-batch windows, the shuffle — a Feistel permutation
  above 16M examples — and the AdamW steps), one BLAS thread, the same model at every size
  (n 5, m 60, h 100, dropout 0.25, batch 512, adaptive softmax over the 30,000 words) for the
  same number of steps, ``--rounds`` times with the sizes interleaved (the median is kept, and
  the largest/smallest ratio is the median of the per-round ratios): tokens per second of the
  steps, the set-up time before the first step, and the process's peak RSS (which includes
  the memory-mapped ids it touched) and its anonymous (non-file) RSS at the end.

Throughput must not drop with the corpus, and memory must not grow with it beyond the pages
of the memory-mapped corpus.

    python benchmarks/scale_nplm.py --sizes 4e6 16e6 64e6 --steps 300
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE.parent))

from scale import fit_exponent, header_line, machine_info, publish, scale_corpus, with_cpu  # noqa: E402

VOCAB = 30_000
BATCH = 512


def train_worker(encoded: Path, steps: int) -> dict:
    """Train for ``steps`` batches (one evaluation segment) from the encoded folder; measure."""
    from wordnet_lm.nplm import NPLM, TrainConfig
    from wordnet_lm.nplm.train import segment_bounds
    from wordnet_lm.nplm.windows import n_batches
    from wordnet_lm.text import load_corpus

    started = time.perf_counter()
    corpus, vocab = load_corpus(str(encoded), max_size=VOCAB)
    n_examples = corpus.n_tokens + corpus.n_sentences
    segments = max(1, n_batches(n_examples, BATCH) // steps)
    config = TrainConfig(batch_size=BATCH, max_epochs=1 / segments, evals_per_epoch=segments, threads=1)
    model = NPLM(order=5, embed_dim=60, hidden=100, dropout=0.25)
    model.fit(corpus, vocab, None, config, progress=False)
    total = time.perf_counter() - started
    batches = segment_bounds(n_batches(n_examples, BATCH), segments)[1]
    seconds = model.history_[0]["seconds"]
    return {"tokens": int(corpus.n_tokens), "vocab": len(vocab), "output": model.output_layer(len(vocab)).kind,
            "steps": batches, "step_seconds": seconds, "tokens_per_s": batches * BATCH / seconds,
            "setup_seconds": total - seconds, "peak_rss": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024,
            "anon_rss_end": _anon_rss()}


def _anon_rss() -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("RssAnon:"):
            return int(line.split()[1]) * 1024
    return 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", type=float, nargs="+", default=[4e6, 16e6, 64e6])
    parser.add_argument("--dir", type=Path, default=Path("/tmp/scale_ngram"))
    parser.add_argument("--steps", type=int, default=300)
    parser.add_argument("--rounds", type=int, default=3, help="training runs per size, sizes interleaved; the median is kept")
    parser.add_argument("--json", type=Path, default=None)
    parser.add_argument("--worker", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(train_worker(args.worker, args.steps)))
        return
    info = machine_info()
    rows = []
    with tempfile.TemporaryDirectory(dir=args.dir) as scratch:
        encoded = []
        for size in args.sizes:
            name, text = scale_corpus(args.dir, size)
            enc_dir = Path(scratch) / name
            enc = with_cpu([sys.executable, "-m", "wordnet_lm", "corpus", "encode", str(text), "--out", str(enc_dir),
                            "--max-vocab", str(VOCAB)])
            encoded.append((name, enc_dir, {k: enc[k] for k in ("wall", "cpu", "peak_rss")}))
        trains: dict[str, list[dict]] = {name: [] for name, _, _ in encoded}
        for _ in range(args.rounds):  # sizes interleaved in every round: background load hits all alike
            for name, enc_dir, _ in encoded:
                out = subprocess.run([sys.executable, __file__, "--worker", str(enc_dir), "--steps", str(args.steps)],
                                     capture_output=True, text=True, check=True)
                trains[name].append(json.loads(out.stdout.strip().splitlines()[-1]))
        for name, _, enc in encoded:
            runs = sorted(trains[name], key=lambda t: t["tokens_per_s"])
            train = dict(runs[len(runs) // 2], rounds_tokens_per_s=[t["tokens_per_s"] for t in trains[name]])
            row = {"corpus": name, "tokens": train["tokens"], "encode": enc, "train": train}
            rows.append(row)
            print(json.dumps(row), flush=True)
    if len(rows) > 1:  # per-round ratio of the largest corpus to the smallest, then its median
        ratios = sorted(b["tokens_per_s"] / a["tokens_per_s"]
                        for a, b in zip(trains[rows[0]["corpus"]], trains[rows[-1]["corpus"]]))
        info["train_ratio_median"] = ratios[len(ratios) // 2]
    info["load_after"] = os.getloadavg()
    report = {"info": info, "rows": rows}
    if len(rows) > 1:
        tokens = [r["tokens"] for r in rows]
        report["k_encode_cpu"] = fit_exponent(tokens, [r["encode"]["cpu"] for r in rows])
        report["k_train_setup"] = fit_exponent(tokens, [max(r["train"]["setup_seconds"], 1e-3) for r in rows])
    publish(report, markdown(report), args.json)


def markdown(report: dict) -> str:
    mb = 1 << 20
    lines = [header_line(report["info"]), "",
             "| tokens | encode wall s | encode CPU s | encode M tok/s (wall / CPU) | encode peak RSS "
             "| train tok/s (median) | set-up s | train peak RSS | train anon RSS |",
             "|---|---|---|---|---|---|---|---|---|"]
    for r in report["rows"]:
        e, t = r["encode"], r["train"]
        lines.append(f"| {r['tokens'] / 1e6:.1f}M | {e['wall']:.1f} | {e['cpu']:.1f} | "
                     f"{r['tokens'] / e['wall'] / 1e6:.2f} / {r['tokens'] / e['cpu'] / 1e6:.2f} | "
                     f"{e['peak_rss'] / mb:,.0f} MB | {t['tokens_per_s']:,.0f} | {t['setup_seconds']:.1f} | "
                     f"{t['peak_rss'] / mb:,.0f} MB | {t['anon_rss_end'] / mb:,.0f} MB |")
    rows = report["rows"]
    if len(rows) > 1:
        ratio = report["info"]["train_ratio_median"]
        rounds = len(rows[0]["train"]["rounds_tokens_per_s"])
        lines += ["", f"training tokens/s, largest / smallest corpus: {ratio:.2f}x, median of {rounds} interleaved "
                      f"rounds (must not drop); vocabulary {rows[-1]['train']['vocab']:,}, {rows[-1]['train']['output']} "
                      f"softmax, {rows[-1]['train']['steps']} steps of {BATCH}",
                  f"fitted k: encode CPU time {report['k_encode_cpu']:.2f}, training set-up "
                  f"{report['k_train_setup']:.2f}"]
    return "\n".join(lines)


if __name__ == "__main__":
    main()
