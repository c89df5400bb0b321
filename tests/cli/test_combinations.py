"""Options that a combination makes meaningless are an error, not silently ignored."""

from __future__ import annotations

import pytest

from wordnet_lm.cli import main

COMBINATIONS = [
    (["plot", "--method", "pca", "--perplexity", "5"], "--perplexity applies to t-SNE"),
    (["plot", "--pairs", "a:b", "--perplexity", "5"], "--perplexity applies to t-SNE"),
    (["plot", "--max-pairs", "3"], "--max-pairs applies to --analogy-section"),
    (["plot", "--analogies", "x.txt"], "--analogies is read only with --analogy-section"),
    (["plot", "--pairs", "a:b", "--method", "pca"], "--method applies to maps of words"),
    (["ngram", "--smoothing", "mkn", "--k", "2"], "--k applies to add-k"),
    (["ngram", "--smoothing", "add-k", "--discount", "0.5"], "--discount applies to"),
    (["ngram", "--smoothing", "kn", "--heldout", "x.txt"], "--heldout applies to jelinek-mercer"),
    (["glove", "--resume", "--no-checkpoint"], "drop --no-checkpoint"),
    (["perplexity", "--model", "m.arpa", "--text", "t.txt", "--sentence", "a b"], "give --sentence or --text"),
    (["next", "--model", "m.npz", "the", "--sentence", "the"], "give the words starting the sentence once"),
]


@pytest.mark.parametrize("argv, message", COMBINATIONS, ids=[" ".join(a) for a, _ in COMBINATIONS])
def test_meaningless_combinations_are_one_line_errors(argv, message, tmp_path, monkeypatch, capsys):
    monkeypatch.chdir(tmp_path)
    assert main(argv) == 2
    err = capsys.readouterr().err.strip()
    assert message in err and err.count("\n") == 0, err
