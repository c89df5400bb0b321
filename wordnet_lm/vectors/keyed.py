"""KeyedVectors: words and their vectors, queried like gensim's ``KeyedVectors``.

Rows keep the order they were given in; vectors from a :class:`~wordnet_lm.text.Vocab` come in
frequency order, which is what ``restrict_vocab=N`` ("the N most frequent words") relies on.
Similarities are cosines computed on a cached unit-length copy of the vectors (zero vectors
stay zero, so their cosine with anything is 0).
"""

from __future__ import annotations

import os
from typing import Iterable, Sequence, Union

import numpy as np

from wordnet_lm.errors import UnknownWordError, WordnetLMError
from wordnet_lm.vectors import formats

Term = Union[str, np.ndarray]
Terms = Union[Term, Sequence[Term], None]

COSMUL_EPSILON = 1e-6  # Levy & Goldberg's epsilon, as in gensim


class KeyedVectors:
    """A word -> vector table.

    Parameters
    ----------
    words : sequence of str
        Distinct words, one per row of ``vectors`` (most frequent first, by convention).
    vectors : array-like, shape (len(words), dim)
        Stored as C-contiguous float32.
    counts : array-like of int, optional
        Corpus counts of the words (kept and saved by the ``npz`` format only).

    Notes
    -----
    ``vectors`` is meant to be read-only; after changing it in place call ``fill_norms(force=True)``.
    """

    def __init__(self, words: Sequence[str], vectors: np.ndarray, counts: Sequence[int] | None = None) -> None:
        self.index_to_key: list[str] = list(words)
        self.vectors: np.ndarray = np.ascontiguousarray(vectors, dtype=np.float32)
        if self.vectors.ndim != 2 or len(self.vectors) != len(self.index_to_key):
            raise WordnetLMError(
                f"need one vector per word: {len(self.index_to_key)} words, vectors of shape {self.vectors.shape}"
            )
        self.key_to_index: dict[str, int] = {w: i for i, w in enumerate(self.index_to_key)}
        if len(self.key_to_index) != len(self.index_to_key):
            raise WordnetLMError("repeated words: every word needs exactly one vector")
        self.counts = None if counts is None else np.asarray(counts, np.int64)
        if self.counts is not None and self.counts.shape != (len(self.index_to_key),):
            raise WordnetLMError("need one count per word")
        self._normed: np.ndarray | None = None
        self._folded: dict[str, int] | None = None

    # ------------------------------------------------------------------ construction, files
    @classmethod
    def from_vocab(cls, vocab, vectors: np.ndarray, keep_specials: bool = False) -> "KeyedVectors":
        """Vectors whose rows follow a :class:`~wordnet_lm.text.Vocab`'s ids.

        ``<unk>``, ``<s>``, ``</s>`` (rows 0-2) are dropped unless ``keep_specials``, so that
        row order is the words' frequency order.
        """
        start = 0 if keep_specials else 3
        if len(vectors) != len(vocab):
            raise WordnetLMError(f"need one vector per vocabulary entry: {len(vocab)} entries, {len(vectors)} vectors")
        return cls(vocab.words[start:], np.asarray(vectors)[start:], vocab.counts[start:])

    @classmethod
    def load(cls, path: str | os.PathLike, format: str = "auto") -> "KeyedVectors":
        """Read vectors in any supported format (see :mod:`wordnet_lm.vectors.formats`);
        ``format="auto"`` detects it from the content."""
        words, vectors, counts = formats.read_vectors(path, format)
        return cls(words, vectors, counts)

    def save(self, path: str | os.PathLike, format: str | None = None) -> None:
        """Write atomically; ``format`` defaults from the suffix (``.bin`` binary word2vec,
        ``.npz`` wordnet_lm, else word2vec text)."""
        formats.write_vectors(path, self.index_to_key, self.vectors, self.counts, format)

    @classmethod
    def load_word2vec_format(cls, path: str | os.PathLike, binary: bool = False) -> "KeyedVectors":
        """gensim-style alias of :meth:`load` for the word2vec formats."""
        return cls.load(path, "word2vec-binary" if binary else "word2vec")

    def save_word2vec_format(self, path: str | os.PathLike, binary: bool = False) -> None:
        """gensim-style alias of :meth:`save` for the word2vec formats."""
        self.save(path, "word2vec-binary" if binary else "word2vec")

    # ------------------------------------------------------------------ lookups
    def __len__(self) -> int:
        return len(self.index_to_key)

    def __contains__(self, word: object) -> bool:
        return word in self.key_to_index

    def __iter__(self):
        """The words, in row order."""
        return iter(self.index_to_key)

    def __getitem__(self, words: str | Sequence[str]) -> np.ndarray:
        """The vector of a word, or the matrix of a list of words."""
        if isinstance(words, str):
            return self.vectors[self.get_index(words)]
        return self.vectors[[self.get_index(w) for w in words]]

    def __repr__(self) -> str:
        return f"KeyedVectors({len(self)} words, {self.vector_size} dimensions)"

    @property
    def vector_size(self) -> int:
        return self.vectors.shape[1]

    def get_index(self, word: str) -> int:
        """Row of ``word``; :class:`UnknownWordError` if absent."""
        try:
            return self.key_to_index[word]
        except (KeyError, TypeError):
            raise UnknownWordError(self._unknown_message(word)) from None

    def get_vector(self, word: str, norm: bool = False) -> np.ndarray:
        """The vector of ``word`` (unit length if ``norm``)."""
        i = self.get_index(word)
        return self.normed_vectors[i] if norm else self.vectors[i]

    def resolve(self, word: str) -> str:
        """``word`` itself if present, else its most frequent case variant (``Paris`` -> ``paris``).

        Raises :class:`UnknownWordError` when neither exists.
        """
        if word in self.key_to_index:
            return word
        if self._folded is None:
            self._folded = {}
            for w in reversed(self.index_to_key):  # first (most frequent) variant wins
                self._folded[w.casefold()] = self.key_to_index[w]
        i = self._folded.get(word.casefold())
        if i is None:
            raise UnknownWordError(self._unknown_message(word))
        return self.index_to_key[i]

    def _unknown_message(self, word: object) -> str:
        return f"word {word!r} is not in the vectors' vocabulary ({len(self):,} words)"

    # ------------------------------------------------------------------ norms
    @property
    def normed_vectors(self) -> np.ndarray:
        """Unit-length rows (float32, cached; zero rows stay zero)."""
        if self._normed is None:
            self.fill_norms()
        return self._normed

    def get_normed_vectors(self) -> np.ndarray:
        """gensim-style alias of :attr:`normed_vectors`."""
        return self.normed_vectors

    @property
    def norms(self) -> np.ndarray:
        """Euclidean length of every vector."""
        return np.linalg.norm(self.vectors, axis=1)

    def fill_norms(self, force: bool = False) -> None:
        """(Re)compute the cached unit vectors."""
        if self._normed is None or force:
            self._normed = _unit_rows(self.vectors)

    # ------------------------------------------------------------------ similarity queries
    def most_similar(
        self, positive: Terms = None, negative: Terms = None, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | np.ndarray:
        """Words closest (cosine) to the mean of the unit vectors of ``positive`` minus ``negative``.

        Parameters
        ----------
        positive, negative : word, vector, or list of words/vectors
            ``most_similar(positive=["france", "london"], negative=["paris"])`` answers
            "paris is to france as london is to ?" (3CosAdd).
        topn : int or None
            Number of results; ``None`` returns the similarity to every word (an array).
        restrict_vocab : int, optional
            Only search the first ``restrict_vocab`` rows (the most frequent words).

        Returns
        -------
        list of (word, cosine), best first, the query words left out.
        """
        positive, negative = _as_terms(positive), _as_terms(negative)
        terms = [(t, 1.0) for t in positive] + [(t, -1.0) for t in negative]
        if not terms:
            raise WordnetLMError("most_similar needs at least one word or vector")
        rows, units = self._query_units(t for t, _ in terms)
        weights = np.array([w for _, w in terms], np.float32)
        query = _unit_rows((weights @ units)[None, :])[0]
        limit = self._limit(restrict_vocab)
        scores = _dot_rows(self.normed_vectors[:limit], query[None, :])[:, 0]
        return self._best(scores, rows, topn)

    def most_similar_cosmul(
        self, positive: Terms = None, negative: Terms = None, topn: int | None = 10, restrict_vocab: int | None = None
    ) -> list[tuple[str, float]] | np.ndarray:
        """3CosMul (Levy & Goldberg 2014): ``prod (1 + cos(w, p)) / 2`` over ``positive`` divided by
        ``prod (1 + cos(w, n)) / 2 + 1e-6`` over ``negative``.  Same arguments as :meth:`most_similar`
        (vectors given directly are normalised too)."""
        positive, negative = _as_terms(positive), _as_terms(negative)
        if not positive:
            raise WordnetLMError("most_similar_cosmul needs at least one positive word or vector")
        rows, units = self._query_units(positive + negative)
        limit = self._limit(restrict_vocab)
        shifted = (1.0 + _dot_rows(self.normed_vectors[:limit], units)) / 2.0
        numerator = np.prod(shifted[:, : len(positive)], axis=1)
        denominator = np.prod(shifted[:, len(positive):], axis=1) + COSMUL_EPSILON
        return self._best(numerator / denominator, rows, topn)

    def similar_by_word(self, word: str, topn: int | None = 10, restrict_vocab: int | None = None):
        """Nearest neighbours of ``word`` (itself left out)."""
        return self.most_similar(positive=[word], topn=topn, restrict_vocab=restrict_vocab)

    def similar_by_vector(self, vector: np.ndarray, topn: int | None = 10, restrict_vocab: int | None = None):
        """Words closest to a vector."""
        return self.most_similar(positive=[np.asarray(vector)], topn=topn, restrict_vocab=restrict_vocab)

    def similarity(self, word1: str, word2: str) -> float:
        """Cosine similarity of two words."""
        normed = self.normed_vectors
        return float(normed[self.get_index(word1)] @ normed[self.get_index(word2)])

    def n_similarity(self, words1: Sequence[str], words2: Sequence[str]) -> float:
        """Cosine between the means of two word sets (raw vectors averaged, as in gensim)."""
        if not len(words1) or not len(words2):
            raise WordnetLMError("n_similarity needs two non-empty word lists")
        means = np.stack([self[list(words1)].mean(axis=0), self[list(words2)].mean(axis=0)])
        unit = _unit_rows(means)
        return float(unit[0] @ unit[1])

    def doesnt_match(self, words: Sequence[str]) -> str:
        """The word farthest (cosine) from the normalised mean of the words' unit vectors."""
        words = list(words)
        if not words:
            raise WordnetLMError("doesnt_match needs at least one word")
        units = self.normed_vectors[[self.get_index(w) for w in words]]
        centre = _unit_rows(units.mean(axis=0, keepdims=True))[0]
        return words[int(np.argmin(units @ centre))]

    def distances(self, word_or_vector: Term, other_words: Sequence[str] = ()) -> np.ndarray:
        """Cosine distances ``1 - cos`` from a word or vector to ``other_words`` (default: every word)."""
        _, units = self._query_units([word_or_vector])
        others = self.normed_vectors if not len(other_words) else self.normed_vectors[
            [self.get_index(w) for w in other_words]]
        return 1.0 - _dot_rows(others, units)[:, 0]

    def distance(self, word1: str, word2: str) -> float:
        """Cosine distance ``1 - similarity``."""
        return 1.0 - self.similarity(word1, word2)

    # ------------------------------------------------------------------ helpers
    def _query_units(self, terms: Iterable[Term]) -> tuple[list[int], np.ndarray]:
        """Rows of the word terms (to leave out of answers) and unit vectors of all terms."""
        rows, units = [], []
        for term in terms:
            if isinstance(term, str):
                i = self.get_index(term)
                rows.append(i)
                units.append(self.normed_vectors[i])
            else:
                vector = np.asarray(term, np.float32)
                if vector.shape != (self.vector_size,):
                    raise WordnetLMError(f"query vector has shape {vector.shape}, expected ({self.vector_size},)")
                units.append(_unit_rows(vector[None, :])[0])
        return rows, np.stack(units)

    def _limit(self, restrict_vocab: int | None) -> int:
        if restrict_vocab is None:
            return len(self)
        if restrict_vocab < 1:
            raise WordnetLMError(f"restrict_vocab must be a positive number of words, got {restrict_vocab}")
        return min(int(restrict_vocab), len(self))

    def _best(self, scores: np.ndarray, exclude: list[int], topn: int | None):
        if topn is None:
            return scores
        if topn < 1:
            return []
        excluded = {i for i in exclude if i < len(scores)}
        order = top_k(scores, topn + len(excluded))
        return [(self.index_to_key[i], float(scores[i])) for i in order if i not in excluded][:topn]


def top_k(scores: np.ndarray, k: int) -> np.ndarray:
    """Indices of the ``k`` largest scores, best first (equal scores: lower index first)."""
    k = min(k, len(scores))
    if k <= 0:
        return np.zeros(0, np.int64)
    candidates = np.argpartition(-scores, k - 1)[:k] if k < len(scores) else np.arange(len(scores))
    return candidates[np.lexsort((candidates, -scores[candidates]))]


def _dot_rows(matrix: np.ndarray, queries: np.ndarray) -> np.ndarray:
    """``matrix @ queries.T`` for a few query rows, without BLAS threads: a memory-bound
    product that threads do not speed up, and that a busy machine slows tenfold through them."""
    return np.einsum("ij,kj->ik", matrix, queries)


def _unit_rows(matrix: np.ndarray) -> np.ndarray:
    norms = np.linalg.norm(matrix, axis=1, keepdims=True)
    return (matrix / np.where(norms > 0, norms, 1)).astype(np.float32, copy=False)


def _as_terms(terms: Terms) -> list[Term]:
    if terms is None:
        return []
    if isinstance(terms, str) or (isinstance(terms, np.ndarray) and terms.ndim == 1):
        return [terms]
    return list(terms)
