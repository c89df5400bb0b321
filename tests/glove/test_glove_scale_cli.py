"""``wordnet-lm cooccur`` and ``wordnet-lm glove --memory/--cooccurrences``: the same vectors as
the in-memory command; bad scale options fail at once."""

from __future__ import annotations

import numpy as np
import pytest

from wordnet_lm.cli import main
from wordnet_lm.glove import count_cooccurrences
from wordnet_lm.glove.matrix_file import CooccurrenceFile
from wordnet_lm.text.demo import demo_paths
from wordnet_lm.vectors import KeyedVectors

FAST = ["--epochs", "2", "--dim", "6", "--quiet", "--no-checkpoint", "--window", "5"]


def vectors(path):
    kv = KeyedVectors.load(path)
    return kv.index_to_key, kv.vectors


def test_glove_with_a_budget_and_from_a_folder_equal_the_in_memory_command(tmp_path):
    assert main(["glove", "--out", str(tmp_path / "memory.txt"), *FAST]) == 0
    assert main(["glove", "--out", str(tmp_path / "budget.txt"), "--memory", "8M", "--temp", str(tmp_path),
                 *FAST]) == 0
    assert main(["cooccur", "demo", "--out", str(tmp_path / "X"), "--window", "5", "--memory", "1M"]) == 0
    assert main(["glove", "--cooccurrences", str(tmp_path / "X"), "--out", str(tmp_path / "folder.txt"),
                 *FAST]) == 0
    words, expected = vectors(tmp_path / "memory.txt")
    for name in ("budget.txt", "folder.txt"):
        got_words, got = vectors(tmp_path / name)
        assert got_words == words
        np.testing.assert_array_equal(got, expected)
    matrix, _ = count_cooccurrences(demo_paths()["train"], window=5)
    folder = CooccurrenceFile.open(tmp_path / "X")
    np.testing.assert_array_equal(folder.to_csr().data, matrix.data)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["X", "budget.txt", "folder.txt", "memory.txt"]


@pytest.mark.parametrize("options,message", [
    (["--memory", "lots"], "expected a size"),
    (["--memory", "1G", "--temp", "/no/such/folder"], "temporary folder does not exist"),
    (["--workers", "0"], "must be an integer from 1"),
    (["--cooccurrences", "/no/such/folder"], "no header.json"),
])
def test_bad_scale_options_are_one_line_errors(tmp_path, capsys, options, message):
    assert main(["glove", "--out", str(tmp_path / "v.txt"), *FAST, *options]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1
    assert not (tmp_path / "v.txt").exists()
