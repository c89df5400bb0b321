"""Counting under a memory budget: spilled runs merged give the in-memory matrix, bit for bit."""

from __future__ import annotations

import tracemalloc

import numpy as np
import pytest
import scipy.sparse

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.glove import cooccurrence_matrix, count_cooccurrences
from wordnet_lm.glove import runs as runs_module
from wordnet_lm.glove.cooccur import count_cooccurrences_to_file
from wordnet_lm.glove.matrix_file import CooccurrenceFile
from wordnet_lm.glove.pair_counts import FixedPointWeights
from wordnet_lm.glove.runs import row_ranges
from wordnet_lm.scale.spill import write_raw
from wordnet_lm.scale.tempdir import DiskFullError
from wordnet_lm.text import load_corpus
from wordnet_lm.text.demo import demo_paths


def assert_identical(a: scipy.sparse.csr_matrix, b: scipy.sparse.csr_matrix) -> None:
    assert a.shape == b.shape and a.has_canonical_format and b.has_canonical_format
    np.testing.assert_array_equal(a.indptr, b.indptr)
    np.testing.assert_array_equal(a.indices, b.indices)
    np.testing.assert_array_equal(a.data, b.data)  # exact: integer sums, one division


@pytest.fixture
def spills(monkeypatch):
    """Counts the runs written."""
    written = []
    original = runs_module.Run.write.__func__

    def counting_write(cls, stem, matrix):
        written.append(matrix.nnz)
        return original(cls, stem, matrix)

    monkeypatch.setattr(runs_module.Run, "write", classmethod(counting_write))
    return written


@pytest.mark.parametrize("window,weighting,symmetric", [(10, "harmonic", True), (3, "linear", False)])
def test_tiny_budget_on_the_demo_corpus_gives_the_in_memory_matrix(tmp_path, spills, window, weighting, symmetric):
    corpus, vocab = load_corpus(demo_paths()["train"], min_count=5)
    expected = cooccurrence_matrix(corpus, len(vocab), window=window, weighting=weighting, symmetric=symmetric)
    assert not spills
    got = cooccurrence_matrix(corpus, len(vocab), window=window, weighting=weighting, symmetric=symmetric,
                              memory=200_000, temp=tmp_path)
    assert len(spills) >= 5, "the budget should force many spilled runs"
    assert_identical(got, expected)
    assert list(tmp_path.iterdir()) == []  # the spill folder is gone


def test_tiny_budget_on_brown_bengio_from_the_text_file(shared, tmp_path, spills):
    train = shared / "corpora" / "brown-bengio" / "train.txt"
    expected, vocab = count_cooccurrences(train, min_count=3, window=5)
    got, vocab2 = count_cooccurrences(train, min_count=3, window=5, memory="2M", temp=tmp_path)
    assert vocab2 == vocab
    assert len(spills) >= 10
    assert_identical(got, expected)
    assert list(tmp_path.iterdir()) == []


def test_matrix_folder_equals_the_in_memory_matrix(tmp_path, spills):
    source = demo_paths()["train"]
    expected, vocab = count_cooccurrences(source, window=4)
    written = count_cooccurrences_to_file(source, tmp_path / "X", window=4, memory=200_000, temp=tmp_path)
    assert spills and written.nnz == expected.nnz
    reopened = CooccurrenceFile.open(tmp_path / "X")
    assert_identical(reopened.to_csr(), expected)
    assert reopened.vocab() == vocab and reopened.options["window"] == 4
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X"]  # no spill folder, no half-written folder


def test_tracemalloc_peak_stays_within_the_budget(shared):
    """Every NumPy/SciPy array and Python object the counting allocates, at its peak, within the
    budget plus the returned matrix (read back from the spill folder once, not concatenated)."""
    corpus, vocab = load_corpus(shared / "corpora" / "brown-bengio" / "train.txt", min_count=3)
    budget = 8 << 20
    tracemalloc.start()
    try:
        base = tracemalloc.get_traced_memory()[0]
        tracemalloc.reset_peak()
        matrix = cooccurrence_matrix(corpus, len(vocab), window=5, memory=budget)
        peak = tracemalloc.get_traced_memory()[1] - base
    finally:
        tracemalloc.stop()
    result = matrix.data.nbytes + matrix.indices.nbytes + matrix.indptr.nbytes
    assert result > 2 * budget  # the matrix itself is bigger than the budget...
    assert peak < budget + result  # ...counting it needed no more than the budget besides


def test_interrupted_and_failed_merges_remove_the_spill_folder(tmp_path, monkeypatch):
    corpus, vocab = load_corpus(demo_paths()["train"], min_count=5)
    for error in (KeyboardInterrupt, RuntimeError):
        def failing_rows(self, first, stop, error=error):
            raise error("stop here")
        monkeypatch.setattr(runs_module.Run, "rows", failing_rows)
        with pytest.raises(error):
            cooccurrence_matrix(corpus, len(vocab), window=10, memory=200_000, temp=tmp_path)
        assert list(tmp_path.iterdir()) == []


def test_full_disk_is_a_one_line_error(tmp_path):
    with pytest.raises(DiskFullError, match=r"no space left .*--temp") as info:  # /dev/full: ENOSPC
        write_raw(__import__("pathlib").Path("/dev/full"), np.arange(1 << 16))
    assert "\n" not in str(info.value)


def test_missing_temp_folder_and_bad_budget_fail_before_counting(tmp_path):
    corpus, vocab = load_corpus(demo_paths()["train"], min_count=5)
    with pytest.raises(WordnetLMError, match="does not exist"):
        cooccurrence_matrix(corpus, len(vocab), memory=200_000, temp=tmp_path / "missing")
    with pytest.raises(WordnetLMError, match="expected a size"):
        cooccurrence_matrix(corpus, len(vocab), memory="lots")
    with pytest.raises(WordnetLMError, match="exists and is not a folder"):
        (tmp_path / "file").write_text("x")
        count_cooccurrences_to_file(demo_paths()["train"], tmp_path / "file", memory=200_000)


def test_row_ranges_cover_all_rows_within_the_limit():
    row_nnz = np.array([3, 0, 5, 1, 1, 9, 0, 2])
    ranges = row_ranges(row_nnz, 6)
    assert ranges[0][0] == 0 and ranges[-1][1] == len(row_nnz)
    assert all(a[1] == b[0] for a, b in zip(ranges, ranges[1:]))
    for first, stop in ranges:
        assert row_nnz[first:stop].sum() <= 6 or stop == first + 1


def test_fixed_point_weights_are_exact_or_within_1e8():
    for window in (1, 10, 20, 22):
        fixed = FixedPointWeights.from_weights(1.0 / np.arange(1, window + 1), "harmonic")
        np.testing.assert_array_equal(fixed.units * np.arange(1, window + 1), fixed.scale)  # exactly 1/d
    fixed = FixedPointWeights.from_weights(1.0 / np.arange(1, 41), "harmonic")
    np.testing.assert_allclose(fixed.units / fixed.scale, 1.0 / np.arange(1, 41), rtol=40 * 2.0 ** -33)
    assert fixed.max_occurrences() * 2 * fixed.units.sum() <= np.iinfo(np.int64).max
    assert fixed.max_occurrences() > 10 ** 8


def test_runs_store_counts_as_int32_only_when_every_count_fits(tmp_path):
    """A run's counts are int32 on disk when they fit (a third less to write) and int64 when
    one does not; merged, both give the exact int64 sums."""
    small = scipy.sparse.csr_matrix(np.array([[0, 5, 2**31 - 1], [7, 0, 0], [0, 0, 3]], np.int64))
    big = scipy.sparse.csr_matrix(np.array([[0, 2**31, 0], [0, 0, 1], [0, 2**40, 0]], np.int64))
    runs = [runs_module.Run.write(tmp_path / "a", small), runs_module.Run.write(tmp_path / "b", big)]
    assert [run.count_type for run in runs] == ["int32", "int64"]
    assert [(tmp_path / name).stat().st_size for name in ("a.counts", "b.counts")] == [4 * small.nnz, 8 * big.nnz]
    for first, stop in [(0, 3), (1, 3)]:
        for run, matrix in zip(runs, (small, big)):
            got = run.rows(first, stop)
            assert got.dtype == np.int64
            np.testing.assert_array_equal(got.toarray(), matrix[first:stop].toarray())
    (_, total), = runs_module.merge_runs(runs, 3, 3, max_entries=100)
    np.testing.assert_array_equal(total.toarray(), (small + big).toarray())
