"""GloVe from a memory-mapped co-occurrence folder: the same vectors as from the matrix in memory."""

from __future__ import annotations

import json

import numpy as np
import pytest

from wordnet_lm.errors import ModelFileError, TrainingError
from wordnet_lm.glove import GloVe, count_cooccurrences
from wordnet_lm.glove.cooccur import count_cooccurrences_to_file
from wordnet_lm.glove.matrix_file import CooccurrenceFile
from wordnet_lm.glove.nonzeros import NonzeroBlocks
from wordnet_lm.text.demo import demo_paths


@pytest.fixture(scope="module")
def counted(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cooc") / "X"
    matrix, vocab = count_cooccurrences(demo_paths()["train"], window=5)
    on_disk = count_cooccurrences_to_file(demo_paths()["train"], folder, window=5, memory=1 << 20)
    return matrix, on_disk


def fitted(data, **options):
    return GloVe(dim=8, epochs=3, seed=3, n_threads=1, **options).fit(data)


def assert_same_model(a: GloVe, b: GloVe) -> None:
    for name in ("W_", "W_tilde_", "b_", "b_tilde_"):
        np.testing.assert_array_equal(getattr(a, name), getattr(b, name))
    assert a.loss_history_ == b.loss_history_


def test_file_in_blocks_equals_memory_in_the_same_blocks(counted):
    matrix, on_disk = counted
    block = matrix.nnz // 5 - 17  # six blocks, the last one short
    assert NonzeroBlocks(on_disk, 5.0, 0.75, block).n_blocks == 6
    assert_same_model(fitted(on_disk, block_nonzeros=block), fitted(matrix, block_nonzeros=block))


def test_file_in_one_block_equals_the_in_memory_trainer(counted):
    matrix, on_disk = counted
    assert_same_model(fitted(on_disk, block_nonzeros=matrix.nnz), fitted(matrix))


def test_blocks_hold_the_entries_in_row_order(counted):
    matrix, on_disk = counted
    blocks = NonzeroBlocks(on_disk, 5.0, 0.75, 1000)
    packed = np.concatenate([b.packed for b in blocks.blocks()])
    np.testing.assert_array_equal(packed, NonzeroBlocks(matrix, 5.0, 0.75).in_memory.packed)


def test_resume_from_a_checkpoint_of_a_file_run(counted, tmp_path):
    _, on_disk = counted
    whole = fitted(on_disk, block_nonzeros=4000)
    ckpt = tmp_path / "run.ckpt.npz"
    GloVe(dim=8, epochs=2, seed=3, n_threads=1, block_nonzeros=4000).fit(on_disk, checkpoint=ckpt)
    resumed = GloVe(dim=8, epochs=3, seed=3, n_threads=1, block_nonzeros=4000).fit(on_disk, checkpoint=ckpt,
                                                                                  resume=True)
    assert_same_model(resumed, whole)


def test_damaged_folders_are_refused(counted, tmp_path):
    _, on_disk = counted
    with pytest.raises(ModelFileError, match="no header.json"):
        CooccurrenceFile.open(tmp_path)
    (tmp_path / "header.json").write_text(json.dumps({"format": "other"}))
    with pytest.raises(ModelFileError, match="not a wordnet-lm co-occurrence folder"):
        CooccurrenceFile.open(tmp_path)
    copy = tmp_path / "copy"
    copy.mkdir()
    for f in on_disk.path.iterdir():
        (copy / f.name).write_bytes(f.read_bytes())
    (copy / "data.f64").write_bytes((copy / "data.f64").read_bytes()[:-8])
    with pytest.raises(ModelFileError, match="data.f64: missing or truncated"):
        CooccurrenceFile.open(copy)
    (copy / "data.f64").write_bytes(np.full(on_disk.nnz, np.nan).tobytes())
    with pytest.raises(TrainingError, match="finite"):
        fitted(CooccurrenceFile.open(copy))
    with pytest.raises(TrainingError, match="block_nonzeros must be positive"):
        fitted(on_disk, block_nonzeros=0)
