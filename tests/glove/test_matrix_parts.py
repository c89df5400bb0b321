"""A co-occurrence folder assembled from reduce tasks' part files (renamed into it: a version 2
folder of parts) reads as the folder written from the same rows in memory; errors are one line."""

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


@pytest.mark.parametrize("cuts, n_parts", [([0, 50], None), ([0, 1, 20, 21, 50], 4), ([0, 7, 7 + 1, 50], 3),
                                           ([0, 10, 13, 50], 2)])
def test_parts_give_the_same_matrix_as_the_rows_in_memory(tmp_path, cuts, n_parts):
    """Parts with nonzeros are renamed into the folder (rows 10-12 are empty: a part of only
    them is dropped); one part is a version 1 folder, more a version 2 one of that many."""
    keep = np.ones(50)
    keep[10:13] = 0  # empty rows
    matrix = (scipy.sparse.diags(keep) @ scipy.sparse.random(50, 50, density=0.2, format="csr", random_state=3)).tocsr()
    matrix.eliminate_zeros()
    matrix.sort_indices()
    expected = write_cooccurrence_file(tmp_path / "A", [(0, matrix)], 50, None, {"x": 1})
    parts = _parts(tmp_path, matrix, cuts)
    got = write_cooccurrence_parts(tmp_path / "B", parts, 50, None, {"x": 1})
    assert got.parts == ([part.nnz for part in parts if part.nnz] if n_parts else None)
    assert len(list((tmp_path / "B").glob("data*"))) == (n_parts or 1)
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(got.array(name), expected.array(name))
        np.testing.assert_array_equal(got.array(name)[7:313], expected.array(name)[7:313])
    assert got.nnz == expected.nnz == matrix.nnz and got.options == {"x": 1}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A", "B"]  # parts removed
    assert (CooccurrenceFile.open(tmp_path / "B").to_csr() != matrix).nnz == 0


def test_a_parted_folder_trains_like_one_file_and_damage_is_refused(tmp_path):
    """GloVe's blocks of nonzeros read from a version 2 folder equal those of a version 1 one;
    a truncated or missing part, or parts that do not add up, are a one-line error on opening."""
    import json

    from wordnet_lm.errors import ModelFileError
    from wordnet_lm.glove.nonzeros import NonzeroBlocks

    matrix = scipy.sparse.random(40, 40, density=0.3, format="csr", random_state=6)
    matrix.data = np.ceil(matrix.data * 5)
    one = write_cooccurrence_file(tmp_path / "A", [(0, matrix)], 40, None, {})
    parted = write_cooccurrence_parts(tmp_path / "B", _parts(tmp_path, matrix, [0, 11, 12, 29, 40]), 40, None, {})
    assert len(parted.parts) == 4
    a, b = NonzeroBlocks(one, 100.0, 0.75, block_nonzeros=37), NonzeroBlocks(parted, 100.0, 0.75, block_nonzeros=37)
    for x, y in zip(a.blocks(), b.blocks(), strict=True):
        np.testing.assert_array_equal(x.packed, y.packed)
    header = json.loads((tmp_path / "B" / "header.json").read_text())
    (tmp_path / "B" / "header.json").write_text(json.dumps(dict(header, parts=header["parts"][:-1])))
    with pytest.raises(ModelFileError, match="do not add up"):
        CooccurrenceFile.open(tmp_path / "B")
    (tmp_path / "B" / "header.json").write_text(json.dumps(header))
    data = tmp_path / "B" / "data.2.f64"
    data.write_bytes(data.read_bytes()[:-8])
    with pytest.raises(ModelFileError, match="data.2.f64: missing or truncated"):
        CooccurrenceFile.open(tmp_path / "B")
    data.unlink()
    with pytest.raises(ModelFileError, match="missing"):
        CooccurrenceFile.open(tmp_path / "B")


def test_parts_out_of_order_or_short_are_refused_and_nothing_is_left(tmp_path):
    matrix = scipy.sparse.random(20, 20, density=0.3, format="csr", random_state=1)
    a, b = _parts(tmp_path, matrix, [0, 8, 20])
    with pytest.raises(ValueError, match="out of order"):
        write_cooccurrence_parts(tmp_path / "M", [b, a], 20, None, {})
    a, b = _parts(tmp_path, matrix, [0, 8, 20])
    with pytest.raises(ValueError, match="cover"):
        write_cooccurrence_parts(tmp_path / "M", [a], 20, None, {})
    assert not (tmp_path / "M").exists() and not any(p.name.startswith(".M") for p in tmp_path.iterdir())


def _across_file_systems(monkeypatch):
    """Renaming a part (not the finished folder) fails as between two file systems."""
    rename = os.replace

    def replace(source, target):
        if str(source).endswith((".indices", ".data")):
            raise OSError(errno.EXDEV, os.strerror(errno.EXDEV))
        return rename(source, target)

    monkeypatch.setattr(os, "replace", replace)


def test_parts_are_copied_where_they_cannot_be_renamed(tmp_path, monkeypatch):
    matrix = scipy.sparse.random(30, 30, density=0.3, format="csr", random_state=5)
    expected = write_cooccurrence_file(tmp_path / "A", [(0, matrix)], 30, None, {})
    _across_file_systems(monkeypatch)
    got = write_cooccurrence_parts(tmp_path / "B", _parts(tmp_path, matrix, [0, 4, 17, 30]), 30, None, {})
    for name in ("indptr", "indices", "data"):
        np.testing.assert_array_equal(got.array(name), expected.array(name))
    assert sorted(p.name for p in tmp_path.iterdir()) == ["A", "B"]


def test_full_disk_while_copying_is_one_line(tmp_path, monkeypatch):
    matrix = scipy.sparse.random(20, 20, density=0.3, format="csr", random_state=2)
    parts = _parts(tmp_path, matrix, [0, 20])

    def full(*args):
        raise OSError(errno.ENOSPC, os.strerror(errno.ENOSPC))

    _across_file_systems(monkeypatch)
    monkeypatch.setattr(os, "copy_file_range", full)
    with pytest.raises(DiskFullError, match="no space left") as caught:
        write_cooccurrence_parts(tmp_path / "M", parts, 20, None, {})
    assert isinstance(caught.value, WordnetLMError) and "\n" not in str(caught.value)
    assert not (tmp_path / "M").exists()
