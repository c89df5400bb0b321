"""Tiny corpora and models shared by the neural LM tests (helpers; fixtures in conftest.py)."""

from __future__ import annotations

import numpy as np
from wordnet_lm.nplm import NPLM, TrainConfig
from wordnet_lm.text.vocab import Corpus, Vocab


def corpus_from(sentences: list[list[str]], vocab: Vocab) -> Corpus:
    return vocab.encode(sentences)


def pattern_sentences(n: int = 60, seed: int = 0) -> list[list[str]]:
    """Sentences with learnable structure: 'the cat sat on the mat' style cycles plus noise."""
    rng = np.random.default_rng(seed)
    templates = [["the", "cat", "sat", "on", "the", "mat"], ["a", "dog", "ran", "to", "the", "park"],
                 ["the", "bird", "sang", "in", "a", "tree"]]
    out = []
    for _ in range(n):
        s = list(templates[rng.integers(len(templates))])
        if rng.random() < 0.3:
            s.append(["today", "again", "slowly"][rng.integers(3)])
        out.append(s)
    return out


def tiny_data_triple():
    """(train, valid, vocab) with a few dozen sentences."""
    train_sents = pattern_sentences(60, seed=0)
    vocab = Vocab.build(train_sents)
    valid_sents = pattern_sentences(15, seed=1) + [["the", "zebra", "sat"]]  # 'zebra' -> <unk>
    return vocab.encode(train_sents), vocab.encode(valid_sents), vocab


def small_model(**kw) -> NPLM:
    opts = dict(order=3, embed_dim=6, hidden=8, direct=False, dropout=0.0, seed=0)
    opts.update(kw)
    return NPLM(**opts)


def small_config(**kw) -> TrainConfig:
    opts = dict(lr=0.02, batch_size=16, max_epochs=3)
    opts.update(kw)
    return TrainConfig(**opts)
