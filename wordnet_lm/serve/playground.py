"""The playground's questions, without HTTP: score a text word by word under the neural LM and
an n-gram model, list the likely next words, sample continuations, find neighbours.

Text is split into sentences at line breaks and into words at whitespace, as the training
files are; a model whose vocabulary has no upper-case letter was trained on lower-cased text,
so the words it sees are lower-cased too.  A word outside a model's vocabulary is scored as
``<unk>`` (and flagged), the convention of the models' own perplexity.
"""

from __future__ import annotations

import math
import os
from typing import Any

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.text.vocab import BOS, BOS_ID, EOS, UNK, Vocab
from wordnet_lm.vectors.keyed import KeyedVectors


def split_text(text: str) -> list[list[str]]:
    """Sentences (non-empty lines) of whitespace-separated words."""
    return [line.split() for line in text.splitlines() if line.split()]


def lowercased(vocab: Vocab) -> bool:
    """Whether ``vocab`` comes from lower-cased text: no word of it changes when lower-cased."""
    return all(w == w.lower() for w in vocab.words[3:])


def _top(p: np.ndarray, vocab: Vocab, k: int) -> list[tuple[str, float]]:
    """The ``k`` most probable ids of ``p`` as (word, probability), best first, ties by id."""
    k = min(k, len(p))
    best = np.argpartition(-p, k - 1)[:k]
    best = best[np.lexsort((best, -p[best]))]
    return [(vocab.word(int(i)), float(p[i])) for i in best]


class Playground:
    """A neural LM, optionally an n-gram model and word vectors, answering the page's requests.

    Parameters
    ----------
    model : NPLM
        A trained neural LM.
    ngram : NgramModel, optional
        Any fitted n-gram model (e.g. read from an ARPA file).
    vectors : KeyedVectors, optional
        For neighbours and the explorer; default: the neural LM's embeddings.
    names : dict, optional
        Descriptions shown on the page (``model``, ``ngram``, ``vectors``).
    """

    def __init__(self, model, ngram=None, vectors: KeyedVectors | None = None,
                 names: dict[str, str] | None = None) -> None:
        self.model = model
        self.ngram = ngram
        self.vectors = vectors if vectors is not None else KeyedVectors.from_vocab(model.vocab_,
                                                                                   model.params_["embed.C"])
        self.vectors.fill_norms()  # computed once here, not raced for by request threads
        self._lower = {"neural": lowercased(model.vocab_), "ngram": ngram is not None and lowercased(ngram.vocab_)}
        self.names = dict(names or {})

    @classmethod
    def load(cls, model: str | os.PathLike, ngram: str | os.PathLike | None = None,
             vectors: str | os.PathLike | None = None) -> Playground:
        """Read the model files (errors name the file)."""
        from wordnet_lm.ngram import load_model
        from wordnet_lm.nplm import NPLM

        names = {"model": str(model)}
        lm = NPLM.load(model)
        ng = None
        if ngram is not None:
            ng = load_model(ngram)
            names["ngram"] = str(ngram)
        kv = None
        if vectors is not None:
            kv = KeyedVectors.load(vectors)
            names["vectors"] = str(vectors)
        else:
            names["vectors"] = f"embeddings of {model}"
        return cls(lm, ng, kv, names)

    # ------------------------------------------------------------------ description
    def info(self) -> dict[str, Any]:
        """What is loaded: files, orders, vocabulary sizes."""
        out: dict[str, Any] = {"neural": {"file": self.names.get("model", ""), "order": self.model.order,
                                          "vocabulary": len(self.model.vocab_)},
                               "ngram": None,
                               "vectors": {"source": self.names.get("vectors", ""), "words": len(self.vectors),
                                           "dim": self.vectors.vector_size}}
        if self.ngram is not None:
            out["ngram"] = {"file": self.names.get("ngram", ""), "order": self.ngram.order,
                            "vocabulary": len(self.ngram.vocab_)}
        return out

    # ------------------------------------------------------------------ scoring
    def score(self, text: str) -> dict[str, Any]:
        """Per-word natural-log probabilities under each model.

        Returns ``{"words": [...], "sentence": [...], "neural": {"logprob": [...], "oov": [...],
        "perplexity": p}, "ngram": {...} or None}``; each sentence's words are followed by
        ``</s>`` (its probability of ending there), as in the models' perplexities.
        """
        sentences = split_text(text)
        if not sentences:
            raise WordnetLMError("no words to score")
        words = [w for s in sentences for w in s + [EOS]]
        index = [k for k, s in enumerate(sentences) for _ in range(len(s) + 1)]
        out: dict[str, Any] = {"words": words, "sentence": index,
                               "neural": self._scores(self.model.vocab_, self._cased(sentences, "neural"),
                                                      self.model.token_logprobs),
                               "ngram": None}
        if self.ngram is not None:
            out["ngram"] = self._scores(self.ngram.vocab_, self._cased(sentences, "ngram"), self.ngram.token_logprobs)
        return out

    def _cased(self, sentences: list[list[str]], which: str) -> list[list[str]]:
        """The sentences as model ``which`` ("neural" or "ngram") reads them."""
        return [[w.lower() for w in s] for s in sentences] if self._lower[which] else sentences

    @staticmethod
    def _scores(vocab: Vocab, sentences: list[list[str]], token_logprobs) -> dict[str, Any]:
        corpus = vocab.encode(sentences)
        logprobs = np.asarray(token_logprobs(corpus), np.float64)
        oov = [w not in vocab for s in sentences for w in s + [EOS]]
        return {"logprob": logprobs.tolist(), "oov": oov, "perplexity": math.exp(-float(logprobs.mean()))}

    # ------------------------------------------------------------------ next words, samples
    def _context(self, text: str) -> list[str]:
        """The words of the sentence being typed: the last line (empty after a line break)."""
        lines = text.split("\n")
        return lines[-1].split() if lines else []

    def next_words(self, text: str, k: int = 10) -> dict[str, Any]:
        """The ``k`` most probable next words after ``text`` under each model, with probabilities."""
        from wordnet_lm.nplm.sample import top_next_words

        context = self._context(text)
        vocab = self.model.vocab_
        known = [w if w in vocab else UNK for w in self._cased([context], "neural")[0]]
        out: dict[str, Any] = {"context": context, "neural": top_next_words(self.model, known, k), "ngram": None}
        if self.ngram is not None:
            keep = self.ngram.order - 1
            history = [BOS] + self._cased([context], "ngram")[0]
            p = self.ngram.distribution(history[-keep:] if keep else [])
            p[BOS_ID] = 0.0
            out["ngram"] = _top(p / p.sum(), self.ngram.vocab_, k)
        return out

    def sample(self, text: str, n_words: int = 20, temperature: float = 1.0, top_k: int | None = None,
               seed: int | None = None) -> dict[str, Any]:
        """Continuations of the sentence being typed: ``n_words`` drawn from the neural LM
        (temperature, top-k), and one sentence from the n-gram model (at most ``n_words``)."""
        from wordnet_lm.nplm.sample import generate

        context = self._context(text)
        known = [w if w in self.model.vocab_ else UNK for w in self._cased([context], "neural")[0]]
        out: dict[str, Any] = {"context": context,
                               "neural": generate(self.model, known, n_words, temperature=temperature,
                                                  top_k=top_k, seed=seed),
                               "ngram": None}
        if self.ngram is not None:
            sentence = self.ngram.sample(1, max_length=len(context) + n_words, seed=seed,
                                         context=self._cased([context], "ngram")[0],
                                         allow_unk=False)[0]
            out["ngram"] = sentence[len(context):] + [EOS]
        return out

    # ------------------------------------------------------------------ vectors
    def neighbors(self, word: str, topn: int = 10) -> dict[str, Any]:
        """Nearest neighbours (cosine) of ``word`` (exact, else a case variant); unknown words raise
        :class:`~wordnet_lm.errors.UnknownWordError`."""
        resolved = self.vectors.resolve(word)
        return {"word": resolved, "neighbors": self.vectors.most_similar(positive=[resolved], topn=topn)}

