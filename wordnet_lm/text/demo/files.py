"""The demo files: their contents for a seed, written atomically into a directory."""

from __future__ import annotations

import os
from pathlib import Path

from wordnet_lm.io import atomic_write
from wordnet_lm.text.demo.choices import SEED, Rng
from wordnet_lm.text.demo.evalsets import analogy_lines, similarity_rows
from wordnet_lm.text.demo.sentences import generate_sentences

SPLIT_SENTENCES = {"train": 24_000, "valid": 2_500, "test": 2_500}
DEMO_FILES = ("train.txt", "valid.txt", "test.txt", "analogies.txt", "similarity.tsv")


def demo_texts(seed: int = SEED) -> dict[str, str]:
    """The content of every demo file, by file name."""
    rng = Rng(seed)
    texts = {}
    for split, n in SPLIT_SENTENCES.items():
        texts[f"{split}.txt"] = "".join(" ".join(s) + "\n" for s in generate_sentences(n, rng))
    texts["analogies.txt"] = "\n".join(analogy_lines()) + "\n"
    texts["similarity.tsv"] = "# demo word similarity: 10 x Jaccard overlap of hidden attributes\n" + \
        "# Word 1\tWord 2\tScore\n" + "".join(f"{a}\t{b}\t{s:.2f}\n" for a, b, s in similarity_rows())
    return texts


def write_demo_corpus(directory: str | os.PathLike, seed: int = SEED) -> dict[str, Path]:
    """Write the demo files into ``directory`` (atomically); return their paths by stem."""
    directory = Path(directory)
    paths = {}
    for name, text in demo_texts(seed).items():
        path = directory / name
        with atomic_write(path, "w", encoding="utf-8") as f:
            f.write(text)
        paths[name.split(".")[0]] = path
    return paths

