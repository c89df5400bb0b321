#!/usr/bin/env python3
"""Read + encode throughput on ``nltk-mix.txt`` (3.85M tokens): this package vs naive Python.

Methods, run interleaved (round-robin, ``--repeats`` rounds, medians reported) because the
machine is shared and timings drift; both CPU seconds of this process (less sensitive to other
processes) and wall seconds are reported:

  naive       per-line ``for`` loop with ``str.split`` (GC on), then the original
              ``Vocab.encode`` (a generator of ``dict.get`` per token); "building the vocab":
              first the original ``Vocab.build`` (a Python ``dict`` count per token)
  ours/vocab  ``load_corpus(path, vocab=vocab)``: batched ``map(str.split)`` with the cyclic GC
              paused, ``map(dict.__getitem__)`` into ``np.fromiter`` (``__missing__`` -> <unk>)
  ours/build  ``load_corpus(path)``: the same read plus building the vocabulary in the same pass
  read only   ``read_sentence_batches`` alone
  np.unique   tokens as an object array, ``np.unique(return_inverse=True)``, map the uniques:
              the sort-based alternative (run once; slower, so not used)

usage: python benchmarks/text_read_encode.py [path] [--repeats 5] [--skip-unique]
"""

from __future__ import annotations

import argparse
import datetime
import os
import platform
import statistics
import sys
import time
from itertools import chain
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
from wordnet_lm.text import load_corpus, read_sentence_batches  # noqa: E402
from wordnet_lm.text.vocab import UNK_ID, Corpus, Vocab  # noqa: E402

DEFAULT = REPO.parent / "shared" / "corpora" / "nltk-mix.txt"


def naive(path: Path, vocab: Vocab) -> Corpus:
    sentences = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            tokens = line.split()
            if tokens:
                sentences.append(tokens)
    get = vocab.index.get
    ids: list[int] = []
    offsets = [0]
    for sentence in sentences:
        ids.extend(get(w, UNK_ID) for w in sentence)
        offsets.append(len(ids))
    return Corpus(np.asarray(ids, np.int32), np.asarray(offsets, np.int64))


def naive_build(path: Path) -> Corpus:
    """The first version's Vocab.build (a dict count per token, sorted tuples), then naive()."""
    counts: dict[str, int] = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            for w in line.split():
                counts[w] = counts.get(w, 0) + 1
    order = sorted(((c, i, w) for i, (w, c) in enumerate(counts.items())), key=lambda t: (-t[0], t[1]))
    vocab = Vocab([w for _, _, w in order], [0, 0, 0] + [c for c, _, _ in order])
    return naive(path, vocab)


def with_unique(path: Path, vocab: Vocab) -> Corpus:
    batches = [s for b in read_sentence_batches(path) for s in b]
    lengths = np.fromiter(map(len, batches), np.int64, count=len(batches))
    tokens = np.array(list(chain.from_iterable(batches)), dtype=object)
    uniques, inverse = np.unique(tokens, return_inverse=True)
    ids = vocab.lookup(uniques.tolist())[inverse]
    return Corpus(ids.astype(np.int32), np.concatenate([[0], np.cumsum(lengths)]))


def read_only(path: Path, vocab: Vocab) -> int:
    return sum(sum(map(len, b)) for b in read_sentence_batches(path))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("path", nargs="?", type=Path, default=DEFAULT)
    parser.add_argument("--repeats", type=int, default=5)
    parser.add_argument("--skip-unique", action="store_true")
    args = parser.parse_args()

    corpus, vocab = load_corpus(args.path)
    n = corpus.n_tokens
    methods = {
        "naive (per-line loop + dict.get generator)": lambda: naive(args.path, vocab),
        "ours: load_corpus(vocab=...)": lambda: load_corpus(args.path, vocab=vocab)[0],
        "naive, building the vocab first (one more pass)": lambda: naive_build(args.path),
        "ours: load_corpus() building the vocab": lambda: load_corpus(args.path)[0],
        "read_sentence_batches only": lambda: read_only(args.path, vocab),
    }
    times: dict[str, list[tuple[float, float]]] = {name: [] for name in methods}
    results = {}
    for _ in range(args.repeats):
        for name, run in methods.items():
            cpu, wall = time.process_time(), time.perf_counter()
            results[name] = run()
            times[name].append((time.process_time() - cpu, time.perf_counter() - wall))
    for name, result in results.items():  # every method gives the same ids
        if isinstance(result, Corpus):
            assert np.array_equal(result.ids, corpus.ids) and np.array_equal(result.offsets, corpus.offsets), name
    if not args.skip_unique:
        cpu, wall = time.process_time(), time.perf_counter()
        result = with_unique(args.path, vocab)
        times["np.unique on an object array (once)"] = [(time.process_time() - cpu, time.perf_counter() - wall)]
        assert np.array_equal(result.ids, corpus.ids)

    print(f"# read + encode  {datetime.date.today()}  nproc={os.cpu_count()}  python {platform.python_version()}  "
          f"numpy {np.__version__}  load avg {os.getloadavg()[0]:.1f}")
    print(f"{args.path.name}: {n:,} tokens, {corpus.n_sentences:,} sentences, {len(vocab):,} vocabulary entries; "
          f"median of {args.repeats} interleaved rounds")
    print("| method | CPU s | wall s | M tokens/CPU-s | speed-up vs naive (CPU) |\n|---|---|---|---|---|")
    naive_times = {name: statistics.median(t[0] for t in ts) for name, ts in times.items() if "naive" in name}
    for name, ts in times.items():
        base = naive_times["naive, building the vocab first (one more pass)" if "build" in name else
                           "naive (per-line loop + dict.get generator)"]
        cpu, wall = statistics.median(t[0] for t in ts), statistics.median(t[1] for t in ts)
        print(f"| {name} | {cpu:.2f} | {wall:.2f} | {n / cpu / 1e6:.2f} | {base / cpu:.2f}x |")


if __name__ == "__main__":
    main()
