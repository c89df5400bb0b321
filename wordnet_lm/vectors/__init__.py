"""Word vectors: a gensim-like :class:`KeyedVectors`, file formats, evaluation and pictures."""

from wordnet_lm.vectors.analogies import (
    AnalogyResult,
    evaluate_word_analogies,
    read_analogies,
)
from wordnet_lm.vectors.formats import (
    FORMATS,
    detect_format,
    read_vectors,
    write_vectors,
)
from wordnet_lm.vectors.keyed import KeyedVectors
from wordnet_lm.vectors.similarity import (
    SimilarityResult,
    evaluate_word_pairs,
    read_word_pairs,
)

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
