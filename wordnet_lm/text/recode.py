"""Moving an encoded corpus between two vocabularies that hold the same words.

Two models trained on the same text (a neural LM from ``train-lm``, an n-gram model from
``ngram`` or KenLM's ``lmplz``) know the same words but may number them differently; their
perplexities are comparable only then (an unseen word is a prediction of ``<unk>``, whose
probability depends on what the vocabulary leaves out).  :func:`check_same_words` refuses two
vocabularies that differ; :func:`recode` renumbers a corpus from one to the other.
"""

from __future__ import annotations

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.text.vocab import Corpus, Vocab


def check_same_words(vocab: Vocab, other: Vocab, other_name: str, vocab_name: str = "the table's") -> None:
    """Raise :class:`WordnetLMError` (one line, naming a differing word) unless ``other`` holds
    exactly the words of ``vocab``, in any order."""
    if len(vocab) == len(other) and all(w in other.index for w in vocab.words):
        return
    missing = [w for w in vocab.words if w not in other.index]
    extra = [w for w in other.words if w not in vocab.index]
    example = f"{missing[0]!r} only in {vocab_name}" if missing else f"{extra[0]!r} only in {other_name}'s"
    raise WordnetLMError(
        f"{other_name}: its vocabulary ({len(other):,} words) is not {vocab_name} ({len(vocab):,} words; "
        f"{len(missing) + len(extra):,} differ, e.g. {example}): perplexities over different vocabularies "
        "are not comparable")


def recode(corpus: Corpus, vocab: Vocab, other: Vocab) -> Corpus:
    """``corpus`` (encoded with ``vocab``) encoded with ``other``, a vocabulary of the same words."""
    if vocab.words == other.words:
        return corpus
    check_same_words(vocab, other, "the target vocabulary", "the corpus's")
    new_id = np.fromiter((other.index[w] for w in vocab.words), np.int32, count=len(vocab))
    return Corpus(new_id[corpus.ids], corpus.offsets)
