"""The ARPA load and scoring, fifth round (issue 11 part 5): probe and insertion tails scanned by
windows of slots, free slots claimed by writing the key, the backoff rule reading each value
once, short words as their own keys.  Each new path against the one it replaces, bit for bit."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import assert_same_error_as_read_arpa, corpus_of, fitted
from .test_arpa_load import CLEAN
from wordnet_lm.ngram import BackoffModel, arpa_hashed, hashed, read_arpa
from wordnet_lm.ngram.arpa_hashed import _insert, read_arpa_hashed
from wordnet_lm.ngram.hashed import EMPTY, home_slots, place, probe, probe_stored, table_size
from wordnet_lm.ngram.tables import BackoffTables, _gather
from wordnet_lm.text.byte_words import WordTable, padded, u64_view, word_keys

WINDOWS_ONLY = 1 << 62  # a TAIL no batch reaches: windows of slots from the first round on
ONE_SLOT_ONLY = 0  # a TAIL every batch reaches: one slot a round to the end (as before)


def one_slot_probe(table, keys):
    """Linear probing one key at a time, in Python: the reference for every probe."""
    out = np.full(len(keys), -1, np.int64)
    homes = home_slots(np.maximum(keys, 0), len(table))
    for i, (key, slot) in enumerate(zip(keys.tolist(), homes.tolist())):
        while key >= 0 and table[slot] != EMPTY:
            if table[slot] == key:
                out[i] = slot
                break
            slot = (slot + 1) % len(table)
    return out


# ---------------------------------------------------------------------- probes: windows for the tail
@settings(max_examples=80, deadline=None)
@given(keys=st.lists(st.integers(0, 10 ** 12), unique=True, min_size=1, max_size=400),
       others=st.lists(st.integers(-3, 10 ** 12), max_size=150), spare=st.integers(1, 30),
       tail=st.sampled_from([3, 50, WINDOWS_ONLY]), window=st.sampled_from([1, 2, 16]))
def test_windowed_probes_find_what_one_slot_probing_finds(keys, others, spare, tail, window):
    """Nearly full tables (long runs, wrapping round the end), keys present and absent: the windowed
    tail (from the first round on, or after a few) gives the slots of one-slot rounds and of a plain loop."""
    keys = np.array(keys, np.int64)
    n_slots = table_size(len(keys), 1.0) + spare - 1
    table = np.full(n_slots, EMPTY, np.int64)
    table[place(keys, n_slots)] = keys
    queries = np.concatenate([keys, np.array(others, np.int64)])
    expected = one_slot_probe(table, queries)
    windows = []
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(hashed, "TAIL", ONE_SLOT_ONLY)
        np.testing.assert_array_equal(probe(table, queries), expected)
        patch.setattr(hashed, "TAIL", tail)
        patch.setattr(hashed, "WINDOW", window)
        original = hashed._read_on_windows
        patch.setattr(hashed, "_read_on_windows", lambda *a: windows.append(len(a[1])) or original(*a))
        np.testing.assert_array_equal(probe(table, queries), expected)
        stored = queries[queries >= 0]
        np.testing.assert_array_equal(probe_stored(table, stored), expected[queries >= 0])
    read_on = (expected >= 0) & (expected != home_slots(np.maximum(queries, 0), n_slots))
    if tail > len(queries) and read_on.any():  # the keys that read on past their home slot took the windows
        assert windows


# ---------------------------------------------------------------------- insertion: claims and windows
@settings(max_examples=60, deadline=None)
@given(keys=st.lists(st.integers(0, 10 ** 12), unique=True, min_size=1, max_size=300),
       cuts=st.lists(st.integers(0, 300), max_size=4), spare=st.integers(1, 20),
       tail=st.sampled_from([ONE_SLOT_ONLY, 2, 40, WINDOWS_ONLY]), window=st.sampled_from([1, 4, 16]))
def test_insertion_in_batches_stores_every_key_where_probing_finds_it(keys, cuts, spare, tail, window):
    keys = np.array(keys, np.int64)
    n_slots = table_size(len(keys), 1.0) + spare - 1
    table = np.full(n_slots, EMPTY, np.int64)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(arpa_hashed, "TAIL", tail)
        patch.setattr(arpa_hashed, "WINDOW", window)
        batches = np.split(keys, sorted(c % (len(keys) + 1) for c in cuts))
        slots = np.concatenate([_insert(table, batch) for batch in batches])
    assert (slots >= 0).all() and len(np.unique(slots)) == len(keys)
    np.testing.assert_array_equal(table[slots], keys)
    assert np.count_nonzero(table != EMPTY) == len(keys)
    np.testing.assert_array_equal(one_slot_probe(table, keys), slots)  # a valid linear-probing layout


@pytest.mark.parametrize("tail", [ONE_SLOT_ONLY, WINDOWS_ONLY])
def test_insertion_flags_a_key_already_stored(tail, monkeypatch):
    monkeypatch.setattr(arpa_hashed, "TAIL", tail)
    table = np.full(50, EMPTY, np.int64)
    first = np.arange(0, 40 * 7919, 7919, dtype=np.int64)
    assert (_insert(table, first) >= 0).all()
    out = _insert(table, np.array([5, first[17], 11], np.int64))
    assert out.tolist() == [0, -1, 0]


@pytest.mark.parametrize("tail", [ONE_SLOT_ONLY, WINDOWS_ONLY])
@pytest.mark.parametrize("block", [1 << 20, 29])
def test_a_duplicate_n_gram_in_one_batch_or_two_is_read_arpa_s_error(tail, block, tmp_path, monkeypatch):
    """Two equal keys claiming one slot in one batch both 'win' it: the count of the table's keys
    at the section's end catches that (and read_arpa names the n-gram); across batches the key is
    met again."""
    monkeypatch.setattr(arpa_hashed, "TAIL", tail)
    monkeypatch.setattr(arpa_hashed, "BLOCK", block)
    for old, new in ((b"-0.5\tcat </s>", b"-0.5\tthe cat"), (b"-0.2\t<s> the", b"-0.2\tthe dog")):
        (tmp_path / "dup.arpa").write_bytes(CLEAN.replace(old, new, 1))
        assert_same_error_as_read_arpa(tmp_path / "dup.arpa", "occurs twice")


@pytest.mark.parametrize("tail", [ONE_SLOT_ONLY, 5, WINDOWS_ONLY])
def test_models_read_with_every_tail_score_as_read_arpa(small, tmp_path, monkeypatch, tail):
    """Whole models (tiny blocks: many batches per order): the same scores as read_arpa, bit for bit."""
    monkeypatch.setattr(arpa_hashed, "TAIL", tail)
    monkeypatch.setattr(hashed, "TAIL", tail)
    monkeypatch.setattr(arpa_hashed, "BLOCK", 301)
    _, test, _ = small
    for name, order in (("mkn", 4), ("kn", 3)):
        fitted(name, order, small).to_arpa(tmp_path / "m.arpa")
        ref_tables, ref_vocab = read_arpa(tmp_path / "m.arpa")
        tables, vocab = read_arpa_hashed(tmp_path / "m.arpa")
        assert vocab.words == ref_vocab.words
        corpus = corpus_of(test)
        np.testing.assert_array_equal(BackoffModel.from_tables(tables, vocab).token_logprobs(corpus).view(np.int64),
                                      BackoffModel.from_tables(ref_tables, ref_vocab).token_logprobs(corpus).view(np.int64))


# ---------------------------------------------------------------------- the backoff rule
def old_combine(tables, grams, contexts):
    """The rule as it was: every order's probability and backoff read for every prediction."""
    best = np.full(len(grams[0]), np.nan)
    best_length = np.zeros(len(grams[0]), np.int8)
    for length, found in enumerate(grams, start=1):
        hit = found >= 0
        best = np.where(hit, _gather(tables.log_prob[length - 1], found), best)
        best_length[hit] = length
    for length in range(2, len(grams) + 1):
        context = contexts[length - 1]
        add = (context >= 0) & (best_length < length)
        best += np.where(add, _gather(tables.log_backoff[length - 2], context), 0.0)
    return best


@settings(max_examples=60, deadline=None)
@given(order=st.integers(1, 5), n=st.integers(0, 60), seed=st.integers(0, 2 ** 31))
def test_combine_gives_the_bits_of_the_old_rule(order, n, seed):
    """Random tables (values with +0.0, -0.0, -inf among them) and random hits: bit for bit."""
    rng = np.random.default_rng(seed)
    sizes = rng.integers(0, 6, order)
    special = np.array([0.0, -0.0, -np.inf, -1e-300])

    def values(size):
        v = -rng.exponential(2.0, size)
        pick = rng.random(size) < 0.3
        v[pick] = special[rng.integers(0, len(special), pick.sum())]
        return v

    tables = BackoffTables(None, [values(s) for s in sizes], [values(s) for s in sizes])
    grams = [np.where(rng.random(n) < 0.6, rng.integers(0, max(s, 1), n), -1) if s else np.full(n, -1)
             for s in sizes]
    contexts = [None] + [np.where(rng.random(n) < 0.7, rng.integers(0, max(s, 1), n), -1) if s else np.full(n, -1)
                         for s in sizes[:-1]]
    np.testing.assert_array_equal(tables._combine(grams, contexts).view(np.int64),
                                  old_combine(tables, grams, contexts).view(np.int64))


# ---------------------------------------------------------------------- words
WORDS = st.lists(st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")), min_size=1, max_size=20),
                 min_size=1, max_size=60, unique=True)


@settings(max_examples=80, deadline=None)
@given(words=WORDS, strays=st.lists(st.text(st.characters(blacklist_categories=("Cs", "Zs", "Cc")),
                                            min_size=1, max_size=20), max_size=20))
def test_word_table_ids_are_the_dictionary_s(words, strays):
    """Short words (their own key) and long ones (mixed): lookup and lookup_mixed give the list's
    ids; lookup gives -1 for every other token (lookup_mixed does for these too)."""
    table = WordTable(words)
    tokens = words + [s for s in strays if s not in words]
    raw = [t.encode() for t in tokens]
    buffer = padded(b"".join(raw) + bytes(16))
    lengths = np.array([len(r) for r in raw], np.int64)
    starts = np.cumsum(lengths) - lengths
    expected = np.array([words.index(t) if t in words else -1 for t in tokens])
    np.testing.assert_array_equal(table.lookup(u64_view(buffer), starts, lengths), expected)
    np.testing.assert_array_equal(table.lookup_mixed(u64_view(buffer), starts, lengths), expected)


def test_a_short_word_s_key_is_its_bytes():
    raw = b"a\tthe\tcats\tabcdefgh\tabcdefghi"
    buffer = padded(raw)
    tokens = raw.split(b"\t")
    lengths = np.array([len(t) for t in tokens], np.int64)
    starts = np.cumsum(lengths + 1) - lengths - 1
    first, key = word_keys(u64_view(buffer), starts, lengths)
    assert key[:4].tolist() == [int.from_bytes(t, "little") for t in tokens[:4]]
    assert key[4] != int.from_bytes(tokens[4][:8], "little")  # longer: a mix of every byte
    np.testing.assert_array_equal(first, [int.from_bytes(t[:8], "little") for t in tokens])
