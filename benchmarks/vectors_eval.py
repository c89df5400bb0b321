#!/usr/bin/env python3
"""Benchmark wordnet_lm.vectors against gensim 4 on the same vectors, side by side.

Checks that both give the same analogy counts (per section) and word-similarity correlations,
and measures loading, evaluation and query times, interleaved (ours, gensim, ours, ...) so
that a busy machine slows both alike; the table reports medians and the gensim/ours ratio.

    python benchmarks/vectors_eval.py [--vectors FILE] [--repeats 3] [--restrict-vocab 30000]

Without ``--vectors``, trains gensim word2vec CBOW (dim 100, window 5, min count 5, 5 epochs)
on ``../shared/corpora/nltk-mix.txt`` once and caches it in ``$TMPDIR/wordnet_lm_bench``.
"""

from __future__ import annotations

import argparse
import datetime
import logging
import os
import platform
import statistics
import sys
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wordnet_lm.vectors import KeyedVectors, evaluate_word_analogies, evaluate_word_pairs  # noqa: E402

SHARED = Path(__file__).resolve().parents[2] / "shared"
CACHE = Path(tempfile.gettempdir()) / "wordnet_lm_bench"


def default_vectors() -> Path:
    path = CACHE / "cbow-nltk-mix.txt"
    if not path.exists():
        from gensim.models import Word2Vec
        from gensim.models.word2vec import LineSentence

        print("training gensim CBOW on nltk-mix (once, ~1 min)...", file=sys.stderr)
        model = Word2Vec(LineSentence(str(SHARED / "corpora" / "nltk-mix.txt")), vector_size=100, window=5,
                         min_count=5, sg=0, epochs=5, workers=2, seed=1)
        CACHE.mkdir(parents=True, exist_ok=True)
        model.wv.save_word2vec_format(str(path))
    return path


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def interleaved(ours, theirs, repeats):
    """Run both ``repeats`` times alternately; return (median ours s, median gensim s, last results)."""
    t_ours, t_theirs = [], []
    for _ in range(repeats):
        t, r_ours = timed(ours)
        t_ours.append(t)
        t, r_theirs = timed(theirs)
        t_theirs.append(t)
    return statistics.median(t_ours), statistics.median(t_theirs), r_ours, r_theirs


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--vectors", type=Path)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--restrict-vocab", type=int, default=30_000)
    args = parser.parse_args()
    import gensim
    from gensim.models import KeyedVectors as GensimKV

    logging.disable(logging.INFO)
    warnings.simplefilter("ignore", DeprecationWarning)
    text = args.vectors or default_vectors()
    binary = CACHE / (text.stem + ".bin")
    KeyedVectors.load(text).save(binary, "word2vec-binary")
    questions = SHARED / "eval" / "questions-words.txt"
    wordsim = SHARED / "eval" / "wordsim353.tsv"
    rows = []

    def row(task, t_ours, t_theirs, agree):
        rows.append((task, t_ours, t_theirs, t_theirs / t_ours, agree))

    t1, t2, kv, g = interleaved(lambda: KeyedVectors.load(text), lambda: GensimKV.load_word2vec_format(str(text)),
                                args.repeats)
    row(f"load word2vec text ({len(kv):,} x {kv.vector_size})", t1, t2,
        kv.index_to_key == g.index_to_key and np.array_equal(kv.vectors, g.vectors))
    t1, t2, kvb, gb = interleaved(lambda: KeyedVectors.load(binary),
                                  lambda: GensimKV.load_word2vec_format(str(binary), binary=True), args.repeats)
    row("load word2vec binary", t1, t2, np.array_equal(kvb.vectors, gb.vectors))

    restrict = args.restrict_vocab
    t1, t2, ours, theirs = interleaved(
        lambda: evaluate_word_analogies(kv, questions, restrict),
        lambda: g.evaluate_word_analogies(str(questions), restrict), 1)
    same = ours.gensim_sections() == theirs[1]
    row(f"analogies 3CosAdd, restrict {restrict:,}", t1, t2, same)
    t_mul, mul = timed(lambda: evaluate_word_analogies(kv, questions, restrict, method="cosmul"))
    rows.append((f"analogies 3CosMul, restrict {restrict:,}", t_mul, float("nan"), float("nan"), "(gensim: none)"))

    t1, t2, sim, gsim = interleaved(lambda: evaluate_word_pairs(kv, wordsim),
                                    lambda: g.evaluate_word_pairs(str(wordsim)), args.repeats)
    row("WordSim-353 Spearman", t1, t2, abs(sim.spearman - gsim[1].statistic) < 1e-6)

    rng = np.random.default_rng(0)
    probes = [kv.index_to_key[i] for i in rng.integers(0, 10_000, 200)]
    t1, t2, a, b = interleaved(lambda: [kv.most_similar(w, topn=10) for w in probes],
                               lambda: [g.most_similar(w, topn=10) for w in probes], args.repeats)
    row("200 most_similar queries", t1, t2, [[w for w, _ in r] for r in a] == [[w for w, _ in r] for r in b])

    print(f"# wordnet_lm.vectors vs gensim {gensim.__version__} -- {datetime.date.today()}, nproc {os.cpu_count()}, "
          f"numpy {np.__version__}, python {platform.python_version()}, load {os.getloadavg()[0]:.1f}")
    print(f"vectors: {text}")
    total = ours.total
    print(f"analogies: {total.correct:,}/{total.attempted:,} = {100 * ours.accuracy:.2f}% (gensim "
          f"{100 * theirs[0]:.2f}%), semantic {100 * ours.semantic.accuracy:.2f}%, syntactic "
          f"{100 * ours.syntactic.accuracy:.2f}%, 3CosMul {100 * mul.accuracy:.2f}%, coverage {100 * ours.coverage:.1f}%")
    print(f"WordSim-353: rho {sim.spearman:.4f} (gensim {gsim[1].statistic:.4f}), {sim.n_oov} OOV pairs\n")
    print("| task | ours s | gensim s | gensim/ours | same result |")
    print("|---|---|---|---|---|")
    for task, t_ours, t_theirs, ratio, agree in rows:
        theirs_s = "-" if np.isnan(t_theirs) else f"{t_theirs:.3f}"
        ratio_s = "-" if np.isnan(ratio) else f"{ratio:.1f}x"
        print(f"| {task} | {t_ours:.3f} | {theirs_s} | {ratio_s} | {agree} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
