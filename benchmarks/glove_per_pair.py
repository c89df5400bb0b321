"""Per-pair GloVe (Stanford's ``glove.c`` loop, compiled from ``glove_per_pair.c``) against
wordnet_lm's mini-batch trainer on the same co-occurrence matrix.

Counts co-occurrences with wordnet_lm (Stanford's conventions), shuffles the nonzeros once
(``glove.c`` also visits them in one fixed shuffled order), trains with the C loop (one
thread, double precision, per-pair AdaGrad, gradient clipping at 100; the biases' step as in
the current ``glove.c``, not scaled by eta, or with ``--bias-rule 1.2`` as in glove.c 1.2)
and evaluates W+W~, W and W~ as ``glove_nltk_mix.py`` does.  Needs a C compiler (``cc``).  The nltk-mix run with
Stanford's settings takes about 45 CPU-s per epoch.

    python benchmarks/glove_per_pair.py [--corpus PATH] [--window 10] [--x-max 100] [--epochs 25]
                                        [--seed 0] [--bias-rule current|1.2]
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wordnet_lm.glove import count_cooccurrences  # noqa: E402
from wordnet_lm.vectors import KeyedVectors, evaluate_word_analogies, evaluate_word_pairs, read_analogies  # noqa: E402

HERE = Path(__file__).resolve().parent
SHARED = HERE.parents[1] / "shared"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", default=str(SHARED / "corpora" / "nltk-mix.txt"))
    parser.add_argument("--analogies", default=str(SHARED / "eval" / "questions-words.txt"))
    parser.add_argument("--similarity", default=str(SHARED / "eval" / "wordsim353.tsv"))
    parser.add_argument("--window", type=int, default=10)
    parser.add_argument("--dim", type=int, default=100)
    parser.add_argument("--x-max", type=float, default=100.0)
    parser.add_argument("--alpha", type=float, default=0.75)
    parser.add_argument("--lr", type=float, default=0.05)
    parser.add_argument("--epochs", type=int, default=25)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--bias-rule", choices=("current", "1.2"), default="current",
                        help="current glove.c (bias step not scaled by eta; default) or glove.c 1.2 (scaled)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        binary = Path(tmp) / "glove_per_pair"
        subprocess.run(["cc", "-O3", "-o", str(binary), str(HERE / "glove_per_pair.c"), "-lm"], check=True)
        matrix, vocab = count_cooccurrences(args.corpus, min_count=5, window=args.window)
        coo = matrix.tocoo()
        order = np.random.default_rng(args.seed).permutation(coo.nnz)
        prefix = str(Path(tmp) / "pairs")
        coo.row[order].astype(np.int32).tofile(prefix + ".rows")
        coo.col[order].astype(np.int32).tofile(prefix + ".cols")
        coo.data[order].astype(np.float64).tofile(prefix + ".vals")
        start = time.perf_counter()
        subprocess.run([str(binary), prefix, str(matrix.shape[0]), str(coo.nnz), str(args.dim), str(args.epochs),
                        str(args.x_max), str(args.alpha), str(args.lr), str(args.seed),
                        "1" if args.bias_rule == "1.2" else "0"], check=True)
        wall = time.perf_counter() - start
        W = np.fromfile(prefix + ".W").reshape(matrix.shape[0], args.dim)
        W_tilde = np.fromfile(prefix + ".Wt").reshape(matrix.shape[0], args.dim)
    questions = read_analogies(args.analogies)
    print(f"{args.corpus}: {coo.nnz:,} nonzeros (window {args.window}); x_max {args.x_max:g}, {args.epochs} epochs, "
          f"seed {args.seed}: {wall:.0f} s wall ({wall / max(args.epochs, 1):.1f} per epoch)\n")
    print("| vectors | analogy % | similarity rho |")
    print("|---|---|---|")
    for name, vectors in (("W+W~", W + W_tilde), ("W", W), ("W~", W_tilde)):
        kv = KeyedVectors.from_vocab(vocab, vectors.astype(np.float32))
        accuracy = evaluate_word_analogies(kv, questions, restrict_vocab=30000).accuracy
        rho = evaluate_word_pairs(kv, args.similarity).spearman
        print(f"| {name} | {100 * accuracy:.2f} | {rho:.3f} |")


if __name__ == "__main__":
    main()
