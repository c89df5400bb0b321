"""The neural LM commands on a tiny corpus: train-lm, next, generate, export-vectors, compare."""

from __future__ import annotations

import numpy as np
import pytest

from wordnet_lm.cli import main
from wordnet_lm.nplm import NPLM

from .nplm_helpers import pattern_sentences

SMALL = ["--order", "3", "--embed-dim", "6", "--hidden", "8", "--batch-size", "16", "--lr", "0.02", "-q"]


@pytest.fixture(scope="module")
def corpus_files(tmp_path_factory):
    root = tmp_path_factory.mktemp("corpus")
    for name, n, seed in [("train", 80, 0), ("valid", 20, 1), ("test", 20, 2)]:
        (root / f"{name}.txt").write_text("\n".join(" ".join(s) for s in pattern_sentences(n, seed)) + "\n")
    return root


@pytest.fixture(scope="module")
def model_file(corpus_files, tmp_path_factory):
    out = tmp_path_factory.mktemp("model") / "lm.npz"
    code = main(["train-lm", "--train", str(corpus_files / "train.txt"), "--valid", str(corpus_files / "valid.txt"),
                 "--test", str(corpus_files / "test.txt"), "--out", str(out), "--epochs", "12", *SMALL])
    assert code == 0
    return out


def test_train_lm_writes_model_and_checkpoint(model_file, capsys):
    model = NPLM.load(model_file)
    assert model.order == 3 and model.embed_dim == 6 and model.hidden == 8
    assert model_file.with_name("lm.ckpt.npz").exists()
    assert 1 <= len(model.history_) <= 12


def test_train_lm_prints_perplexities(corpus_files, tmp_path, capsys):
    out = tmp_path / "m.npz"
    assert main(["train-lm", "--train", str(corpus_files / "train.txt"), "--valid", str(corpus_files / "valid.txt"),
                 "--test", str(corpus_files / "test.txt"), "--out", str(out), "--epochs", "1", *SMALL]) == 0
    printed = capsys.readouterr().out
    assert "valid perplexity" in printed and "test perplexity" in printed
    # --resume of a finished run: nothing more to do, same model
    assert main(["train-lm", "--train", str(corpus_files / "train.txt"), "--valid", str(corpus_files / "valid.txt"),
                 "--out", str(tmp_path / "m2.npz"), "--checkpoint", str(tmp_path / "m.ckpt.npz"), "--resume",
                 "--epochs", "1", *SMALL]) == 0
    a, b = NPLM.load(out), NPLM.load(tmp_path / "m2.npz")
    assert all(np.array_equal(a.params_[k], b.params_[k]) for k in a.params_)


def test_next_and_generate(model_file, capsys):
    assert main(["next", "--model", str(model_file), "the cat", "-k", "3"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    assert len(lines) == 3 and lines[0].split("\t")[0] == "sat"
    assert 0.5 < float(lines[0].split("\t")[1]) <= 1.0
    assert main(["generate", "--model", str(model_file), "--prompt", "a dog", "--n", "8", "--seed", "1"]) == 0
    text = capsys.readouterr().out
    assert text.startswith("a dog") and len(text.split()) >= 8


def test_export_vectors(model_file, tmp_path, capsys):
    out = tmp_path / "v.txt"
    assert main(["export-vectors", "--model", str(model_file), "--out", str(out)]) == 0
    header, *rows = out.read_text().splitlines()
    n, dim = map(int, header.split())
    model = NPLM.load(model_file)
    assert dim == 6 and n == len(rows) == len(model.vocab_) - 3
    word, *values = rows[0].split()
    np.testing.assert_allclose(np.array(values, float), model.params_["embed.C"][model.vocab_.id(word)], rtol=1e-5)


def test_errors_are_one_line_exit_2(model_file, tmp_path, capsys):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(model_file.read_bytes()[:100])
    assert main(["next", "--model", str(bad), "the"]) == 2
    err = capsys.readouterr().err
    assert "bad.npz" in err and err.count("\n") == 1
    assert main(["next", "--model", str(model_file), "the zebra"]) == 2
    assert "zebra" in capsys.readouterr().err
    assert main(["generate", "--model", str(tmp_path / "missing.npz")]) == 2
    assert "missing.npz" in capsys.readouterr().err
    assert main(["train-lm", "--train", str(tmp_path / "nope.txt"), "-q"]) == 2
    assert "nope.txt" in capsys.readouterr().err
    assert main(["train-lm", "--train", str(model_file), "--hidden", "0", "-q"]) == 2  # no direct connections
    assert "direct" in capsys.readouterr().err


@pytest.mark.filterwarnings("ignore:cannot compute modified Kneser-Ney discounts")
def test_compare_prints_one_table(corpus_files, tmp_path, capsys, monkeypatch):
    monkeypatch.chdir(tmp_path)  # the neural LM's working checkpoint is written here, then removed
    md, csv = tmp_path / "t.md", tmp_path / "t.csv"
    assert main(["compare", "--train", str(corpus_files / "train.txt"), "--valid", str(corpus_files / "valid.txt"),
                 "--test", str(corpus_files / "test.txt"), "--orders", "2-3", "--epochs", "3",
                 "--save-table", str(md), "--save-table", str(csv), *SMALL]) == 0
    table = capsys.readouterr().out
    for name in ("add-k", "interpolated-kn", "modified-kn", "neural LM", "neural LM +"):
        assert name in table
    assert md.read_text().startswith("| model |")
    assert len(csv.read_text().strip().splitlines()) == 1 + 3 * 2 + 3  # n-grams, neural, mixture, + cache
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.csv", "t.md"]


def test_perplexity_command_scores_a_neural_lm(model_file, corpus_files, capsys):
    """``wordnet-lm perplexity`` takes a neural LM file too; its number and the per-sentence
    log10 probabilities agree with an independent sum over the model's log-probabilities."""
    text = corpus_files / "test.txt"
    assert main(["perplexity", "--model", str(model_file), "--text", str(text), "--per-sentence"]) == 0
    lines = capsys.readouterr().out.strip().splitlines()
    model = NPLM.load(model_file)
    sentences = [line.split() for line in text.read_text().splitlines()]
    total, count = 0.0, 0
    for k, words in enumerate(sentences):
        context, logp = ["<s>"] * (model.order - 1), 0.0
        for word in words + ["</s>"]:
            target = model.vocab_.id(word) if word in model.vocab_ else model.vocab_.id("<unk>")
            probs = np.exp(model.log_probs(np.array([[model.vocab_.id(w) for w in context]]))[0])
            logp += float(np.log(probs[target]))
            context = context[1:] + [word if word in model.vocab_ else "<unk>"]
        assert float(lines[k].split("\t")[1].split()[1]) == pytest.approx(logp / np.log(10), abs=1e-3)
        total, count = total + logp, count + len(words) + 1
    assert lines[-1].startswith("perplexity ")
    assert float(lines[-1].split()[1]) == pytest.approx(np.exp(-total / count), abs=0.006)  # printed to 0.01


@pytest.mark.parametrize("options, kind", [(["--output", "adaptive", "--cutoffs", "12,16"], "adaptive"),
                                           (["--cutoffs", "8,14", "--projections", "8,2"], "adaptive"),
                                           (["--classes", "4"], "class"), (["--output", "full"], "full")])
def test_train_lm_with_each_output_then_next_and_generate(corpus_files, tmp_path, capsys, options, kind):
    out = tmp_path / "m.npz"
    assert main(["train-lm", "--train", str(corpus_files / "train.txt"), "--valid", str(corpus_files / "valid.txt"),
                 "--out", str(out), "--epochs", "15", *SMALL, *options]) == 0
    model = NPLM.load(out)
    assert model.output_layer().kind == kind
    capsys.readouterr()
    assert main(["next", "--model", str(out), "the cat", "-k", "2"]) == 0
    assert capsys.readouterr().out.splitlines()[0].split("\t")[0] == "sat"
    assert main(["generate", "--model", str(out), "--n", "6", "--seed", "1"]) == 0
    assert main(["perplexity", "--model", str(out), "--text", str(corpus_files / "test.txt")]) == 0


@pytest.mark.parametrize("options, message", [
    (["--output", "full", "--cutoffs", "4"], "--cutoffs"),
    (["--output", "adaptive", "--classes", "3"], "--classes"),
    (["--cutoffs", "4,x"], "argument --cutoffs: must be increasing"),
    (["--cutoffs", "9,4"], "argument --cutoffs: must be increasing"),
    (["--cutoffs", "4,400"], "cutoffs must increase"),
    (["--output", "class", "--projections", "4"], "--projections"),
    (["--projections", "4,0"], "argument --projections: must be positive"),
    (["--cutoffs", "4,9", "--projections", "4"], "projections must be 2 widths"),
    (["--cutoffs", "4,9", "--projections", "4,9"], "projections must be 2 widths from 1 to the hidden size"),
    (["--max-vocab", "0"], "argument --max-vocab: must be"),
])
def test_bad_output_options_exit_2(corpus_files, tmp_path, capsys, options, message):
    code = main(["train-lm", "--train", str(corpus_files / "train.txt"), "--out", str(tmp_path / "m.npz"),
                 "--epochs", "1", *SMALL, *options])
    assert code == 2 and message in capsys.readouterr().err


def test_max_vocab_turns_rare_words_into_unk(corpus_files, tmp_path):
    out = tmp_path / "m.npz"
    assert main(["train-lm", "--train", str(corpus_files / "train.txt"), "--out", str(out), "--epochs", "1",
                 "--max-vocab", "5", *SMALL]) == 0
    assert len(NPLM.load(out).vocab_) == 5 + 3


def test_lazy_embeddings_are_the_default_and_dense_is_an_option(corpus_files, tmp_path, capsys):
    """Lazy AdamW rows by default; --dense-embeddings for dense AdamW; a run made dense is not
    resumed lazily (one-line error naming the setting, exit 2)."""
    base = ["train-lm", "--train", str(corpus_files / "train.txt"), "--valid", str(corpus_files / "valid.txt"),
            "--epochs", "1", *SMALL]
    assert main([*base, "--out", str(tmp_path / "lazy.npz")]) == 0
    assert main([*base, "--out", str(tmp_path / "dense.npz"), "--dense-embeddings"]) == 0
    assert NPLM.load(tmp_path / "lazy.npz").training_["config"]["lazy_embeddings"] is True
    assert NPLM.load(tmp_path / "dense.npz").training_["config"]["lazy_embeddings"] is False
    capsys.readouterr()
    code = main([*base, "--out", str(tmp_path / "again.npz"), "--checkpoint", str(tmp_path / "dense.ckpt.npz"),
                 "--resume", "--epochs", "2"])
    err = capsys.readouterr().err
    assert code == 2 and "lazy_embeddings" in err and len(err.strip().splitlines()) == 1
