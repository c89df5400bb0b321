"""The comparison table: rows, the mixture with the best n-gram model, output formats."""

import csv
import io
import math

import numpy as np
import pytest

from wordnet_lm import compare as compare_module
from wordnet_lm.compare import Row, compare, format_csv, format_table, write_table
from wordnet_lm.nplm.mixture import fit_mixture_weight, mix_logprobs
from wordnet_lm.nplm.windows import context_windows

from .nplm_helpers import small_config, small_model


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
