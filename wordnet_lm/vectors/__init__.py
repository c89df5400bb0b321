"""Word vectors: a gensim-like :class:`KeyedVectors`, file formats, evaluation and pictures."""

from wordnet_lm.vectors.evaluate import (
    AnalogyResult,
    SimilarityResult,
    evaluate_word_analogies,
    evaluate_word_pairs,
    read_analogies,
    read_word_pairs,
)
from wordnet_lm.vectors.formats import FORMATS, detect_format, read_vectors, write_vectors
from wordnet_lm.vectors.keyed import KeyedVectors

__all__ = [
    "FORMATS",
    "AnalogyResult",
    "KeyedVectors",
    "SimilarityResult",
    "detect_format",
    "evaluate_word_analogies",
    "evaluate_word_pairs",
    "read_analogies",
    "read_vectors",
    "read_word_pairs",
    "write_vectors",
]
