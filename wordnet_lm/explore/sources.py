"""Where the explorer's vectors come from: a vectors file, a neural LM's embeddings, or the demo."""

from __future__ import annotations

import os
import sys

from wordnet_lm.vectors.keyed import KeyedVectors


def model_vectors(path: str | os.PathLike) -> KeyedVectors:
    """The embedding table of a neural LM file (``wordnet-lm train-lm``), ``<unk>``, ``<s>``,
    ``</s>`` left out, with the training counts (so the map can colour by frequency)."""
    from wordnet_lm.nplm import NPLM

    model = NPLM.load(path)
    return KeyedVectors.from_vocab(model.vocab_, model.params_["embed.C"])


def load_vectors(vectors: str | os.PathLike | None = None, model: str | os.PathLike | None = None,
                 format: str = "auto") -> tuple[KeyedVectors, str]:
    """``(vectors, description)`` from a vectors file, a model file, or (neither) the demo GloVe vectors."""
    if model is not None:
        return model_vectors(model), f"embeddings of {model}"
    if vectors is not None:
        return KeyedVectors.load(vectors, format), str(vectors)
    from wordnet_lm.glove.demo import demo_vectors, demo_vectors_path

    path = demo_vectors_path()
    if not path.is_file():
        print("no --vectors given: training GloVe vectors of the demo corpus (once, a few seconds)", file=sys.stderr)
    return demo_vectors(path), "demo GloVe vectors"
