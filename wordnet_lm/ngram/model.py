"""The interface every n-gram model shares: fit, score, perplexity, sample, save, ARPA export.

A smoothing method (see :mod:`wordnet_lm.ngram.smoothing`) only says how counts become
:class:`~wordnet_lm.ngram.tables.BackoffTables`; everything else lives here.  Models follow
scikit-learn: the constructor takes hyper-parameters only, :meth:`NgramModel.fit` learns
``vocab_`` and ``tables_``.  Log probabilities are natural logs (ARPA files use log10).
"""

from __future__ import annotations

import inspect
import os
from functools import partial
from typing import Any, Callable, Iterable, Sequence

import numpy as np

from wordnet_lm.errors import TrainingError, WordnetLMError
from wordnet_lm.ngram.npz_file import save_model
from wordnet_lm.ngram.counts import NgramCounts, count_ngrams, padded_stream, sentence_chunks
from wordnet_lm.ngram.perplexity import Perplexity, perplexity_from_logprobs, perplexity_from_total, prediction_targets
from wordnet_lm.ngram.tables import BackoffTables
from wordnet_lm.parallel import kernel_threads, run_tasks, split_range
from wordnet_lm.text.vocab import BOS, BOS_ID, UNK_ID, Corpus, Vocab

SCORE_BATCH = 1 << 15  # tokens scored at once, per thread (bounds memory on big texts: ~5 MB of temporaries each)


class NgramModel:
    """Base class of the n-gram language models.

    Parameters
    ----------
    order : int
        The ``n`` of n-gram: predictions look at up to ``order - 1`` previous words.
    """

    smoothing = "backoff"  # the name of the method in SMOOTHING and in model files

    def __init__(self, order: int = 3) -> None:
        self.order = order

    # ------------------------------------------------------------------ learning
    def fit(self, corpus: Corpus | Iterable[Corpus], vocab: Vocab, *, heldout: Corpus | None = None,
            progress: bool = False) -> "NgramModel":
        """Count the n-grams of ``corpus`` and estimate the model.

        Parameters
        ----------
        corpus : Corpus or iterable of Corpus
            Training sentences as ids of ``vocab`` (chunks are counted one by one).
        vocab : Vocab
            The vocabulary; words never seen in training keep a (smoothed) probability.
        heldout : Corpus, optional
            Held-out sentences, for methods with weights fitted on held-out data.
        progress : bool
            Progress bar while counting.

        Returns
        -------
        self
        """
        self._check_params()
        counts = count_ngrams(corpus, self.order, len(vocab), progress=progress)
        return self.fit_counts(counts, vocab, heldout=heldout)

    def fit_counts(self, counts: NgramCounts, vocab: Vocab, *, heldout: Corpus | None = None) -> "NgramModel":
        """Estimate the model from n-gram counts already made (see :func:`count_ngrams`)."""
        self._check_params()
        if counts.order != self.order or counts.vocab_size != len(vocab):
            raise TrainingError(f"counts of order {counts.order} over {counts.vocab_size} words do not fit "
                                f"an order-{self.order} model over {len(vocab)} words")
        self.tables_ = self._estimate(counts, heldout)
        self.vocab_ = vocab
        return self

    def _estimate(self, counts: NgramCounts, heldout: Corpus | None) -> BackoffTables:
        raise WordnetLMError(f"a {self.smoothing!r} model is loaded from a file, it cannot be fitted")

    def _check_params(self) -> None:
        if not isinstance(self.order, (int, np.integer)) or isinstance(self.order, bool) or self.order < 1:
            raise TrainingError(f"n-gram order must be an integer >= 1, got {self.order!r}")

    def get_params(self) -> dict[str, Any]:
        """The constructor's hyper-parameters and their values."""
        names = [p for p in inspect.signature(type(self).__init__).parameters if p != "self"]
        return {name: getattr(self, name) for name in names}

    def __repr__(self) -> str:
        params = ", ".join(f"{k}={v!r}" for k, v in self.get_params().items())
        return f"{type(self).__name__}({params})"

    # ------------------------------------------------------------------ scoring
    def _fitted(self) -> BackoffTables:
        tables = getattr(self, "tables_", None)
        if tables is None:
            raise WordnetLMError(f"this {type(self).__name__} is not fitted yet: call fit() first")
        return tables

    def _history(self, context: str | Sequence[str | int]) -> np.ndarray:
        """Context words (a sequence, or one string split at whitespace) -> ids, starting at the
        last ``<s>`` (a sentence start) if any."""
        if isinstance(context, str):
            context = context.split()
        ids = np.array([self._word_id(w) for w in context], np.int64)
        starts = np.flatnonzero(ids == BOS_ID)
        return ids[starts[-1]:] if len(starts) else ids

    def _word_id(self, word: str | int) -> int:
        if isinstance(word, (int, np.integer)):
            if not 0 <= word < len(self.vocab_):
                raise WordnetLMError(f"word id {word} is outside the vocabulary (size {len(self.vocab_)})")
            return int(word)
        return self.vocab_.index.get(word, UNK_ID)

    def logprob(self, context: Sequence[str | int], word: str | int) -> float:
        """``log p(word | context)`` (natural log).

        ``context`` is a sequence of words (or ids), oldest first, or a string of words
        separated by spaces; start it with ``"<s>"`` for the start of a sentence.  Unknown
        words count as ``<unk>``.
        """
        tables = self._fitted()
        row = np.append(self._history(context), self._word_id(word))
        return float(tables.score_rows(row[None, :])[0])

    def distribution(self, context: Sequence[str | int] = (BOS,)) -> np.ndarray:
        """``p(w | context)`` for every word id ``w`` of ``vocab_`` (``<s>`` gets 0)."""
        return np.exp(self._fitted().log_distribution(self._history(context)))

    def token_logprobs(self, corpus: Corpus) -> np.ndarray:
        """``log p`` of every prediction of ``corpus`` (natural log): each token, then
        ``</s>``, sentence after sentence (the order of :func:`prediction_targets`)."""
        out = np.empty(corpus.n_tokens + corpus.n_sentences)

        def keep(start: int, end: int, scores: np.ndarray) -> None:
            out[start:end] = scores

        self._score_pieces(corpus, keep)
        return out

    def _score_pieces(self, corpus: Corpus, consume: Callable[[int, int, np.ndarray], None]) -> int:
        """Score ``corpus`` in pieces of whole sentences, two halves of the pieces on two threads for big
        texts; ``consume(start, end, scores)`` gets the scores of predictions ``start..end-1`` of each
        piece.  Returns the number of pieces."""
        tables = self._fitted()
        if corpus.n_tokens and (corpus.ids.min() < 0 or corpus.ids.max() >= len(self.vocab_)):
            raise WordnetLMError(f"the corpus holds word ids outside this model's vocabulary (size {len(self.vocab_)}): "
                                 "encode it with the model's vocab_")
        chunks = list(sentence_chunks(corpus, SCORE_BATCH))
        sizes = np.array([chunk.n_tokens + chunk.n_sentences for chunk in chunks], np.int64)
        ends = np.cumsum(sizes)
        starts = ends - sizes

        def score(first: int, last: int) -> None:  # chunks first..last-1, each to consume() with its own slice
            for chunk, start, end in zip(chunks[first:last], starts[first:last].tolist(), ends[first:last].tolist()):
                stream, history, _ = padded_stream(chunk)
                consume(start, end, tables.score_stream(stream, history, np.flatnonzero(history > 0)))

        # the chunks are independent and NumPy releases the GIL: big texts are scored on two cores
        parts = split_range(len(chunks), kernel_threads(corpus.n_tokens))
        run_tasks([partial(score, first, last) for first, last in parts], len(parts))
        return len(chunks)

    def sentence_logprobs(self, corpus: Corpus) -> np.ndarray:
        """Total ``log p`` of each sentence (its tokens and ``</s>``)."""
        logprobs = self.token_logprobs(corpus)
        starts = np.cumsum(corpus.lengths() + 1) - (corpus.lengths() + 1)
        return np.add.reduceat(logprobs, starts) if len(starts) else np.zeros(0)

    def perplexity(self, corpus: Corpus) -> Perplexity:
        """Perplexity of ``corpus`` including and excluding OOVs (see
        :mod:`wordnet_lm.ngram.perplexity` for the conventions)."""
        if corpus.n_sentences == 0:
            raise WordnetLMError("cannot compute the perplexity of an empty text")
        if np.any(corpus.ids == UNK_ID):  # OOVs to leave out: every prediction's score and target
            return perplexity_from_logprobs(self.token_logprobs(corpus), prediction_targets(corpus), corpus.n_sentences)
        # no OOV: only the total is needed, summed piece by piece (no array of every score)
        totals: dict[int, float] = {}

        def add(start: int, end: int, scores: np.ndarray) -> None:
            totals[start] = float(scores.sum())

        self._score_pieces(corpus, add)
        return perplexity_from_total(np.array([totals[k] for k in sorted(totals)]).sum(),
                                     corpus.n_tokens + corpus.n_sentences, corpus.n_sentences)

    # ------------------------------------------------------------------ generating, files
    def sample(self, n_sentences: int = 1, *, max_length: int = 100, seed: int | None = None,
               context: Sequence[str] = (), allow_unk: bool = True) -> list[list[str]]:
        """Sentences drawn from the model (see :func:`wordnet_lm.ngram.sample.sample_sentences`)."""
        from wordnet_lm.ngram.sample import sample_sentences
        return sample_sentences(self, n_sentences, max_length=max_length, seed=seed, context=context,
                                allow_unk=allow_unk)

    def to_arpa(self, path: str | os.PathLike, *, progress: bool = False) -> None:
        """Write the model as an ARPA file (log10 probabilities and backoff weights)."""
        from wordnet_lm.ngram.arpa import write_arpa
        write_arpa(path, self._fitted(), self.vocab_, progress=progress)

    def save(self, path: str | os.PathLike) -> None:
        """Write the model (tables, vocabulary, hyper-parameters) as a ``.npz`` model file."""
        save_model(self, path)

    def n_ngrams(self) -> list[int]:
        """Number of n-grams stored at each order."""
        return self._fitted().index.sizes()


class BackoffModel(NgramModel):
    """A model given by its backoff tables, e.g. read from an ARPA file; it cannot be fitted.

    Parameters
    ----------
    order : int
        The highest order of its tables.
    """

    smoothing = "backoff"

    @classmethod
    def from_tables(cls, tables: BackoffTables, vocab: Vocab) -> "BackoffModel":
        """Wrap ``tables`` over ``vocab`` as a ready-to-use model."""
        model = cls(tables.order)
        model.tables_, model.vocab_ = tables, vocab
        return model
