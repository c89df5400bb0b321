"""Lines assembled from columns of short texts held in uint64 words equal Python's join."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.ngram.byte_columns import join_columns


def _column(texts: list[bytes], width_words: int):
    """``(words, lengths, extra)`` of ``texts``: the first ``width_words`` uint64 words in a
    matrix, the rest through ``extra``; after each text, bytes that must not show."""
    longest = max(len(t) for t in texts)
    n_words = max(width_words, -(-longest // 8))
    padded = np.frombuffer(b"".join(t + b"#" * (8 * n_words - len(t)) for t in texts), np.uint64)
    padded = padded.reshape(len(texts), n_words)
    lengths = np.array([len(t) for t in texts], np.int64)
    return padded[:, :width_words].copy(), lengths, lambda rows, j: padded[rows, j]


texts_strategy = st.binary(min_size=1, max_size=40)


@settings(max_examples=150, deadline=None)
@given(st.integers(1, 30).flatmap(lambda m: st.lists(
    st.tuples(st.lists(texts_strategy, min_size=m, max_size=m), st.integers(1, 3)), min_size=1, max_size=6)))
def test_join_equals_python(columns):
    want = b"".join(b"".join(col[0][i] for col in columns) for i in range(len(columns[0][0])))
    assert join_columns([_column(texts, width) for texts, width in columns]) == want


def test_constant_columns_and_empty():
    tab = (np.array([[ord("\t")]], np.uint64), 1)
    words, lengths, extra = _column([b"a", b"bcdefghijklmnopq", b"r"], 1)
    assert join_columns([(words, lengths, extra), tab]) == b"a\tbcdefghijklmnopq\tr\t"
    assert join_columns([(np.zeros((0, 1), np.uint64), np.zeros(0, np.int64)), tab]) == b""
