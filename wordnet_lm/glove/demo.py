"""GloVe vectors of the built-in demo corpus, trained once and cached.

The vector commands (``analogy``, ``neighbors``, ``similarity``, ``evaluate``, ``plot``) use
them when no ``--vectors`` file is given, so every command works out of the box.  Training
takes a few seconds; the result is cached as ``.npz`` under :func:`wordnet_lm.text.demo.cache_root`.
"""

from __future__ import annotations

from pathlib import Path

from wordnet_lm import __version__
from wordnet_lm.errors import WordnetLMError
from wordnet_lm.glove.cooccur import count_cooccurrences
from wordnet_lm.glove.train import GloVe
from wordnet_lm.io import fingerprint
from wordnet_lm.text.demo import cache_root, demo_paths
from wordnet_lm.vectors.keyed import KeyedVectors


def _demo_model() -> GloVe:
    """The defaults (``wordnet-lm glove``): about 37% on the demo analogy set, rho 0.79."""
    return GloVe(seed=0)


def demo_vectors_path() -> Path:
    """Where the demo vectors are cached (named by version, settings and the corpus's content)."""
    model = _demo_model()  # keyed by what the settings resolve to, not only by how they are written
    key = fingerprint(demo_paths()["train"].read_bytes(), repr(model).encode(), repr(model.resolved_bias_lr()).encode())
    return cache_root() / f"demo-glove-{__version__}-{key[:12]}.npz"


def demo_vectors(path: Path | None = None) -> KeyedVectors:
    """GloVe vectors of the demo corpus: read from the cache ``path`` (default
    :func:`demo_vectors_path`), or trained and cached there."""
    path = demo_vectors_path() if path is None else path
    if path.is_file():
        try:
            return KeyedVectors.load(path, "npz")
        except WordnetLMError:
            pass  # a damaged cache file: train again and replace it
    cooccurrences, vocab = count_cooccurrences(demo_paths()["train"])
    vectors = _demo_model().fit(cooccurrences).to_keyed_vectors(vocab)
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        vectors.save(path, "npz")
    except OSError:
        pass  # no writable cache: train again next time
    return vectors
