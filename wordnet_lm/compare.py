"""One perplexity table: n-gram baselines, the neural LM, and the two interpolated.

Every model scores the same predictions (each token, then ``</s>`` per sentence) in the
closed-vocabulary protocol: validation and test words unseen in training are ``<unk>``, an
ordinary word of the training vocabulary.  The neural model is mixed with the n-gram model
that is best on validation data, with the mixture weight fitted on validation data too.

Models trained earlier can take the place of trained ones (``ngram_models``, a trained
``nplm``): they must know the words of the table's vocabulary, no more and no fewer (see
:mod:`wordnet_lm.text.recode`), and the text is renumbered for each of them.
"""

from __future__ import annotations

import csv
import io
import os
import time
from dataclasses import dataclass
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
from wordnet_lm.io import atomic_write
from wordnet_lm.nplm.cache import cache_components, describe_caches, fit_cache_mixture, prediction_stream
from wordnet_lm.nplm.mixture import fit_mixture_weight, mix_logprobs, mix_many
from wordnet_lm.progress import progress_bar
from wordnet_lm.scoring import perplexity
from wordnet_lm.text.recode import check_same_words, recode
from wordnet_lm.text.vocab import Corpus, Vocab

NGRAM_METHODS = ("add-k", "interpolated-kn", "modified-kn")
DEFAULT_ORDERS = (2, 3, 4, 5)


@dataclass
class Row:
    """One line of the table."""

    model: str
    order: int | None
    valid_ppl: float
    test_ppl: float | None
    train_seconds: float | None  # None: a model trained earlier, reused
    note: str = ""


ADD_K_GRID = (1.0, 0.1, 0.01, 0.001, 0.0001)  # add-k pseudo-counts tried; the best on validation is kept
_SMOOTHING = {"add-k": "add-k", "interpolated-kn": "kn", "modified-kn": "mkn"}


def ngram_model(method: str, order: int, **params: Any) -> Any:
    """An unfitted :mod:`wordnet_lm.ngram` model for a method of :data:`NGRAM_METHODS`."""
    from wordnet_lm.ngram import make_model

    if method not in _SMOOTHING:
        raise ValueError(f"unknown n-gram method {method!r}; choose from {', '.join(NGRAM_METHODS)}")
    return make_model(_SMOOTHING[method], order, **params)


def fit_ngram(method: str, order: int, train: Corpus, valid: Corpus, vocab: Vocab) -> tuple[Any, str]:
    """A fitted n-gram model and a note; add-k takes the ``k`` of :data:`ADD_K_GRID` best on
    ``valid`` (the counts are made once)."""
    if method != "add-k":
        return ngram_model(method, order).fit(train, vocab), ""
    from wordnet_lm.ngram import count_ngrams

    counts = count_ngrams(train, order, len(vocab))
    best = None
    for k in ADD_K_GRID:
        model = ngram_model(method, order, k=k).fit_counts(counts, vocab)
        valid_ppl = perplexity(model.token_logprobs(valid))
        if best is None or valid_ppl < best[0]:
            best = (valid_ppl, model, k)
    return best[1], f"k={best[2]:g} (best on valid)"


def compare(train: Corpus | None, valid: Corpus, test: Corpus | None, vocab: Vocab, *,
            orders: Sequence[int] = DEFAULT_ORDERS, methods: Sequence[str] = NGRAM_METHODS,
            nplm: Any = None, train_config: Any = None, progress: bool = True,
            ngram_models: Mapping[str, Any] | None = None, nplm_trained: bool = False,
            checkpoint: str | os.PathLike | None = None, resume: bool = False) -> list[Row]:
    """Train every model on ``train`` and score it on ``valid`` and ``test``.

    Parameters
    ----------
    train, valid, test : Corpus
        Encoded with ``vocab`` (the training vocabulary); ``test`` may be ``None``, and
        ``train`` too when no model is trained.
    orders, methods : the n-gram models to train (every method at every order; none if empty).
    nplm : NPLM, optional
        The neural model to train (its hyper-parameters), or a trained one with
        ``nplm_trained``; ``None`` skips it and the mixture.
    train_config : TrainConfig, optional
        Its training settings.
    progress : bool
        Progress bars (n-gram models, neural training).
    ngram_models : mapping of name -> fitted n-gram model, optional
        Models trained earlier (e.g. read from ARPA files), scored beside the trained ones.
    nplm_trained : bool
        ``nplm`` is trained already: scored, not fitted.
    checkpoint, resume :
        The neural LM's training checkpoint, and whether to continue from it (see
        :func:`wordnet_lm.nplm.train.train`).

    Returns
    -------
    list of Row : the n-gram models (trained, then reused), then the neural model, the mixture,
    and the mixture with a unigram cache (:mod:`wordnet_lm.nplm.cache`).

    Raises
    ------
    WordnetLMError
        A reused model whose vocabulary is not ``vocab``'s words.
    """
    reused = dict(ngram_models or {})
    for name, model in reused.items():
        check_same_words(vocab, model.vocab_, name)
    if nplm is not None and nplm_trained:
        check_same_words(vocab, nplm.vocab_, "the neural LM")
    jobs = [(m, n) for m in methods for n in orders]
    if train is None and (jobs or (nplm is not None and not nplm_trained)):
        raise ValueError("compare: no training corpus for the models to train")
    rows: list[Row] = []
    best: tuple[float, Row, np.ndarray, np.ndarray | None] | None = None

    def add_ngram_row(name: str, order: int, model: Any, model_vocab: Vocab, seconds: float | None, note: str) -> None:
        nonlocal best
        lp_valid, lp_test = _score(model, model_vocab, valid, test, vocab)
        row = Row(name, order, perplexity(lp_valid), perplexity(lp_test) if lp_test is not None else None,
                  seconds, note)
        rows.append(row)
        if best is None or row.valid_ppl < best[0]:
            best = (row.valid_ppl, row, lp_valid, lp_test)

    for method, order in progress_bar(jobs, desc="n-gram models", enabled=progress, leave=False):
        start = time.perf_counter()
        model, note = fit_ngram(method, order, train, valid, vocab)
        add_ngram_row(method, order, model, vocab, time.perf_counter() - start, note)
    for name, model in reused.items():
        add_ngram_row(name, model.order, model, model.vocab_, None, "reused")
    if nplm is None:
        return rows

    seconds = None
    if not nplm_trained:
        start = time.perf_counter()
        nplm.fit(train, vocab, valid, train_config, checkpoint=checkpoint, resume=resume, progress=progress)
        seconds = time.perf_counter() - start
    nn_valid, nn_test = _score(nplm, nplm.vocab_ if nplm_trained else vocab, valid, test, vocab)
    note = ("reused, " if nplm_trained else "") + _describe_nplm(nplm)
    rows.append(Row("neural LM", nplm.order, perplexity(nn_valid), perplexity(nn_test) if nn_test is not None else None,
                    seconds, note))
    if best is not None:
        _, ngram_row, ng_valid, ng_test = best
        weight = fit_mixture_weight(nn_valid, ng_valid)
        mixed_test = perplexity(mix_logprobs(nn_test, ng_test, weight)) if nn_test is not None else None
        both = None if seconds is None or ngram_row.train_seconds is None else seconds + ngram_row.train_seconds
        rows.append(Row(f"neural LM + {ngram_row.model}", ngram_row.order,
                        perplexity(mix_logprobs(nn_valid, ng_valid, weight)), mixed_test,
                        both, f"weight {weight:.2f} on the neural LM"))
        rows.append(_cache_row(rows[-1], valid, test, [nn_valid, ng_valid], [nn_test, ng_test]))
    return rows


def _cache_row(mixture: Row, valid: Corpus, test: Corpus | None, valid_logprobs: list, test_logprobs: list) -> Row:
    """The mixture with a unigram cache added, cache size and the three weights fitted on ``valid``."""
    sizes, weights = fit_cache_mixture(valid_logprobs, prediction_stream(valid))
    mixed_valid = mix_many([*valid_logprobs, *cache_components(prediction_stream(valid), sizes)], weights)
    mixed_test = None
    if test is not None:
        mixed_test = perplexity(mix_many([*test_logprobs, *cache_components(prediction_stream(test), sizes)], weights))
    note = f"weights {'/'.join(f'{w:.2f}' for w in weights)}, {describe_caches(sizes)}"
    return Row(f"{mixture.model} + cache", mixture.order, perplexity(mixed_valid), mixed_test,
               mixture.train_seconds, note)


def _score(model: Any, model_vocab: Vocab, valid: Corpus, test: Corpus | None,
           vocab: Vocab) -> tuple[np.ndarray, np.ndarray | None]:
    """A model's log-probabilities of the ``valid`` and ``test`` predictions (encoded with
    ``vocab``), the text renumbered for the model's vocabulary (the same words)."""
    def logprobs(corpus: Corpus) -> np.ndarray:
        return model.token_logprobs(recode(corpus, vocab, model_vocab))

    return logprobs(valid), logprobs(test) if test is not None else None


def _describe_nplm(model: Any) -> str:
    parts = [f"m={model.embed_dim}", f"h={model.hidden}"]
    if getattr(model, "vocab_", None) is not None and model.hidden:
        parts.append(model.output_layer().describe())
    if model.direct:
        parts.append("direct")
    if model.dropout:
        parts.append(f"dropout {model.dropout:g}")
    epochs = model.history_[-1]["epoch"] if getattr(model, "history_", None) else 0
    parts.append(f"{epochs:g} epochs")
    return ", ".join(parts)


# ---------------------------------------------------------------------------- output

HEADER = ("model", "n", "valid ppl", "test ppl", "train s", "notes")


def _cells(row: Row) -> list[str]:
    return [row.model, "" if row.order is None else str(row.order), f"{row.valid_ppl:.2f}",
            "" if row.test_ppl is None else f"{row.test_ppl:.2f}",
            "" if row.train_seconds is None else f"{row.train_seconds:.1f}", row.note]


def format_table(rows: Iterable[Row], markdown: bool = False) -> str:
    """The rows as an aligned plain-text table, or as a Markdown table."""
    body = [_cells(r) for r in rows]
    if markdown:
        lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" if i in (0, 5) else "---:"
                                                                  for i in range(len(HEADER))) + "|"]
        lines += ["| " + " | ".join(cells) + " |" for cells in body]
        return "\n".join(lines) + "\n"
    widths = [max(len(h), *(len(c[i]) for c in body)) if body else len(h) for i, h in enumerate(HEADER)]
    def line(cells: Sequence[str]) -> str:
        return "  ".join(c.ljust(w) if i in (0, 5) else c.rjust(w) for i, (c, w) in enumerate(zip(cells, widths))).rstrip()
    return "\n".join([line(HEADER), line(["-" * w for w in widths])] + [line(c) for c in body]) + "\n"


def format_csv(rows: Iterable[Row]) -> str:
    """The rows as CSV (numbers unrounded)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(["model", "order", "valid_ppl", "test_ppl", "train_seconds", "notes"])
    for r in rows:
        seconds = None if r.train_seconds is None else round(r.train_seconds, 3)
        writer.writerow([r.model, r.order, r.valid_ppl, r.test_ppl, seconds, r.note])
    return out.getvalue()


def write_table(path: str | os.PathLike, rows: Sequence[Row]) -> None:
    """Write the table atomically: CSV if ``path`` ends in ``.csv``, else Markdown."""
    text = format_csv(rows) if str(path).lower().endswith(".csv") else format_table(rows, markdown=True)
    with atomic_write(path, "w", encoding="utf-8") as f:
        f.write(text)
