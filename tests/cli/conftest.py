"""Small files every CLI test can use: a corpus, a neural LM, an ARPA file, a vectors file."""

from __future__ import annotations

import hashlib
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from wordnet_lm.cli import main
from wordnet_lm.vectors import KeyedVectors

SENTENCES = ["the cat sat on the mat", "a dog ran to the park", "the bird sang in a tree",
             "the dog sat on a mat", "a cat ran to the tree"]
TINY_NPLM = ["--order", "3", "--embed-dim", "4", "--hidden", "6", "--batch-size", "16", "--epochs", "1", "-q"]


@pytest.fixture(scope="session")
def files(tmp_path_factory) -> SimpleNamespace:
    """Paths of small input files, made once per test session."""
    root = tmp_path_factory.mktemp("cli-files")
    rng = np.random.default_rng(0)
    lines = [SENTENCES[i] for i in rng.integers(len(SENTENCES), size=120)]
    (root / "train.txt").write_text("\n".join(lines[:100]) + "\n", encoding="utf-8")
    (root / "valid.txt").write_text("\n".join(lines[100:]) + "\n", encoding="utf-8")
    assert main(["train-lm", "--train", str(root / "train.txt"), "--out", str(root / "lm.npz"), *TINY_NPLM]) == 0
    assert main(["ngram", "--train", str(root / "train.txt"), "--order", "2", "--arpa", str(root / "lm.arpa")]) == 0
    words = sorted({w for line in SENTENCES for w in line.split()})
    KeyedVectors(words, rng.normal(size=(len(words), 5))).save(root / "vectors.txt")
    (root / "notes.txt").write_text("my notes: not a model, not vectors\n", encoding="utf-8")
    return SimpleNamespace(root=root, train=root / "train.txt", valid=root / "valid.txt", model=root / "lm.npz",
                           arpa=root / "lm.arpa", vectors=root / "vectors.txt", notes=root / "notes.txt")


def digest(path: Path) -> str:
    """A file's content hash, to check that a refused command left it untouched."""
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()
