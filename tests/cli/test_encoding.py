"""--encoding reads text in other encodings, in every command that reads a corpus."""

from __future__ import annotations

import pytest

from wordnet_lm.cli import main

LATIN1 = "le caf\u00e9 est bon\nla na\u00efve fille\nle caf\u00e9 est chaud\n" * 20


@pytest.fixture
def latin1(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes(LATIN1.encode("latin-1"))
    return path


@pytest.mark.parametrize("argv", [
    ["ngram", "--train", "{f}", "--order", "2"],
    ["corpus", "info", "{f}"],
    ["train-lm", "--train", "{f}", "--out", "{d}/lm.npz", "--order", "2", "--embed-dim", "3", "--hidden", "4",
     "--epochs", "1", "-q"],
    ["glove", "--corpus", "{f}", "--min-count", "1", "--dim", "3", "--epochs", "1", "--out", "{d}/v.txt", "-q"],
])
def test_encoding_option(argv, latin1, capsys):
    args = [a.format(f=latin1, d=latin1.parent) for a in argv]
    assert main(args) == 2
    err = capsys.readouterr().err
    assert "not UTF-8 text (give its encoding, e.g. --encoding latin-1)" in err and err.count("\n") == 1
    assert main([*args, "--encoding", "latin-1"]) == 0, capsys.readouterr().err


def test_an_arpa_model_scores_with_the_encoding_it_was_trained_with(latin1, tmp_path, capsys):
    model = tmp_path / "m.npz"
    assert main(["ngram", "--train", str(latin1), "--order", "2", "--encoding", "latin-1", "--model", str(model)]) == 0
    capsys.readouterr()
    assert main(["perplexity", "--model", str(model), "--text", str(latin1)]) == 0
    assert "OOVs:\t0" in capsys.readouterr().out


def test_an_unknown_encoding_is_one_line(latin1, capsys):
    assert main(["corpus", "info", str(latin1), "--encoding", "klingon"]) == 2
    err = capsys.readouterr().err.strip()
    assert err == "wordnet-lm corpus info: error: unknown text encoding 'klingon'"
