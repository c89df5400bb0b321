"""Training throughput of the neural LM's output layers side by side (issue 12, section 3).

Times the training step (loss, gradients through ``wordnet_lm.autodiff``, AdamW update) of
the Bengio model with the full, the adaptive and the class-factored softmax, and PyTorch's
``nn.AdaptiveLogSoftmaxWithLoss`` (and full softmax) in the same model at the same settings,
all in this one process with the same number of threads, interleaved round by round so the
background load of this shared machine hits them alike.  Prints tokens/s (median over
rounds) and each output's ratio to our full softmax, with the machine, versions and date.

    python benchmarks/nplm_output.py                          # brown-bengio, 1 thread
    python benchmarks/nplm_output.py --threads 2 --rounds 7
    python benchmarks/nplm_output.py --corpus nltk-mix        # ~30k words (count >= 5)
    python benchmarks/nplm_output.py --sweep 1000,2000,5000,10000   # the "auto" threshold
    python benchmarks/nplm_output.py --corpus nltk-mix --quality 1  # perplexity at equal epochs

Model: n 5, m 60, h 100, dropout 0.25, batch 512, AdamW lr 2e-3, weight decay 0.05 (the tuned
Brown settings of benchmarks/nplm_brown.py), the embedding rows of each batch updated lazily
(``TrainConfig.lazy_embeddings``, every output alike; PyTorch: a sparse embedding with
``SparseAdam``; ``--dense-embeddings`` for dense AdamW everywhere); adaptive softmax with the
default cutoffs (1000,5000,... below V) and projections h/4, h/16, ... (PyTorch: ``div_value=4``,
``head_bias=True``; the same cutoffs); class-factored: sqrt(V)/3 frequency bins.
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from wordnet_lm.nplm import NPLM, TrainConfig  # noqa: E402
from wordnet_lm.nplm.train import blas_threads, make_optimizer, make_step  # noqa: E402
from wordnet_lm.nplm.windows import context_windows  # noqa: E402
from wordnet_lm.text import load_corpus  # noqa: E402

TARGETS = {"brown": {"adaptive": 5.0, "class": 4.0},  # x our full softmax (issue 12, section 3)
           "nltk-mix": {"adaptive": 10.0}}
TORCH_TARGET = 1.5  # ours adaptive / torch adaptive
# nltk-mix also times the layout that was the default before per-cluster widths (1000/5000/25000,
# projections 25/6/1) and the first round's faster alternative (500/2000/8000, 25/6/1; docs/nplm.md)
OLD_DEFAULT = "adaptive@1000/5000/25000=25/6/1"
DEFAULT_OUTPUTS = {"brown": "full,adaptive,class",
                   "nltk-mix": f"full,adaptive,{OLD_DEFAULT},adaptive@500/2000/8000=25/6/1,class"}


def shared_dir() -> Path:
    env = os.environ.get("WORDNET_LM_SHARED")
    return Path(env) if env else ROOT.parent / "shared"


def nltk_mix_split(path: Path, min_count: int = 5):
    """The held-out split of nltk-mix.txt used by the benchmarks and docs: lines in blocks of
    1,000; block k goes to valid if k % 20 == 18, to test if k % 20 == 19, else to train
    (90 / 5 / 5, contiguous blocks spread over the whole file).  Words seen fewer than
    ``min_count`` times in train become <unk>."""
    from wordnet_lm.text.vocab import Vocab

    lines = path.read_text(encoding="utf-8").splitlines()
    parts = {"train": [], "valid": [], "test": []}
    for i, line in enumerate(lines):
        block = (i // 1000) % 20
        words = line.split()
        if words:
            parts["valid" if block == 18 else "test" if block == 19 else "train"].append(words)
    vocab = Vocab.build(parts["train"], min_count=min_count)
    return {k: vocab.encode(v) for k, v in parts.items()}, vocab


def load(args):
    if args.corpus == "nltk-mix":
        data, vocab = nltk_mix_split(shared_dir() / "corpora" / "nltk-mix.txt")
        return data["train"], vocab
    return load_corpus(shared_dir() / "corpora" / "brown-bengio" / "train.txt", max_size=args.max_vocab)


class Ours:
    def __init__(self, spec, vocab, contexts, targets, args):
        self.name = spec  # "adaptive@1000/5000": other cutoffs than --cutoffs; "class@60": 60 classes;
        options = parse_spec(spec)  # "adaptive@500/2000=100/25": cutoffs and projection widths
        if options["output"] == "adaptive" and options["cutoffs"] is None:
            options["cutoffs"] = args.cutoffs
        self.model = NPLM(order=5, embed_dim=60, hidden=100, dropout=0.25, **options)
        self.model.vocab_ = vocab
        self.params = self.model.init_params(len(vocab))
        optimizer = make_optimizer(TrainConfig(optimizer="adamw", lr=2e-3, weight_decay=0.05,
                                               lazy_embeddings=not args.dense_embeddings))
        self.state = optimizer.init(self.params)
        self.step = make_step(self.model, optimizer)
        self.rng = np.random.default_rng(0)
        self.contexts, self.targets = contexts, targets

    def run(self, idx):
        return self.step(self.params, self.state, self.contexts[idx], self.targets[idx], self.rng)


class Torch:
    def __init__(self, spec, vocab, contexts, targets, args):
        import torch

        from wordnet_lm.nplm.outputs import default_cutoffs

        self.torch = torch
        self.name = f"torch-{spec}"  # "adaptive@2000/10000": as for ours; "adaptive:dense": dense AdamW
        spec, _, mode = spec.partition(":")
        dense = args.dense_embeddings or mode == "dense"
        output, _, extra = spec.partition("@")
        cutoffs = [int(c) for c in extra.split("/")] if extra else args.cutoffs or default_cutoffs(len(vocab))
        torch.manual_seed(0)
        V = len(vocab)
        self.embed = torch.nn.Embedding(V, 60, sparse=not dense)
        self.hidden = torch.nn.Linear(240, 100)
        self.drop = torch.nn.Dropout(0.25)
        if output == "adaptive":
            self.out = torch.nn.AdaptiveLogSoftmaxWithLoss(100, V, cutoffs=list(cutoffs), div_value=4.0,
                                                           head_bias=True)
        else:
            self.out = torch.nn.Linear(100, V)
        self.adaptive = output == "adaptive"
        if dense:
            modules = torch.nn.ModuleList([self.embed, self.hidden, self.out])
            self.opts = [torch.optim.AdamW(modules.parameters(), lr=2e-3, weight_decay=0.05)]
        else:  # lazy embedding rows as ours: SparseAdam (which has no weight decay: less work than ours)
            modules = torch.nn.ModuleList([self.hidden, self.out])
            self.opts = [torch.optim.SparseAdam(self.embed.parameters(), lr=2e-3),
                         torch.optim.AdamW(modules.parameters(), lr=2e-3, weight_decay=0.05)]
        self.contexts = torch.from_numpy(contexts.astype(np.int64))
        self.targets = torch.from_numpy(targets.astype(np.int64))

    def run(self, idx):
        torch = self.torch
        idx = torch.from_numpy(idx)
        c, t = self.contexts[idx], self.targets[idx]
        e = self.drop(self.embed(c).reshape(len(idx), -1))
        h = self.drop(torch.tanh(self.hidden(e)))
        loss = self.out(h, t).loss if self.adaptive else torch.nn.functional.cross_entropy(self.out(h), t)
        for opt in self.opts:
            opt.zero_grad(set_to_none=True)
        loss.backward()
        for opt in self.opts:
            opt.step()
        return float(loss.detach())


def measure(impls, n_examples, args) -> dict[str, list[float]]:
    """Tokens/s of each implementation per round (rounds interleaved, same batches for all):
    per wall-clock second, or with ``args.cpu`` per second of this process's CPU time (with
    one thread, the work done, whatever share of the cores the background load leaves us)."""
    clock = time.process_time if args.cpu else time.perf_counter
    rng = np.random.default_rng(1)
    rates: dict[str, list[float]] = {impl.name: [] for impl in impls}
    for _ in range(args.warmup):
        idx = rng.integers(0, n_examples, args.batch)
        for impl in impls:
            impl.run(idx)
    for r in range(args.rounds):
        batches = rng.integers(0, n_examples, (args.steps, args.batch))
        order = impls if r % 2 == 0 else impls[::-1]
        for impl in order:
            t0 = clock()
            for idx in batches:
                impl.run(idx)
            rates[impl.name].append(args.steps * args.batch / (clock() - t0))
    return rates


def header(args, vocab_size: int) -> str:
    import scipy

    versions = f"python {platform.python_version()}, numpy {np.__version__}, scipy {scipy.__version__}"
    try:
        import torch
        versions += f", torch {torch.__version__}"
    except ImportError:  # pragma: no cover
        pass
    return (f"date {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, "
            f"load average {os.getloadavg()[0]:.1f}; {versions}; corpus {args.corpus}, |V| {vocab_size:,}, "
            f"threads {args.threads}, batch {args.batch}, {args.rounds} rounds x {args.steps} steps, "
            f"embedding rows {'dense AdamW' if args.dense_embeddings else 'lazy AdamW (torch: SparseAdam)'}; "
            f"tokens per {'CPU' if args.cpu else 'wall-clock'} second")


def speed(args) -> None:
    import torch

    torch.set_num_threads(args.threads)
    train, vocab = load(args)
    contexts, targets = context_windows(train, 5)
    outputs = (args.outputs or DEFAULT_OUTPUTS[args.corpus]).split(",")
    impls = [Ours(o, vocab, contexts, targets, args) for o in outputs]
    if not args.no_torch:
        impls += [Torch(o, vocab, contexts, targets, args) for o in args.torch_outputs.split(",")]
    config = TrainConfig(threads=args.threads)
    with blas_threads(config, len(vocab)):
        rates = measure(impls, len(targets), args)
    print(header(args, len(vocab)))
    print()
    print("| implementation | tokens/s (median) | x our full softmax | range over rounds |")
    print("|---|---:|---:|---:|")
    full = np.median(rates["full"]) if "full" in rates else None
    for name, r in rates.items():
        ratio = f"{np.median(r) / full:.2f}" if full else ""
        print(f"| {name} | {np.median(r):,.0f} | {ratio} | {min(r):,.0f}-{max(r):,.0f} |")
    print()
    if full:
        for kind, target in TARGETS[args.corpus].items():
            for name in rates:
                if name.partition("@")[0] == kind:
                    got = np.median(np.array(rates[name]) / np.array(rates["full"]))
                    print(f"{name} / full (median of per-round ratios) {got:.2f} (target >= {target:g}): "
                          f"{'met' if got >= target else 'MISSED'}")
    for name in list(rates):
        if not name.startswith("adaptive"):
            continue
        for peer, what in ((f"torch-{name}", "same optimizer"), (f"torch-{name}:dense", "torch with dense AdamW")):
            if peer in rates and (what == "same optimizer" or not args.dense_embeddings):
                got = np.median(np.array(rates[name]) / np.array(rates[peer]))
                verdict = f"(target >= {TORCH_TARGET}): {'met' if got >= TORCH_TARGET else 'MISSED'}" \
                    if what == "same optimizer" else "(for reference)"
                print(f"ours {name} / {peer}, same cutoffs, {what} (median of per-round ratios) {got:.2f} {verdict}")


def sweep(args) -> None:
    """Full vs adaptive at several vocabulary caps of brown-bengio: tokens/s side by side and,
    with ``--quality EPOCHS``, validation perplexity and CPU time after that many epochs each
    (perplexity per time: the "auto" threshold)."""
    print(f"{header(args, 0)}; vocabulary capped at each size (brown-bengio)")
    print()
    columns = "| |V| | full tok/s | adaptive tok/s | adaptive / full | cutoffs |"
    if args.quality:
        columns += (f" full valid ppl | adaptive valid ppl | adaptive / full ppl | full CPU s | adaptive CPU s |"
                    f" ({args.quality:g} epochs)")
    print(columns)
    print("|---:|---:|---:|---:|---|" + ("---:|" * 5 if args.quality else ""))
    from wordnet_lm.nplm.outputs import default_cutoffs

    for cap in (int(c) for c in args.sweep.split(",")):
        args.max_vocab = cap
        train, vocab = load(args)
        contexts, targets = context_windows(train, 5)
        impls = [Ours(o, vocab, contexts, targets, args) for o in ("full", "adaptive")]
        with blas_threads(TrainConfig(threads=args.threads), len(vocab)):
            rates = measure(impls, len(targets), args)
        f, a = np.median(rates["full"]), np.median(rates["adaptive"])
        ratio = np.median(np.array(rates["adaptive"]) / np.array(rates["full"]))
        cutoffs = args.cutoffs or default_cutoffs(len(vocab))
        row = f"| {len(vocab):,} | {f:,.0f} | {a:,.0f} | {ratio:.2f} | {','.join(map(str, cutoffs))} |"
        if args.quality:
            valid, _ = load_corpus(shared_dir() / "corpora" / "brown-bengio" / "valid.txt", vocab=vocab)
            (fh, fs, _), (ah, as_, _) = (train_for(o, train, valid, vocab, args) for o in ("full", "adaptive"))
            fp, ap_ = fh[-1]["valid_ppl"], ah[-1]["valid_ppl"]
            row += f" {fp:.2f} | {ap_:.2f} | {ap_ / fp:.4f} | {fs:,.0f} | {as_:,.0f} |"
        print(row, flush=True)


def train_for(spec: str, train, valid, vocab, args) -> tuple[list[dict], float, str]:
    """(validation history, CPU seconds, the output's description) after ``args.quality``
    epochs of output ``spec`` with the tuned Brown settings."""
    model = NPLM(order=5, embed_dim=60, hidden=100, dropout=0.25, **parse_spec(spec))
    config = TrainConfig(optimizer="adamw", lr=2e-3, weight_decay=0.05, batch_size=args.batch,
                         max_epochs=args.quality, evals_per_epoch=2, threads=args.threads,
                         lazy_embeddings=not args.dense_embeddings, patience=100)
    start = time.process_time()
    model.fit(train, vocab, valid, config, progress=False,
              callback=lambda r: print(f"{spec} |V| {len(vocab):,}: epoch {r['epoch']:g} valid ppl "
                                       f"{r['valid_ppl']:.2f}", file=sys.stderr, flush=True))
    return model.history_, time.process_time() - start, model.output_layer().describe()


def parse_spec(spec: str) -> dict:
    """``NPLM`` output keywords from a spec: ``adaptive``, ``adaptive@500/2000=100/25`` (cutoffs,
    projection widths), ``class@60``, ``full``."""
    output, _, extra = spec.partition("@")
    extra, _, widths = extra.partition("=")
    return {"output": output,
            "cutoffs": [int(c) for c in extra.split("/")] if extra and output == "adaptive" else None,
            "classes": int(extra) if extra and output == "class" else None,
            "projections": [int(w) for w in widths.split("/")] if widths else None}


def quality(args) -> None:
    """Validation perplexity at equal epochs of each output (``--outputs``) on the held-out split
    of nltk-mix (:func:`nltk_mix_split`), with the tuned Brown settings, and the CPU time taken."""
    if args.corpus != "nltk-mix":
        raise SystemExit("--quality runs on --corpus nltk-mix (the held-out split nltk_mix_split)")
    data, vocab = nltk_mix_split(shared_dir() / "corpora" / "nltk-mix.txt")
    outputs = (args.outputs or f"adaptive,{OLD_DEFAULT}").split(",")
    rows = [(spec, *train_for(spec, data["train"], data["valid"], vocab, args)) for spec in outputs]
    print(f"date {datetime.datetime.now(datetime.timezone.utc):%Y-%m-%d %H:%M} UTC, nproc {os.cpu_count()}, "
          f"load average {os.getloadavg()[0]:.1f}; nltk-mix (|V| {len(vocab):,}), n 5, m 60, h 100, dropout 0.25, "
          f"AdamW 2e-3 / 0.05, lazy rows, batch {args.batch}, threads {args.threads}; {args.quality:g} epochs each; "
          f"perplexity of nltk_mix_split's valid part")
    print()
    epochs = [r["epoch"] for r in rows[0][1]]
    print("| output | " + " | ".join(f"valid ppl @ {e:g} ep" for e in epochs) + " | x first row (last) | CPU s |")
    print("|---|" + "---:|" * (len(epochs) + 2))
    first = rows[0][1][-1]["valid_ppl"]
    for spec, history, seconds, text in rows:
        cells = " | ".join(f"{r['valid_ppl']:.2f}" for r in history)
        print(f"| {spec} ({text}) | {cells} | {history[-1]['valid_ppl'] / first:.4f} | {seconds:,.0f} |")


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--corpus", choices=("brown", "nltk-mix"), default="brown")
    ap.add_argument("--outputs", default=None,
                    help=f"our outputs; 'adaptive@500/2000/8000': other cutoffs, 'class@60': 60 classes "
                         f"(default: {DEFAULT_OUTPUTS})")
    ap.add_argument("--torch-outputs", default="adaptive,adaptive:dense",
                    help="PyTorch variants; ':dense' = dense AdamW on the embedding (else as ours)")
    ap.add_argument("--no-torch", action="store_true")
    ap.add_argument("--cutoffs", type=lambda s: [int(c) for c in s.split(",")], default=None)
    ap.add_argument("--max-vocab", type=int, default=None)
    ap.add_argument("--dense-embeddings", action="store_true",
                    help="dense AdamW on the embedding table (default: lazy rows, TrainConfig.lazy_embeddings; "
                         "PyTorch: sparse embedding + SparseAdam)")
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--batch", type=int, default=512)
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--steps", type=int, default=5)
    ap.add_argument("--warmup", type=int, default=2)
    ap.add_argument("--cpu", action="store_true",
                    help="tokens per second of process CPU time (robust to background load; use with --threads 1)")
    ap.add_argument("--sweep", help="vocabulary caps, e.g. 1000,2000,5000,10000 (full vs adaptive)")
    ap.add_argument("--quality", type=float, metavar="EPOCHS",
                    help="train each of --outputs this many epochs on nltk-mix's split and print validation "
                         "perplexity; with --sweep, full and adaptive at each cap of Brown")
    args = ap.parse_args(argv)
    if args.sweep:
        sweep(args)
    elif args.quality:
        quality(args)
    else:
        speed(args)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
