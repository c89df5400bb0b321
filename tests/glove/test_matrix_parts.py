"""A co-occurrence folder assembled from reduce tasks' part files (appended in the kernel) is
the folder written from the same rows in memory; errors are one line."""

import errno
import os

import numpy as np
import pytest
import scipy.sparse

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.glove.matrix_file import CooccurrenceFile, RowFiles, write_cooccurrence_file, write_cooccurrence_parts
from wordnet_lm.scale.spill import write_raw
from wordnet_lm.scale.tempdir import DiskFullError


def _parts(tmp_path, matrix, cuts):
    """``matrix`` cut into row ranges written as part files the way the reduce tasks write them."""
    parts = []
    for k, (first, stop) in enumerate(zip(cuts[:-1], cuts[1:])):
        rows = matrix[first:stop]
        part = RowFiles(str(tmp_path / f"part{k}"), first, stop, rows.nnz)
        write_raw(part.file("indices"), rows.indices.astype(np.int32))
        write_raw(part.file("data"), rows.data.astype(np.float64))
        write_raw(part.file("lengths"), np.diff(rows.indptr).astype(np.int64))
        parts.append(part)
    return parts


@pytest.mark.parametrize("cuts", [[0, 50], [0, 1, 20, 21, 50], [0, 7, 7 + 1, 50]])
def test_parts_give_the_same_folder_as_the_rows_in_memory(tmp_path, cuts):
    keep = np.ones(50)
    keep[10:13] = 0  # empty rows
    matrix = (scipy.sparse.diags(keep) @ scipy.sparse.random(50, 50, density=0.2, format="csr", random_state=3)).tocsr()
    matrix.eliminate_zeros()
    matrix.sort_indices()
    expected = write_cooccurrence_file(tmp_path / "A", [(0, matrix)], 50, None, {"x": 1})
    parts = _parts(tmp_path, matrix, cuts)
    got = write_cooccurrence_parts(tmp_path / "B", parts, 50, None, {"x": 1})
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(got.array(name), expected.array(name))
    assert got.nnz == expected.nnz == matrix.nnz and got.options == {"x": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A", "B"]  # parts removed
    assert (CooccurrenceFile.open(tmp_path / "B").to_csr() != matrix).nnz == 0


def test_parts_out_of_order_or_short_are_refused_and_nothing_is_left(tmp_path):
    matrix = scipy.sparse.random(20, 20, density=0.3, format="csr", random_state=1)
    a, b = _parts(tmp_path, matrix, [0, 8, 20])
    with pytest.raises(ValueError, match="out of order"):
        write_cooccurrence_parts(tmp_path / "M", [b, a], 20, None, {})
    a, b = _parts(tmp_path, matrix, [0, 8, 20])
    with pytest.raises(ValueError, match="cover"):
        write_cooccurrence_parts(tmp_path / "M", [a], 20, None, {})
    assert not (tmp_path / "M").exists() and not any(p.name.startswith(".M") for p in tmp_path.iterdir())


def test_full_disk_while_appending_is_one_line(tmp_path, monkeypatch):
    matrix = scipy.sparse.random(20, 20, density=0.3, format="csr", random_state=2)
    parts = _parts(tmp_path, matrix, [0, 20])

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    monkeypatch.setattr(os, "copy_file_range", full)
    with pytest.raises(DiskFullError, match="no space left") as caught:
        write_cooccurrence_parts(tmp_path / "M", parts, 20, None, {})
    assert isinstance(caught.value, WordnetLMError) and "\n" not in str(caught.value)
    assert not (tmp_path / "M").exists()


class _Twice:
    """An executor that runs every task twice, out of order (a retried task, tasks in any order)."""

    workers = 2

    def map(self, fn, items):
        items = list(items)
        for item in reversed(items):
            fn(item)
        return [fn(item) for item in items]


def test_parts_copied_by_tasks_in_other_processes_or_twice_give_the_same_folder(tmp_path):
    from wordnet_lm.scale.executor import ProcessPool

    matrix = scipy.sparse.random(60, 60, density=0.25, format="csr", random_state=4)
    cuts = [0, 9, 9, 30, 41, 60]
    expected = write_cooccurrence_file(tmp_path / "A", [(0, matrix)], 60, None, {})
    with ProcessPool(2) as pool:
        got = write_cooccurrence_parts(tmp_path / "B", _parts(tmp_path, matrix, cuts), 60, None, {}, pool)
    again = write_cooccurrence_parts(tmp_path / "C", _parts(tmp_path, matrix, cuts), 60, None, {}, _Twice())
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(got.array(name), expected.array(name))
        np.testing.assert_array_equal(again.array(name), expected.array(name))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A", "B", "C"]


def test_parts_are_copied_through_a_buffer_where_the_kernel_cannot(tmp_path, monkeypatch):
    matrix = scipy.sparse.random(30, 30, density=0.3, format="csr", random_state=5)
    expected = write_cooccurrence_file(tmp_path / "A", [(0, matrix)], 30, None, {})

    def cross_device(*args):
        raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))

    monkeypatch.setattr(os, "copy_file_range", cross_device)
    got = write_cooccurrence_parts(tmp_path / "B", _parts(tmp_path, matrix, [0, 4, 17, 30]), 30, None, {}, _Twice())
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(got.array(name), expected.array(name))
