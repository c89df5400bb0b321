"""Vectorised ARPA text: numbers exactly as Python's format(x, '.8g'), lines as the line format."""

import numpy as np
from hypothesis import given, settings
from hypothesis import strategies as st

from wordnet_lm.ngram.arpa_text import WordBytes, arpa_lines, format_few_values, format_g8, format_g8_fixed


def texts(values):
    buffer, starts, lengths = format_g8(np.asarray(values, np.float64))
    return [bytes(buffer[s:s + n]).decode() for s, n in zip(starts.tolist(), lengths.tolist())]


EDGES = [0.0, -0.0, -99.0, 1.0, -1.0, -0.5, -9.99999995, -99999999.5, -0.00012345678, -0.0001, -1e-5,
         -12345678.9, -123456789.0, 1e300, -np.inf, np.inf, np.nan, 0.1, -7.0, -0.001, 5e-324, -1e-300,
         -1.00000005, -0.000999999995, -9999999.95, 2.5, -0.125, -1.2345678e-7]


def test_edges_and_random_values_equal_python():
    rng = np.random.default_rng(0)
    values = np.concatenate([EDGES, -rng.random(20000) * 10.0 ** rng.integers(-9, 3, 20000),
                             np.round(-rng.random(5000) * 5, 4), -rng.random(5000) * 6])
    assert texts(values) == [format(float(v), ".8g") for v in values]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.floats(allow_nan=True, allow_infinity=True, width=64), min_size=1, max_size=40))
def test_any_floats_equal_python(values):
    assert texts(values) == [format(float(v), ".8g") for v in values]


def test_lines():
    words = WordBytes(["<unk>", "<s>", "</s>", "naïve", "b"])
    rows = np.array([[1, 3], [3, 4], [4, 0]])
    got = arpa_lines(np.array([-1.5, -99.0, 0.0]), rows, words, np.array([-0.25, 0.0, -1e-9]))
    assert got == "-1.5\t<s> naïve\t-0.25\n-99\tnaïve b\t0\n0\tb <unk>\t-1e-09\n".encode()
    got = arpa_lines(np.array([-1.5, -2.0]), np.array([[1, 3, 4], [3, 4, 2]]), words, None)
    assert got == "-1.5\t<s> naïve b\n-2\tnaïve b </s>\n".encode()
    assert arpa_lines(np.zeros(0), np.zeros((0, 2), int), words, None) == b""


def test_word_bytes_from_lines_equal_from_words():
    words = ["<unk>", "<s>", "</s>", "naïve", "b", "x" * 40]
    a, b = WordBytes(words), WordBytes.from_lines(("\n".join(words) + "\n").encode())
    for name in ("buffer", "starts", "lengths"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))


def test_few_values_equal_all_values():
    rng = np.random.default_rng(1)
    values = np.concatenate([np.zeros(500), [-0.0, 0.0, -0.0], np.round(-rng.random(400), 2), EDGES * 3])
    rng.shuffle(values)
    chars, lengths = format_few_values(values)
    want_chars, want_lengths = format_g8_fixed(values)
    np.testing.assert_array_equal(lengths, want_lengths)
    keep = np.arange(chars.shape[1])[None, :] < lengths[:, None]
    np.testing.assert_array_equal(chars[keep], want_chars[keep])
    assert [bytes(c[:n]).decode() for c, n in zip(chars, lengths.tolist())] == [format(float(v), ".8g") for v in values]


def _python_lines(probs, rows, words, backoffs):
    lines = []
    for i, row in enumerate(rows.tolist()):
        text = " ".join(words[w] for w in row)
        tail = "" if backoffs is None else "\t" + format(float(backoffs[i]), ".8g")
        lines.append(f"{format(float(probs[i]), '.8g')}\t{text}{tail}\n")
    return "".join(lines).encode()


@settings(max_examples=60, deadline=None)
@given(st.integers(1, 5), st.integers(1, 300), st.booleans(), st.integers(0, 2**32 - 1))
def test_lines_equal_python(n, m, with_backoffs, seed):
    """Random words (1-40 bytes, non-ASCII, the 15/16/17-byte edges), numbers with few and with
    many distinct values, every order: the text Python's formatting gives."""
    rng = np.random.default_rng(seed)
    lengths = np.concatenate([[1, 7, 8, 14, 15, 16, 17, 23, 24], rng.integers(1, 41, 40)])
    words = ["".join(rng.choice(list("abcdéü-_xyz"), size=k)) for k in lengths]
    rows = rng.integers(0, len(words), (m, n))
    pool = np.concatenate([EDGES, [-1.2345678e-100, -9.8765432e+200], -rng.random(m) * 10.0 ** rng.integers(-8, 3, m)])
    probs = pool[rng.permutation(len(pool))[:m]]
    distinct = rng.integers(1, 4 * m) if rng.random() < 0.5 else 3
    backoffs = np.round(-rng.random(m) * 3, 6) if with_backoffs else None
    if backoffs is not None:
        backoffs = backoffs[rng.integers(0, min(distinct, m), m)]
        backoffs[rng.integers(0, m)] = -1.2345678e-100  # the longest text, 15 bytes
    assert arpa_lines(probs, rows, WordBytes(words), backoffs) == _python_lines(probs, rows, words, backoffs)


def test_word_chunks_laid_out_in_blocks_equal_one_pass(monkeypatch):
    """``WordBytes.chunks`` lays the words out a block of words at a time (its index arrays cost
    8 bytes per vocabulary byte): small blocks give the arrays of one pass."""
    from wordnet_lm.ngram import arpa_text

    rng = np.random.default_rng(0)
    words = ["".join(rng.choice(list("abcé日z"), size=int(k))) for k in rng.integers(1, 30, 200)]
    whole = arpa_text.WordBytes(words).chunks()
    monkeypatch.setattr(arpa_text, "_COPY_WORDS", 7)
    blocks = arpa_text.WordBytes(words).chunks()
    assert all(np.array_equal(a, b) for a, b in zip(whole, blocks))
