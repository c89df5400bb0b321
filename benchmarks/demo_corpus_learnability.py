#!/usr/bin/env python3
"""Is the demo corpus's structure learnable beyond a 3-gram?  Peer check with PyTorch.

Trains on ``corpora/demo/train.txt`` and reports test perplexity of
  * interpolated Kneser-Ney 3-gram and 5-gram (a compact reference implementation here,
    absolute discount 0.75, every order interpolated, ``</s>`` predicted, ``<s>`` context only);
  * a Bengio-style NPLM in PyTorch (n-1 context words, tied embedding lookup, tanh hidden
    layer, full softmax; Adam, a few epochs, best valid epoch kept).
The demo promises: NPLM < KN-3 on held-out text.  Perplexity counts every token plus one
``</s>`` per sentence.  Then, for the embedding side, gensim word2vec (peer) on the same text:
accuracy per section of ``analogies.txt`` (3CosAdd) and Spearman rho on ``similarity.tsv``.
Prints tables plus nproc, versions and the date.

usage: python benchmarks/demo_corpus_learnability.py [--epochs 6] [--context 5] [--skip-nplm]
"""

from __future__ import annotations

import argparse
import datetime
import math
import os
import platform
import sys
import time
from collections import Counter, defaultdict
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))
from wordnet_lm.text import demo_paths, read_sentences  # noqa: E402

BOS, EOS = "<s>", "</s>"


# ---------------------------------------------------------------- interpolated Kneser-Ney
class KneserNey:
    """Interpolated Kneser-Ney with one absolute discount, continuation counts below the top order."""

    def __init__(self, order: int, discount: float = 0.75) -> None:
        self.order, self.d = order, discount

    def fit(self, sentences: list[list[str]]) -> "KneserNey":
        n = self.order
        self.counts = [Counter() for _ in range(n + 1)]  # counts[k][ngram of length k]
        for s in sentences:
            padded = [BOS] * (n - 1) + s + [EOS]
            for k in range(1, n + 1):
                for i in range(max(n - 1 - (k - 1), 0), len(padded) - k + 1):
                    if i + k - 1 >= n - 1:  # the predicted word is a real word or </s>
                        self.counts[k][tuple(padded[i:i + k])] += 1
        # lower orders use continuation counts: number of distinct left extensions
        self.cont = [Counter() for _ in range(n + 1)]
        for k in range(2, n + 1):
            for gram in self.counts[k]:
                self.cont[k - 1][gram[1:]] += 1
        self.cont[n] = self.counts[n]
        self.context_total = [defaultdict(int) for _ in range(n + 1)]
        self.context_types = [defaultdict(int) for _ in range(n + 1)]
        for k in range(1, n + 1):
            table = self.cont[k]
            for gram, c in table.items():
                self.context_total[k][gram[:-1]] += c
                self.context_types[k][gram[:-1]] += 1
        self.vocab = {g[0] for g in self.counts[1]}
        return self

    def prob(self, context: tuple, word: str) -> float:
        p = 1.0 / (len(self.vocab) + 1)  # uniform base (+1: unknown)
        for k in range(1, self.order + 1):
            ctx = context[len(context) - (k - 1):] if k > 1 else ()
            total = self.context_total[k].get(ctx, 0)
            if total == 0:
                continue
            c = self.cont[k].get(ctx + (word,), 0)
            p = max(c - self.d, 0) / total + self.d * self.context_types[k][ctx] / total * p
        return p

    def perplexity(self, sentences: list[list[str]]) -> float:
        log_sum, n = 0.0, 0
        for s in sentences:
            padded = [BOS] * (self.order - 1) + s + [EOS]
            for i in range(self.order - 1, len(padded)):
                log_sum -= math.log(self.prob(tuple(padded[i - self.order + 1:i]), padded[i]))
                n += 1
        return math.exp(log_sum / n)


# ---------------------------------------------------------------- NPLM in PyTorch (peer)
def windows(sentences, index, context):
    rows = []
    for s in sentences:
        ids = [index[BOS]] * context + [index.get(w, index["<unk>"]) for w in s] + [index[EOS]]
        for i in range(context, len(ids)):
            rows.append(ids[i - context:i + 1])
    return np.asarray(rows, np.int64)


def nplm_perplexity(train, valid, test, context, epochs, dim=48, hidden=128, batch=256, seed=0):
    import torch

    torch.manual_seed(seed)
    torch.set_num_threads(2)
    words = sorted({w for s in train for w in s})
    index = {w: i for i, w in enumerate(["<unk>", BOS, EOS] + words)}
    data = {name: torch.from_numpy(windows(s, index, context)) for name, s in
            (("train", train), ("valid", valid), ("test", test))}
    model = torch.nn.Sequential(
        torch.nn.Embedding(len(index), dim), torch.nn.Flatten(),
        torch.nn.Linear(context * dim, hidden), torch.nn.Tanh(), torch.nn.Linear(hidden, len(index)))
    optimiser = torch.optim.Adam(model.parameters(), lr=2e-3)

    def evaluate(rows):
        with torch.no_grad():
            loss = sum(torch.nn.functional.cross_entropy(model(rows[i:i + 4096, :-1]), rows[i:i + 4096, -1],
                                                         reduction="sum").item()
                       for i in range(0, len(rows), 4096))
        return math.exp(loss / len(rows))

    best = (float("inf"), None)
    for _ in range(epochs):
        order = torch.randperm(len(data["train"]))
        for i in range(0, len(order), batch):
            rows = data["train"][order[i:i + batch]]
            loss = torch.nn.functional.cross_entropy(model(rows[:, :-1]), rows[:, -1])
            optimiser.zero_grad()
            loss.backward()
            optimiser.step()
        valid_ppl = evaluate(data["valid"])
        if valid_ppl < best[0]:
            best = (valid_ppl, evaluate(data["test"]))
    return best


def word2vec_table(train, paths) -> None:
    """Analogy and similarity scores of gensim word2vec on the demo (the embedding ceiling)."""
    try:
        from gensim.models import Word2Vec
    except ImportError:
        print("(gensim not installed: no word2vec reference)")
        return
    import gensim

    print(f"\n# word2vec (gensim {gensim.__version__}) on demo train: dim 50, window 5, 15 epochs, min_count 1")
    results = {}
    for name, sg in (("CBOW", 0), ("skip-gram", 1)):
        model = Word2Vec(train, vector_size=50, window=5, min_count=1, sg=sg, epochs=15, workers=1, seed=1)
        total, sections = model.wv.evaluate_word_analogies(str(paths["analogies"]), restrict_vocab=100_000)
        rho = model.wv.evaluate_word_pairs(str(paths["similarity"]))[1].statistic
        results[name] = ({s["section"]: len(s["correct"]) / max(1, len(s["correct"]) + len(s["incorrect"]))
                          for s in sections}, rho)
    names = list(results)
    print("| section | " + " | ".join(names) + " |\n|---|" + "---|" * len(names))
    for section in results[names[0]][0]:
        print(f"| {section} | " + " | ".join(f"{100 * results[n][0][section]:.1f}%" for n in names) + " |")
    print("| similarity.tsv Spearman rho | " + " | ".join(f"{results[n][1]:.3f}" for n in names) + " |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--epochs", type=int, default=6)
    parser.add_argument("--context", type=int, default=5)
    parser.add_argument("--skip-nplm", action="store_true", help="n-gram and word2vec parts only")
    args = parser.parse_args()
    paths = demo_paths()
    train, valid, test = (list(read_sentences(paths[k])) for k in ("train", "valid", "test"))
    rows = []
    for order in (3, 5):
        t = time.perf_counter()
        lm = KneserNey(order).fit(train)
        rows.append((f"interpolated KN {order}-gram", lm.perplexity(valid), lm.perplexity(test),
                     time.perf_counter() - t))
    if not args.skip_nplm:
        t = time.perf_counter()
        valid_ppl, test_ppl = nplm_perplexity(train, valid, test, args.context, args.epochs)
        rows.append((f"NPLM (PyTorch) context {args.context}, {args.epochs} epochs", valid_ppl, test_ppl,
                     time.perf_counter() - t))
    try:
        import torch
        torch_version = torch.__version__
    except ImportError:
        torch_version = "absent"

    print(f"# demo corpus learnability  {datetime.date.today()}  nproc={os.cpu_count()}  "
          f"python {platform.python_version()}  numpy {np.__version__}  torch {torch_version}")
    print(f"train {sum(map(len, train)):,} tokens, valid {sum(map(len, valid)):,}, test {sum(map(len, test)):,}")
    print("| model | valid ppl | test ppl | seconds |\n|---|---|---|---|")
    for name, v, t_ppl, secs in rows:
        print(f"| {name} | {v:.3f} | {t_ppl:.3f} | {secs:.1f} |")
    if not args.skip_nplm:
        kn3, nplm = rows[0][2], rows[-1][2]
        print(f"NPLM / KN-3 test perplexity ratio: {nplm / kn3:.3f} ({'met' if nplm < kn3 else 'MISSED'}: "
              f"target NPLM < KN-3)")
    word2vec_table(train, paths)


if __name__ == "__main__":
    main()
