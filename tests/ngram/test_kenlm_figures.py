"""Our modified Kneser-Ney against KenLM's published figures on brown-bengio (../shared).

KenLM's ``lmplz -o 3`` (bench/reference.md): discounts, distinct n-grams and ``query``
perplexities, with <unk> renamed to an ordinary word ``__unk__`` as in that protocol.
"""

import numpy as np
import pytest

from wordnet_lm.ngram import ModifiedKneserNey
from wordnet_lm.text import Corpus, Vocab, read_sentences


def read(path):
    return [["__unk__" if w == "<unk>" else w for w in s] for s in read_sentences(path)]


@pytest.mark.slow
def test_trigram_matches_kenlm_on_brown(shared):
    split = shared / "corpora" / "brown-bengio"
    train, test = read(split / "train.txt"), read(split / "test.txt")
    vocab = Vocab.build(train)
    model = ModifiedKneserNey(3).fit(vocab.encode(train), vocab)
    assert model.n_ngrams() == [17_131, 282_346, 585_165]
    np.testing.assert_allclose(model.discounts_[:, 1:], [[0.258, 1.053, 1.957], [0.741, 1.137, 1.509],
                                                         [0.865, 1.234, 1.470]], atol=0.0005)
    corpus = vocab.encode(test)
    result = model.perplexity(corpus)
    assert (result.n_predictions, result.n_oov) == (171_297, 2_410)
    assert round(result.perplexity, 2) == 236.29 and round(result.perplexity_excl_oov, 2) == 210.45
    closed = Corpus(np.where(corpus.ids == 0, vocab.id("__unk__"), corpus.ids).astype(np.int32), corpus.offsets)
    assert round(model.perplexity(closed).perplexity, 2) == 203.63
