"""GloVe on ``../shared/corpora/nltk-mix.txt`` (3.85 M tokens) against Stanford GloVe's and
gensim word2vec's figures (``../shared/bench/reference.md``, "Word embeddings").

Sections (each prints a Markdown table):

* co-occurrence counting with Stanford's settings (min count 5, window 10, 1/d weighting):
  time, peak memory, nonzeros (Stanford: 12,044,400);
* GloVe with Stanford's settings (dim 100, x_max 100, alpha 0.75, 25 epochs, lr 0.05, its
  AdaGrad formula) and with wordnet_lm's defaults for small corpora: seconds per epoch, peak
  memory, analogy accuracy (questions-words.txt, restrict_vocab 30,000, 3CosAdd and 3CosMul)
  and WordSim-353 Spearman rho, for W + W~ and W;
* gensim word2vec (CBOW and skip-gram, window 5, 15 epochs) trained in the same run and
  evaluated the same way; Stanford's rows are quoted from reference.md;
* ``--stanford-bin DIR``: Stanford GloVe itself (``vocab_count``, ``cooccur``, ``shuffle``,
  ``glove`` built from its C source into DIR; never part of this repository) run in the same
  process tree with the same settings (x_max 100 and 10), timed (wall and CPU of the child
  processes) and evaluated by the same code.
* ``--engine-overhead``: one batch's loss + gradient through the engine with the fused
  ``sampled_dots`` primitive, through the engine with generic primitives only, and by hand.
* ``--sweep``: the grid behind the defaults (slow: about 25 runs).

The machine is shared: timings are wall and CPU seconds of this process; ratios to gensim
measured in the same run are the robust comparison.

    python benchmarks/glove_nltk_mix.py [--threads 2] [--no-gensim] [--stanford-bin DIR] [--engine-overhead]
                                        [--sweep]
"""

from __future__ import annotations

import argparse
import datetime
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
import tracemalloc
from pathlib import Path

import numpy as np
import scipy
import scipy.sparse

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wordnet_lm.autodiff import numpy as anp  # noqa: E402
from wordnet_lm.autodiff import value_and_grad  # noqa: E402
from wordnet_lm.glove import GloVe, PairIndex, batch_loss, count_cooccurrences, sampled_dots  # noqa: E402
from wordnet_lm.glove.cooccur import DEFAULT_WINDOW  # noqa: E402
from wordnet_lm.glove.train import Nonzeros, unique_sorted  # noqa: E402
from wordnet_lm.vectors import KeyedVectors, evaluate_word_analogies, evaluate_word_pairs, read_analogies  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
STANFORD_NONZEROS = 12_044_400
DEFAULTS = GloVe()
STANFORD_SETTINGS = dict(dim=100, x_max=100.0, alpha=0.75, epochs=25, lr=0.05, adagrad="stanford")
# reference.md, "Word embeddings": (method, settings, CPU s, all/sem/syn, 3CosMul, rho)
REFERENCE_ROWS = [
    ("Stanford GloVe W+W~", "x_max 100, 25 it", "375", "5.75 / 6.98 / 5.51", "3.17", "0.284"),
    ("Stanford GloVe W", "x_max 100, 25 it", "375", "8.93 / 8.75 / 8.97", "6.74", "0.236"),
    ("Stanford GloVe W+W~", "x_max 10, 25 it", "381", "7.28 / 8.58 / 7.02", "4.04", "0.328"),
    ("Stanford GloVe W", "x_max 10, 25 it", "381", "10.48 / 6.52 / 11.26", "7.36", "0.316"),
    ("gensim skip-gram", "window 5, 15 epochs", "186", "14.16 / 10.31 / 14.84", "12.30", "0.528"),
    ("gensim CBOW", "window 5, 15 epochs", "66", "16.48 / 9.99 / 17.64", "12.61", "0.418"),
]


# ---------------------------------------------------------------------------- helpers
class Phase:
    """Wall time, CPU time and peak traced memory (NumPy arrays included) of a block."""

    def __enter__(self) -> "Phase":
        tracemalloc.reset_peak()
        self.base = tracemalloc.get_traced_memory()[0]
        self.wall, self.cpu = time.perf_counter(), time.process_time()
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        self.cpu = time.process_time() - self.cpu
        self.peak_mb = (tracemalloc.get_traced_memory()[1] - self.base) / 2 ** 20


def evaluate(kv: KeyedVectors, questions, wordsim: Path) -> dict:
    add = evaluate_word_analogies(kv, questions, restrict_vocab=30000)
    mul = evaluate_word_analogies(kv, questions, restrict_vocab=30000, method="cosmul")
    rho = evaluate_word_pairs(kv, wordsim).spearman
    return {"all": 100 * add.accuracy, "sem": 100 * add.semantic.accuracy, "syn": 100 * add.syntactic.accuracy,
            "mul": 100 * mul.accuracy, "rho": rho, "questions": add.total.attempted}


def fmt_scores(s: dict) -> str:
    return f"{s['all']:.2f} / {s['sem']:.2f} / {s['syn']:.2f} | {s['mul']:.2f} | {s['rho']:.3f}"


def header() -> None:
    import gensim  # noqa: F401 (version only; may be missing)

    print(f"# GloVe on nltk-mix ({datetime.date.today()})\n")
    print(f"nproc {os.cpu_count()}, load average {os.getloadavg()[0]:.1f} at start, Python {platform.python_version()}, "
          f"NumPy {np.__version__}, SciPy {scipy.__version__}, gensim {gensim.__version__}\n")


# ---------------------------------------------------------------------------- sections
def cooccurrence_section(corpus: Path, windows: list[int]):
    print("## Co-occurrence counts (min count 5, 1/d weighting, symmetric; streamed, two passes over the file)\n")
    print("| window | words | nonzeros | Stanford's nonzeros | wall s | CPU s | peak MB |")
    print("|---|---|---|---|---|---|---|")
    counted = {}
    for window in windows:
        with Phase() as phase:
            matrix, vocab = count_cooccurrences(corpus, min_count=5, window=window)
        counted[window] = (matrix, vocab, phase)
        stanford = f"{STANFORD_NONZEROS:,}" if window == 10 else ""
        print(f"| {window} | {len(vocab) - 3:,} | {matrix.nnz:,} | {stanford} | {phase.wall:.1f} | {phase.cpu:.1f} | "
              f"{phase.peak_mb:.0f} |")
    print()
    return counted


def glove_rows(counted, questions, wordsim, configs, threads):
    rows = []
    for label, window, options in configs:
        matrix, vocab, _ = counted[window]
        model = GloVe(n_threads=threads, **options)
        with Phase() as phase:
            model.fit(matrix)
        for combine, name in (("sum", "W+W~"), ("w", "W")):
            scores = evaluate(model.to_keyed_vectors(vocab, combine), questions, wordsim)
            rows.append((f"wordnet_lm GloVe {name}", label, model.epochs_, phase, scores, model.loss_history_[-1]))
        print(f"  [{label}: {phase.wall:.0f} s wall, final loss {model.loss_history_[-1]:.6f}]", file=sys.stderr)
    return rows


def gensim_rows(corpus: Path, questions, wordsim, threads):
    from gensim.models import Word2Vec
    from gensim.models.word2vec import LineSentence

    rows = []
    for sg, name in ((0, "gensim CBOW"), (1, "gensim skip-gram")):
        with Phase() as phase:
            model = Word2Vec(LineSentence(str(corpus)), vector_size=100, window=5, min_count=5, sg=sg, epochs=15,
                             workers=threads, seed=0)
        kv = KeyedVectors(model.wv.index_to_key, model.wv.vectors)
        rows.append((name, "window 5, 15 epochs", 15, phase, evaluate(kv, questions, wordsim), None))
        print(f"  [{name}: {phase.wall:.0f} s wall]", file=sys.stderr)
    return rows


class ChildPhase(Phase):
    """Wall and CPU time of the child processes run inside the block (peak memory not traced)."""

    def __enter__(self) -> "ChildPhase":
        self.wall = time.perf_counter()
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = usage.ru_utime + usage.ru_stime
        self.peak_mb = float("nan")
        return self

    def __exit__(self, *exc) -> None:
        self.wall = time.perf_counter() - self.wall
        usage = resource.getrusage(resource.RUSAGE_CHILDREN)
        self.cpu = usage.ru_utime + usage.ru_stime - self.cpu


def stanford_rows(bin_dir: Path, corpus: Path, questions, wordsim, threads: int, x_maxes=(100.0, 10.0)):
    """Stanford GloVe's pipeline with its settings (min count 5, window 10, dim 100, 25 iterations)."""
    bin_dir = bin_dir.resolve()
    rows, counting = [], {}
    with tempfile.TemporaryDirectory() as tmp:
        def run(name: str, *options: str, stdin: Path | None = None, stdout: Path | None = None) -> None:
            with open(stdin or os.devnull, "rb") as fin, open(stdout or os.devnull, "wb") as fout:
                subprocess.run([str(bin_dir / name), *options], stdin=fin, stdout=fout, stderr=subprocess.DEVNULL,
                               cwd=tmp, check=True)

        files = {name: Path(tmp) / name for name in ("vocab.txt", "cooc.bin", "cooc.shuf.bin")}
        with ChildPhase() as counting_phase:
            run("vocab_count", "-min-count", "5", "-verbose", "0", stdin=corpus, stdout=files["vocab.txt"])
            run("cooccur", "-memory", "4.0", "-vocab-file", str(files["vocab.txt"]), "-verbose", "0",
                "-window-size", "10", stdin=corpus, stdout=files["cooc.bin"])
            run("shuffle", "-memory", "4.0", "-verbose", "0", "-seed", "1", stdin=files["cooc.bin"],
                stdout=files["cooc.shuf.bin"])
        counting["phase"] = counting_phase
        words = files["vocab.txt"].read_text(encoding="utf-8").split("\n")
        words = [line.split(" ")[0] for line in words if line]
        counting["nonzeros"] = files["cooc.bin"].stat().st_size // 16
        for x_max in x_maxes:
            with ChildPhase() as phase:
                run("glove", "-save-file", str(Path(tmp) / "vectors"), "-threads", str(threads), "-input-file",
                    str(files["cooc.shuf.bin"]), "-x-max", f"{x_max:g}", "-iter", "25", "-vector-size", "100",
                    "-binary", "1", "-vocab-file", str(files["vocab.txt"]), "-verbose", "0", "-model", "0",
                    "-eta", "0.05", "-alpha", "0.75", "-seed", "1")
            W = np.fromfile(Path(tmp) / "vectors.bin").reshape(2, len(words), 101)
            label = f"Stanford's settings, x_max {x_max:g} (run here)"
            for name, vectors in (("W+W~", W[0, :, :100] + W[1, :, :100]), ("W", W[0, :, :100])):
                scores = evaluate(KeyedVectors(words, vectors.astype(np.float32)), questions, wordsim)
                rows.append((f"Stanford GloVe {name}", label, 25, phase, scores, None))
            print(f"  [Stanford GloVe x_max {x_max:g}: {phase.wall:.0f} s wall]", file=sys.stderr)
    return rows, counting


def print_results(rows) -> None:
    print("## Results (this run)\n")
    print("Analogies: 3CosAdd all / semantic / syntactic | 3CosMul | WordSim-353 Spearman rho. "
          "Training time excludes co-occurrence counting (table above).\n")
    print("| method | settings | wall s (per epoch) | CPU s (per epoch) | peak MB | analogy % | 3CosMul % | rho | final loss |")
    print("|---|---|---|---|---|---|---|---|---|")
    for name, label, epochs, phase, s, loss in rows:
        loss_text = f"{loss:.6f}" if loss is not None else ""
        peak = f"{phase.peak_mb:.0f}" if loss is not None else "n/a"  # gensim, Stanford allocate in C, untraced
        print(f"| {name} | {label} | {phase.wall:.0f} ({phase.wall / epochs:.2f}) | {phase.cpu:.0f} "
              f"({phase.cpu / epochs:.2f}) | {peak} | {s['all']:.2f} / {s['sem']:.2f} / {s['syn']:.2f} | "
              f"{s['mul']:.2f} | {s['rho']:.3f} | {loss_text} |")
    attempted = sorted({row[4]["questions"] for row in rows})
    print(f"\nQuestions attempted: {' / '.join(f'{n:,}' for n in attempted)} of 19,544 (vocabulary order: count "
          "descending, ties by first occurrence, as gensim). Peak MB: NumPy and Python allocations traced during "
          "training (tracemalloc).\n")
    print("## Peers quoted from reference.md (measured elsewhere; Stanford: 15 CPU-s, about 7.5 s wall, per "
          "iteration on two free cores)\n")
    print("| method | settings | train CPU s | analogy % all / sem / syn | 3CosMul % | rho |")
    print("|---|---|---|---|---|---|")
    for row in REFERENCE_ROWS:
        print("| " + " | ".join(row) + " |")
    print()


def print_totals(our_counting: Phase, rows, stanford: dict) -> None:
    """Counting + training with Stanford's settings, ours against Stanford GloVe's, same run."""
    ours = next(r[3] for r in rows if r[0] == "wordnet_lm GloVe W+W~" and "x_max 100" in r[1])
    theirs = next(r[3] for r in rows if r[0] == "Stanford GloVe W+W~" and "x_max 100" in r[1])
    counting = stanford["phase"]
    print("## Stanford's settings end to end, side by side (x_max 100, 25 epochs)\n")
    print(f"Stanford's cooccur wrote {stanford['nonzeros']:,} nonzero records.\n")
    print("| step | wordnet_lm wall s / CPU s | Stanford GloVe wall s / CPU s | wall ratio |")
    print("|---|---|---|---|")
    for step, a, b in (("counting (vocab, co-occurrences, shuffle)", our_counting, counting), ("training", ours, theirs)):
        print(f"| {step} | {a.wall:.0f} / {a.cpu:.0f} | {b.wall:.0f} / {b.cpu:.0f} | {a.wall / b.wall:.2f} |")
    total_ours, total_theirs = our_counting.wall + ours.wall, counting.wall + theirs.wall
    print(f"| total | {total_ours:.0f} / {our_counting.cpu + ours.cpu:.0f} | {total_theirs:.0f} / "
          f"{counting.cpu + theirs.cpu:.0f} | {total_ours / total_theirs:.2f} |\n")


# ---------------------------------------------------------------------------- engine overhead
def generic_batch_loss(blocks, pairs, log_x, weights):
    """The loss with generic primitives only: gathers, product, row sums."""
    W, Wt, b, bt = blocks
    dots = anp.sum(anp.take(W, pairs.rows, axis=0) * anp.take(Wt, pairs.cols, axis=0), axis=1)
    diff = dots + anp.take(b, pairs.rows) + anp.take(bt, pairs.cols) - log_x
    return 0.5 * anp.sum(weights * diff * diff)


def hand_loss_and_grads(blocks, pairs, log_x, weights):
    """The same loss and gradients without the engine (the fastest NumPy we know)."""
    W, Wt, b, bt = blocks
    diff = sampled_dots.fun(W, Wt, pairs)
    diff += b[pairs.rows]
    diff += bt[pairs.cols]
    diff -= log_x
    residual = weights * diff
    grads = (pairs.by_row.matmul(residual, Wt, pairs.n_threads), pairs.by_col.matmul(residual, W, pairs.n_threads),
             np.bincount(pairs.rows, residual, minlength=len(b)).astype(np.float32),
             np.bincount(pairs.cols, residual, minlength=len(bt)).astype(np.float32))
    return 0.5 * float(residual @ diff), grads


def engine_overhead_section(matrix, rounds: int = 5, n_batches: int = 20, batch_size: int = 65536) -> None:
    data = Nonzeros.from_matrix(matrix, 100.0, 0.75)
    rng = np.random.default_rng(0)
    model = GloVe(epochs=0).fit(matrix)
    params = [model.W_, model.W_tilde_, model.b_, model.b_tilde_]
    seen = np.zeros(data.n_words, bool)
    batches = []
    for _ in range(n_batches):
        words, contexts, log_x, weight = data.batch(np.sort(rng.choice(len(data), batch_size, replace=False)))
        word_rows, word_local = unique_sorted(words)
        seen[contexts] = True
        context_rows = np.flatnonzero(seen)
        context_local = (np.cumsum(seen) - 1)[contexts]
        seen[:] = False
        pairs = PairIndex(word_local, context_local, len(word_rows), len(context_rows), 1)
        blocks = (params[0][word_rows], params[1][context_rows], params[2][word_rows], params[3][context_rows])
        batches.append((blocks, pairs, log_x, weight))
    fused = value_and_grad(batch_loss)
    generic = value_and_grad(generic_batch_loss)
    variants = {"engine, fused sampled_dots (library)": lambda bt: fused(*bt),
                "engine, generic primitives": lambda bt: generic(*bt),
                "hand-written NumPy, no engine": lambda bt: hand_loss_and_grads(*bt)}
    times = {name: [] for name in variants}
    for _ in range(rounds):  # interleaved
        for name, run in variants.items():
            start = time.process_time()
            for batch in batches:
                run(batch)
            times[name].append((time.process_time() - start) / n_batches)
    base = np.median(times["hand-written NumPy, no engine"])
    print(f"## Engine overhead: loss + gradient of one batch of {batch_size:,} nonzeros (1 thread, "
          f"median of {rounds} interleaved rounds of {n_batches} batches)\n")
    print("| formulation | CPU ms per batch | ratio to hand-written |")
    print("|---|---|---|")
    for name, values in times.items():
        print(f"| {name} | {1000 * np.median(values):.1f} | {np.median(values) / base:.2f} |")
    print()


# ---------------------------------------------------------------------------- sweep
SWEEP = [  # (co-occurrence options, GloVe options, epochs to evaluate at); Stanford's AdaGrad throughout
    ({}, dict(x_max=100.0), (25,)),
    ({}, dict(x_max=100.0, adagrad="paper"), (25,)),
    ({}, dict(x_max=25.0), (10, 15, 25)),
    ({}, dict(x_max=10.0), (10, 25)),
    ({}, dict(x_max=5.0), (10, 15, 25)),
    ({}, dict(x_max=2.0), (5, 10, 15)),
    ({}, dict(x_max=10.0, lr=0.025), (10, 15)),
    ({}, dict(x_max=10.0, alpha=0.5), (10, 15, 25)),
    ({"window": 5}, dict(x_max=10.0), (10, 15, 25)),
    ({"window": 15}, dict(x_max=10.0), (10, 15, 25)),
    ({"window": 20}, dict(x_max=10.0), (10, 15)),
    ({"window": 30}, dict(x_max=10.0), (10,)),
    ({"window": 20}, dict(x_max=5.0), (10, 15)),
    ({"weighting": "linear"}, dict(x_max=10.0), (10, 15, 25)),
    ({"window": 5, "weighting": "flat"}, dict(x_max=10.0), (10, 15, 25)),
]


def sweep_section(corpus: Path, questions, wordsim, threads) -> None:
    """Stanford's settings changed a few at a time, evaluated at several epochs of one run."""
    print("## Sweep (Stanford's settings, changes listed; window 10, 1/d, lr 0.05 unless said)\n")
    print("| changes | epochs | W+W~ analogy % / 3CosMul / rho | W analogy % / 3CosMul / rho | loss |")
    print("|---|---|---|---|---|")
    cache = {}
    for cooc_options, options, epochs in SWEEP:
        key = json.dumps(cooc_options, sort_keys=True)
        if key not in cache:
            cache = {key: count_cooccurrences(corpus, min_count=5, **{"window": 10, **cooc_options})}
        matrix, vocab = cache[key]
        label = ", ".join(f"{k} {v}" for k, v in {**cooc_options, **options}.items())

        def report(model, epoch, label=label, epochs=epochs, vocab=vocab):
            if epoch in epochs:
                both = [evaluate(model.to_keyed_vectors(vocab, c), questions, wordsim) for c in ("sum", "w")]
                print(f"| {label} | {epoch} | {fmt_scores(both[0])} | {fmt_scores(both[1])} | "
                      f"{model.loss_history_[-1]:.6f} |", flush=True)

        GloVe(n_threads=threads, **{**STANFORD_SETTINGS, **options, "epochs": max(epochs)}).fit(matrix, callback=report)
    print()


# ---------------------------------------------------------------------------- main
def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=SHARED / "corpora" / "nltk-mix.txt")
    parser.add_argument("--threads", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--no-gensim", action="store_true", help="skip training gensim word2vec")
    parser.add_argument("--stanford-bin", type=Path, default=None,
                        help="directory with Stanford GloVe's vocab_count, cooccur, shuffle and glove binaries: run "
                             "them side by side")
    parser.add_argument("--engine-overhead", action="store_true", help="also time the engine formulations")
    parser.add_argument("--sweep", action="store_true", help="also run the sweep grid (slow)")
    args = parser.parse_args()
    questions = read_analogies(SHARED / "eval" / "questions-words.txt")
    wordsim = SHARED / "eval" / "wordsim353.tsv"
    header()
    tracemalloc.start()
    counted = cooccurrence_section(args.corpus, sorted({10, DEFAULT_WINDOW}))
    configs = [("Stanford settings (window 10, x_max 100, 25 epochs)", 10, STANFORD_SETTINGS),
               ("Stanford settings, x_max 10", 10, dict(STANFORD_SETTINGS, x_max=10.0)),
               (f"wordnet_lm defaults (window {DEFAULT_WINDOW}, x_max {DEFAULTS.x_max:g}, epochs {DEFAULTS.epochs})",
                DEFAULT_WINDOW, {})]
    rows = glove_rows(counted, questions, wordsim, configs, args.threads)
    stanford = None
    if args.stanford_bin is not None:
        stanford_results, stanford = stanford_rows(args.stanford_bin, args.corpus, questions, wordsim, args.threads)
        rows += stanford_results
    if not args.no_gensim:
        rows += gensim_rows(args.corpus, questions, wordsim, args.threads)
    print_results(rows)
    if stanford is not None:
        print_totals(counted[10][2], rows, stanford)
    if args.engine_overhead:
        engine_overhead_section(counted[10][0])
    if args.sweep:
        sweep_section(args.corpus, questions, wordsim, args.threads)
    print(f"Peak resident memory of the whole run: {resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024:.0f} MB; "
          f"load average at the end {os.getloadavg()[0]:.1f}.")


if __name__ == "__main__":
    main()
