"""The map tasks' counter (``runs.count_chunk``): the in-memory counter's keys and counts, and
how many distinct n-grams start with each word (the reduce work the ranges are cut by),
checked against a count of n-gram tuples in plain Python."""

from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from .conftest import corpus_of
from wordnet_lm.errors import TrainingError
from wordnet_lm.ngram.counts import count_ngrams
from wordnet_lm.ngram import runs
from wordnet_lm.ngram.runs import count_chunk
from wordnet_lm.ngram.streamed import DiskTables, save_parts
from wordnet_lm.text.vocab import BOS_ID, EOS_ID

sentences = st.lists(st.lists(st.integers(3, 9), min_size=0, max_size=7), min_size=1, max_size=8)


@settings(max_examples=60, deadline=None)
@given(sentences, st.integers(1, 4))
def test_count_chunk_equals_the_in_memory_counter_and_a_tuple_count(sents, order):
    corpus = corpus_of(sents)
    got = count_chunk(corpus, order, 10)
    want = count_ngrams(corpus, order, 10)
    for n in range(2, order + 1):
        np.testing.assert_array_equal(got.keys[n - 2], want.index.keys[n - 1])
    for n in range(1, order + 1):
        np.testing.assert_array_equal(got.counts[n - 1], want.counts[n - 1])
    distinct = set()
    for s in sents:
        padded = [BOS_ID] + s + [EOS_ID]
        distinct |= {tuple(padded[i:i + n]) for n in range(2, order + 1) for i in range(len(padded) - n + 1)}
    first = Counter(gram[0] for gram in distinct)
    np.testing.assert_array_equal(got.first_words, [first[w] for w in range(10)])


def test_markers_in_the_text_and_bad_ids_are_refused():
    with pytest.raises(TrainingError, match="markers"):
        count_chunk(corpus_of([[4, BOS_ID, 5]]), 3, 10)
    with pytest.raises(TrainingError, match="markers"):
        count_chunk(corpus_of([[EOS_ID]]), 2, 10)
    with pytest.raises(ValueError, match="word ids"):
        count_chunk(corpus_of([[4, 12]]), 2, 10)


def test_count_file_types_are_the_narrowest_that_hold_the_largest_count():
    assert runs.narrowest_count(0) == runs.narrowest_count(65_535) == np.uint16
    assert runs.narrowest_count(65_536) == runs.narrowest_count(2 ** 31 - 1) == np.int32
    assert runs.narrowest_count(2 ** 31) == np.int64


@pytest.mark.parametrize("count_type", ["uint16", "int32", "int64"])
def test_shards_merged_with_narrow_or_wide_files_equal_the_in_memory_counter(tmp_path, monkeypatch, count_type):
    """Run keys take 4 bytes (split), run counts the narrowest type that holds them, the merge's
    index maps int32 when they fit (less to write), int64 otherwise; the last order writes no
    map (nothing reads it).  Whatever the types: the same tables."""
    from wordnet_lm.text.encode import encode_corpus
    from wordnet_lm.text.encoded import EncodedCorpus

    rng = np.random.default_rng(5)
    text = tmp_path / "c.txt"
    text.write_text("\n".join(" ".join(f"w{int(x)}" for x in rng.zipf(1.5, rng.integers(1, 9)) % 40)
                              for _ in range(400)) + "\n")
    encode_corpus(text, tmp_path / "enc")
    encoded = EncodedCorpus.open(tmp_path / "enc")
    narrow = count_type != "int64"
    if count_type != "uint16":  # (this corpus's counts fit uint16)
        monkeypatch.setattr(runs, "narrowest_count", lambda largest: np.dtype(count_type).type)
    if not narrow:
        monkeypatch.setattr(runs, "narrowest_index", lambda bound: np.int64)
    order, size = 4, len(encoded.vocab)
    shards = [runs.ShardTask(str(encoded.path), a, b, order, size, None, 300, str(tmp_path / f"run{k}"))
              for k, (a, b) in enumerate(encoded.shards(3))]
    made = [run for task in shards for run in runs.count_shard(task)]
    assert len(made) > 3 and {run.count_types for run in made} == {(count_type,) * (order - 1)}
    width = np.dtype(count_type).itemsize
    assert all(run.counts(n).path.stat().st_size == width * run.sizes[n - 1] and
               run.keys(n).path.stat().st_size == 4 * run.sizes[n - 1] for run in made for n in range(2, order + 1))
    created = []
    create = runs.DiskArray.create.__func__
    monkeypatch.setattr(runs.DiskArray, "create", classmethod(lambda cls, path, dtype: created.append(
        (Path(path).name, np.dtype(dtype))) or create(cls, path, dtype)))
    ranges = [(0, 7), (7, 20), (20, size)]
    parts = [runs.merge_range(runs.RangeTask(tuple(made), a, b, order, size, 16, str(tmp_path / f"part{k}")))
             for k, (a, b) in enumerate(ranges)]
    maps = {name.split(".")[1] for name, _ in created if ".m" in name}
    assert maps == {"m2", "m3"}  # the last order's map is never written
    assert {dtype for name, dtype in created if ".m" in name} == {np.dtype(np.int32 if narrow else np.int64)}
    assert not list(tmp_path.glob("part*.m*"))  # and the others are removed
    sizes = save_parts(tmp_path, parts)
    tables = DiskTables(tmp_path, size, np.zeros(size, np.int64), [size] + sizes, 0, 0)
    want = count_ngrams(encoded.corpus(), order, size)
    # per-word files hold the words a run has: the runs' counts add up to the corpus's
    np.testing.assert_array_equal(sum(run.unigram_counts() for run in made), want.counts[0])
    assert all(Path(f"{run.path}.c1").stat().st_size == 16 * np.count_nonzero(run.unigram_counts()) for run in made)
    for run in made:  # every entry of orders 2..N starts with a word of the run
        first, unigrams = run.first_words(), run.unigram_counts()
        assert first.sum() == sum(run.sizes[1:]) and np.all(unigrams[first > 0] > 0)
    for n in range(2, order + 1):
        assert sizes[n - 2] == want.index.size(n)
        np.testing.assert_array_equal(tables.keys(n).read(), want.index.keys[n - 1])
        np.testing.assert_array_equal(tables.counts(n).read(), want.counts[n - 1])
