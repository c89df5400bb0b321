"""The comparison table: rows, the mixture with the best n-gram model, output formats."""

import csv
import io
import math

import numpy as np
import pytest

from wordnet_lm import compare as compare_module
from wordnet_lm.cli import main
from wordnet_lm.compare import Row, compare, format_csv, format_table, write_table
from wordnet_lm.errors import WordnetLMError
from wordnet_lm.ngram import load_model, make_model
from wordnet_lm.nplm import NPLM
from wordnet_lm.nplm import train as train_module
from wordnet_lm.nplm.mixture import fit_mixture_weight, mix_logprobs
from wordnet_lm.nplm.windows import context_windows
from wordnet_lm.scoring import perplexity
from wordnet_lm.text import load_corpus
from wordnet_lm.text.vocab import Vocab

from .nplm_helpers import pattern_sentences, small_config, small_model


class Uniformish:
    """A stand-in n-gram model: p(w) proportional to (count + k) regardless of context."""

    def __init__(self, k):
        self.k = k

    def fit(self, train, vocab):
        counts = np.bincount(np.concatenate([train.ids, np.full(train.n_sentences, 2)]), minlength=len(vocab))
        self.logp = np.log((counts + self.k) / (counts + self.k).sum())
        return self

    def token_logprobs(self, corpus):
        return self.logp[context_windows(corpus, 2)[1]]


def test_compare_rows_and_mixture(tiny_data, monkeypatch):
    train, valid, vocab = tiny_data
    monkeypatch.setattr(compare_module, "fit_ngram", lambda method, order, train, valid, vocab:
                        (Uniformish(k=0.1 * order).fit(train, vocab), ""))
    model = small_model()
    rows = compare(train, valid, valid, vocab, orders=(1, 3), methods=("a", "b"), nplm=model,
                   train_config=small_config(max_epochs=2), progress=False)
    assert [(r.model, r.order) for r in rows[:4]] == [("a", 1), ("a", 3), ("b", 1), ("b", 3)]
    best = min(rows[:4], key=lambda r: r.valid_ppl)
    nn_row, mix_row = rows[4], rows[5]
    assert nn_row.model == "neural LM" and nn_row.valid_ppl == pytest.approx(model.perplexity(valid))
    ng = Uniformish(0.1 * best.order).fit(train, vocab).token_logprobs(valid)
    nn = model.token_logprobs(valid)
    w = fit_mixture_weight(nn, ng)
    assert mix_row.model == "neural LM + a" and mix_row.order == best.order and f"{w:.2f}" in mix_row.note
    assert mix_row.valid_ppl == pytest.approx(math.exp(-mix_logprobs(nn, ng, w).mean()))
    assert mix_row.valid_ppl <= min(nn_row.valid_ppl, best.valid_ppl) + 1e-9
    cache_row = rows[6]
    assert cache_row.model == "neural LM + a + cache" and "cache of the last" in cache_row.note
    assert cache_row.valid_ppl <= mix_row.valid_ppl + 1e-9  # the cache may get weight 0, never hurts on valid


ROWS = [Row("modified-kn", 5, 210.123, 202.5, 3.2), Row("neural LM", 5, 190.0, None, 100.0, "m=60, h=100")]


def test_plain_and_markdown_tables():
    plain = format_table(ROWS)
    lines = plain.splitlines()
    assert lines[0].split()[:2] == ["model", "n"] and set(lines[1]) <= {"-", " "}
    assert "210.12" in lines[2] and "202.50" in lines[2]
    assert lines[2].index("210.12") == lines[3].index("190.00")  # aligned columns
    md = format_table(ROWS, markdown=True).splitlines()
    assert md[0].startswith("| model | n |") and md[1].startswith("|---|")
    assert md[3].count("|") == md[0].count("|")


def test_csv_and_write_table(tmp_path):
    parsed = list(csv.reader(io.StringIO(format_csv(ROWS))))
    assert parsed[0][:4] == ["model", "order", "valid_ppl", "test_ppl"]
    assert float(parsed[1][2]) == 210.123 and parsed[2][3] == ""
    write_table(tmp_path / "t.csv", ROWS)
    write_table(tmp_path / "t.md", ROWS)
    assert (tmp_path / "t.csv").read_text() == format_csv(ROWS)
    assert (tmp_path / "t.md").read_text().startswith("| model |")


# ---------------------------------------------------------------------------- models trained earlier


def _reversed_vocab(vocab):
    """The same words numbered the other way round (as another tool might number them)."""
    return Vocab(list(reversed(vocab.words[3:])), np.concatenate([vocab.counts[:3], vocab.counts[3:][::-1]]))


def test_reused_models_are_scored_on_their_own_numbering(tiny_data):
    """A reused n-gram model numbering the same words differently, and a trained neural LM, give
    the rows an independent scoring of the text (encoded with each model's vocabulary) gives."""
    train, valid, vocab = tiny_data
    sentences = [vocab.decode(valid.sentence(k)) for k in range(valid.n_sentences)]
    other = _reversed_vocab(vocab)
    assert other.words != vocab.words and set(other.words) == set(vocab.words)
    ngram = make_model("kn", order=2).fit(other.encode([vocab.decode(train.sentence(k))
                                                       for k in range(train.n_sentences)]), other)
    nplm = small_model().fit(train, vocab, valid, small_config(max_epochs=2), progress=False)
    rows = compare(None, valid, None, vocab, methods=(), nplm=nplm, nplm_trained=True,
                   ngram_models={"kn.arpa": ngram}, progress=False)
    assert [(r.model, r.order, r.train_seconds) for r in rows] == [
        ("kn.arpa", 2, None), ("neural LM", 3, None), ("neural LM + kn.arpa", 2, None),
        ("neural LM + kn.arpa + cache", 2, None)]
    expected_ngram = math.exp(-ngram.token_logprobs(other.encode(sentences)).mean())
    assert rows[0].valid_ppl == pytest.approx(expected_ngram, rel=1e-12)
    assert rows[1].valid_ppl == pytest.approx(nplm.perplexity(valid), rel=1e-9) and rows[1].note.startswith("reused")
    assert "train s" in format_table(rows) and ",," in format_csv(rows).splitlines()[1]  # no training time


def test_a_reused_model_with_other_words_is_refused(tiny_data):
    train, valid, vocab = tiny_data
    fewer = Vocab.build([vocab.decode(train.sentence(k)) for k in range(train.n_sentences)], min_count=5)
    ngram = make_model("kn", order=2).fit(fewer.encode([vocab.decode(train.sentence(k))
                                                       for k in range(train.n_sentences)]), fewer)
    with pytest.raises(WordnetLMError, match=r"small\.arpa: its vocabulary \(\d+ words\) is not .*not comparable"):
        compare(None, valid, None, vocab, methods=(), ngram_models={"small.arpa": ngram}, progress=False)


# ---------------------------------------------------------------------------- the command, reusing and resuming
mkn_on_tiny_data = pytest.mark.filterwarnings("ignore:cannot compute modified Kneser-Ney discounts")

SMALL = ["--order", "3", "--embed-dim", "6", "--hidden", "8", "--batch-size", "16", "--lr", "0.02",
         "--evals-per-epoch", "1", "-q"]


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """Text files, a neural LM (train-lm) and an ARPA model (ngram) trained on them; both leave
    out the training text's rarest word (``--min-count 2``), so their vocabulary is not the one
    the training text alone would give."""
    root = tmp_path_factory.mktemp("reuse")
    for name, n, seed in [("train", 80, 0), ("valid", 20, 1), ("test", 20, 2)]:
        sentences = pattern_sentences(n, seed) + [["the", "zebra", "sat"] if name != "train" else ["a", "quokka"]]
        (root / f"{name}.txt").write_text("\n".join(" ".join(s) for s in sentences) + "\n")
    files = {k: str(root / f"{k}.txt") for k in ("train", "valid", "test")}
    assert main(["train-lm", "--train", files["train"], "--valid", files["valid"], "--out", str(root / "lm.npz"),
                 "--epochs", "2", "--min-count", "2", *SMALL]) == 0
    assert main(["ngram", "--train", files["train"], "--order", "3", "--smoothing", "kn", "--min-count", "2",
                 "--arpa", str(root / "lm.arpa")]) == 0
    assert main(["ngram", "--train", files["train"], "--order", "2", "--min-count", "30",
                 "--arpa", str(root / "fewer.arpa")]) == 0
    return root, files


def _table(out: str) -> dict[str, list[str]]:
    """Rows of the printed table by model name: [n, valid ppl, test ppl, ...]."""
    rows = {}
    for line in out.strip().splitlines()[2:]:
        name, rest = line.split("  ", 1)
        rows[name.strip()] = rest.split()
    return rows


def test_compare_reuses_a_neural_lm_and_an_arpa_model(trained, capsys):
    root, files = trained
    capsys.readouterr()
    assert main(["compare", "--neural", str(root / "lm.npz"), "--ngram", str(root / "lm.arpa"),
                 "--valid", files["valid"], "--test", files["test"], "-q"]) == 0
    captured = capsys.readouterr()
    rows = _table(captured.out)
    assert list(rows) == [str(root / "lm.arpa"), "neural LM", f"neural LM + {root / 'lm.arpa'}",
                          f"neural LM + {root / 'lm.arpa'} + cache"]
    nplm = NPLM.load(root / "lm.npz")
    valid, _ = load_corpus(files["valid"], vocab=nplm.vocab_)  # the zebra is <unk> for every model
    test, _ = load_corpus(files["test"], vocab=nplm.vocab_)
    assert float(rows["neural LM"][1]) == pytest.approx(nplm.perplexity(valid), abs=0.006)
    assert float(rows["neural LM"][2]) == pytest.approx(nplm.perplexity(test), abs=0.006)
    ngram = load_model(root / "lm.arpa")
    ngram_valid, _ = load_corpus(files["valid"], vocab=ngram.vocab_)
    assert float(rows[str(root / "lm.arpa")][1]) == pytest.approx(
        math.exp(-ngram.token_logprobs(ngram_valid).mean()), abs=0.006)
    assert not list(root.glob("*.ckpt.npz")) or (root / "lm.ckpt.npz").exists()  # only train-lm's own checkpoint


@mkn_on_tiny_data
def test_compare_trains_baselines_beside_a_reused_neural_lm(trained, capsys):
    root, files = trained
    assert main(["compare", "--neural", str(root / "lm.npz"), "--train", files["train"], "--valid", files["valid"],
                 "--orders", "2", "-q"]) == 0
    rows = _table(capsys.readouterr().out)
    assert {"add-k", "interpolated-kn", "modified-kn", "neural LM"} <= set(rows)
    vocab = NPLM.load(root / "lm.npz").vocab_  # the baselines are trained on text encoded with it
    assert "quokka" not in vocab
    train, _ = load_corpus(files["train"], vocab=vocab)
    valid, _ = load_corpus(files["valid"], vocab=vocab)
    expected = perplexity(make_model("kn", order=2).fit(train, vocab).token_logprobs(valid))
    assert float(rows["interpolated-kn"][1]) == pytest.approx(expected, abs=0.006)


@pytest.mark.parametrize("extra, message", [
    (["--no-neural", "--save-model", "{root}/x.npz"], "--save-model saves the neural LM"),
    (["--no-neural", "--neural", "{root}/lm.npz"], "exclude each other"),
    (["--neural", "{root}/lm.npz", "--save-model", "{root}/x.npz"], "--save-model saves the neural LM"),
    (["--neural", "{root}/lm.npz", "--resume"], "--resume/--checkpoint"),
    (["--no-neural", "--checkpoint", "{root}/c.npz"], "--resume/--checkpoint"),
    (["--no-neural", "--epochs", "3", "--hidden", "7"], "--hidden, --epochs: neural LM settings"),
    (["--neural", "{root}/lm.npz", "--min-count", "2"], "--min-count"),
    (["--neural", "{root}/lm.npz", "--ngram", "{root}/lm.arpa", "--train", "{root}/train.txt"], "--train is not used"),
    (["--neural", "{root}/lm.npz", "--ngram", "{root}/fewer.arpa"], "fewer.arpa: its vocabulary"),
    (["--ngram", "{root}/lm.arpa", "--ngram", "{root}/fewer.arpa"], "fewer.arpa: its vocabulary"),
    (["--neural", "{root}/lm.arpa"], "not a neural LM file"),
    (["--ngram", "{root}/lm.npz"], "lm.npz"),
    (["--neural", "{root}/lm.npz", "--test", "{root}/test.txt"], "--valid is required"),
])
def test_meaningless_combinations_are_one_line_errors(trained, capsys, monkeypatch, extra, message):
    root, _ = trained
    monkeypatch.setattr(NPLM, "fit", lambda *a, **k: pytest.fail("trained before refusing"))
    assert main(["compare", "-q", *[x.format(root=root) for x in extra]]) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1


@mkn_on_tiny_data
def test_an_interrupted_compare_resumes_from_the_neural_lms_checkpoint(trained, tmp_path, capsys, monkeypatch):
    """Interrupted after its first checkpoint, then run again with --resume: the table equals an
    uninterrupted run's, and the default checkpoint is removed once the table is printed."""
    _, files = trained
    monkeypatch.chdir(tmp_path)
    command = ["compare", "--train", files["train"], "--valid", files["valid"], "--orders", "2",
               "--epochs", "3", *SMALL]
    assert main(command) == 0
    uninterrupted = _table(capsys.readouterr().out)
    assert not (tmp_path / "compare.ckpt.npz").exists()

    real_save = train_module.save_checkpoint
    saves = []

    def save_then_interrupt(*args, **kwargs):
        real_save(*args, **kwargs)
        saves.append(1)
        if len(saves) == 1:
            raise KeyboardInterrupt

    monkeypatch.setattr(train_module, "save_checkpoint", save_then_interrupt)
    assert main(command) == 130
    assert "compare.ckpt.npz kept" in capsys.readouterr().err and (tmp_path / "compare.ckpt.npz").exists()
    assert main([*command, "--resume"]) == 0
    resumed = _table(capsys.readouterr().out)
    assert len(saves) == 3  # one segment before the interruption, two after: nothing trained twice
    assert resumed["neural LM"][:2] == uninterrupted["neural LM"][:2]
    assert resumed["neural LM + interpolated-kn"][:2] == uninterrupted["neural LM + interpolated-kn"][:2]
    assert not (tmp_path / "compare.ckpt.npz").exists()


@mkn_on_tiny_data
def test_a_named_checkpoint_is_kept_and_resume_skips_the_finished_training(trained, tmp_path, capsys, monkeypatch):
    _, files = trained
    command = ["compare", "--train", files["train"], "--valid", files["valid"], "--orders", "2", "--epochs", "2",
               "--checkpoint", str(tmp_path / "c.npz"), *SMALL]
    assert main(command) == 0
    first = _table(capsys.readouterr().out)
    assert (tmp_path / "c.npz").exists()
    monkeypatch.setattr(train_module, "save_checkpoint", lambda *a, **k: pytest.fail("trained again"))
    assert main([*command, "--resume"]) == 0
    again = _table(capsys.readouterr().out)
    assert again["neural LM"][:2] == first["neural LM"][:2]
