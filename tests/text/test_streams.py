"""The padded stream every n-gram view of a corpus is read from."""

import numpy as np
import pytest

from wordnet_lm.text.streams import padded_stream
from wordnet_lm.text.vocab import BOS_ID, EOS_ID, Corpus


def corpus_of(sentences):
    ids = np.array([w for s in sentences for w in s], np.int32)
    return Corpus(ids, np.cumsum([0] + [len(s) for s in sentences]).astype(np.int64))


@pytest.mark.parametrize("pad", [0, 1, 3])
def test_each_sentence_is_padding_ids_end(pad):
    sentences = [[5, 6], [], [7], [8, 9, 10]]
    stream, starts = padded_stream(corpus_of(sentences), pad)
    expected = [w for s in sentences for w in [BOS_ID] * pad + s + [EOS_ID]]
    assert stream.tolist() == expected
    assert starts.tolist() == np.cumsum([0] + [pad + len(s) + 1 for s in sentences]).tolist()


def test_dtype_and_bad_pad():
    stream, _ = padded_stream(corpus_of([[5]]), 2, dtype=np.int32)
    assert stream.dtype == np.int32
    with pytest.raises(ValueError):
        padded_stream(corpus_of([[5]]), -1)
