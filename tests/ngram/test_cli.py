"""``wordnet-lm ngram``, ``perplexity`` and ``ngram-sample``."""

import math
import re

import pytest

from wordnet_lm.cli import main
from wordnet_lm.ngram import load_model, make_model
from wordnet_lm.text import load_corpus

TRAIN = "\n".join(["the cat sat on the mat", "the dog sat on the log", "a cat and a dog",
                   "the cat saw the dog", "a dog sat"] * 4) + "\n"
TEST = "the cat sat on the log\nthe bird sat\n"


@pytest.fixture
def texts(tmp_path):
    (tmp_path / "train.txt").write_text(TRAIN)
    (tmp_path / "test.txt").write_text(TEST)
    return tmp_path


def test_train_write_and_score(texts, capsys):
    arpa, npz = texts / "m.arpa", texts / "m.npz"
    status = main(["ngram", "--train", str(texts / "train.txt"), "--order", "3", "--smoothing", "kn",
                   "--arpa", str(arpa), "--model", str(npz), "--test", str(texts / "test.txt"),
                   "--sample", "2", "--seed", "1"])
    out, err = capsys.readouterr()
    assert status == 0 and arpa.exists() and npz.exists()
    assert "wordnet-lm ngram: warning: cannot compute the discount of the 3-grams" in err
    assert "KneserNey(order=3" in out and out.count("sample:") == 2
    reported = float(re.search(r"test perplexity ([\d.]+)", out)[1])

    train, vocab = load_corpus(texts / "train.txt")
    with pytest.warns(UserWarning, match="fallback discount"):  # the CLI printed it as one line
        expected = make_model("kn", 3).fit(train, vocab).perplexity(load_corpus(texts / "test.txt", vocab=vocab)[0])
    assert math.isclose(reported, expected.perplexity, abs_tol=0.006)
    for model in (arpa, npz):
        assert main(["perplexity", "--model", str(model), "--text", str(texts / "test.txt")]) == 0
        out = capsys.readouterr().out
        assert math.isclose(float(re.search(r"including OOVs:\s+([\d.]+)", out)[1]), expected.perplexity,
                            rel_tol=1e-4)
        assert re.search(r"OOVs:\s+1\n", out) and re.search(r"Tokens:\s+11\n", out)  # 'bird'; 9 words + 2 </s>
    assert main(["perplexity", "-m", str(npz), "-t", str(texts / "test.txt"), "--per-sentence"]) == 0
    assert "sentence 2\tlog10" in capsys.readouterr().out
    assert main(["ngram-sample", "-m", str(arpa), "-n", "3", "--seed", "4", "--start", "the"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert len(lines) == 3 and all(line.startswith("the") for line in lines)


def test_discounts_and_smoothing_options(texts, capsys):
    assert main(["ngram", "--train", str(texts / "train.txt"), "--order", "2", "--smoothing", "MKN", "--discount", "0.4", "0.8",
                 "1.2"]) == 0
    assert "0.400 / 0.800 / 1.200" in capsys.readouterr().out
    assert main(["ngram", "--train", str(texts / "train.txt"), "--order", "2", "--smoothing", "laplace", "--k", "0.5",
                 "--model", str(texts / "a.npz")]) == 0
    assert load_model(texts / "a.npz").k == 0.5
    assert main(["ngram", "--train", str(texts / "train.txt"), "--order", "2", "--smoothing", "jm",
                 "--heldout", str(texts / "test.txt")]) == 0
    assert "weights (order 1..n)" in capsys.readouterr().out


@pytest.mark.parametrize("argv, message", [
    (["ngram", "--smoothing", "witten-bell"], "unknown smoothing 'witten-bell'"),
    (["ngram", "--order", "0"], "--order: must be an integer from 1 to 20"),
    (["ngram", "--order", "21"], "--order: must be an integer from 1 to 20"),
    (["ngram", "--smoothing", "add-k", "--discount", "0.5"], "--discount applies to"),
    (["ngram", "--smoothing", "add-k", "--k", "-1"], "--k: must be a number > 0"),
    (["ngram", "--smoothing", "mkn", "--k", "2"], "--k applies to add-k"),
    (["ngram", "--smoothing", "kn", "--heldout", "{tmp}/train.txt"], "--heldout applies to jelinek-mercer"),
    (["ngram", "--train", "{tmp}/empty.txt"], "empty.txt"),
    (["ngram", "--train", "{tmp}/missing.txt"], "missing.txt"),
    (["perplexity", "--model", "{tmp}/train.txt"], "no \\\\data\\\\ line"),
    (["perplexity", "--model", "{tmp}/nothing.arpa"], "no such model file"),
])
def test_bad_input_gives_one_line_and_status_2(argv, message, texts, capsys):
    (texts / "empty.txt").write_text("")
    status = main([a.replace("{tmp}", str(texts)) for a in argv])
    err = capsys.readouterr().err.strip()
    assert status == 2 and len(err.splitlines()) == 1 and re.search(message, err), err
