"""``wordnet-lm ngram``, ``perplexity`` and ``ngram-sample``: n-gram models from the shell.

::

    wordnet-lm ngram --train train.txt --order 5 --smoothing mkn --arpa out.arpa --test test.txt
    wordnet-lm perplexity --model out.arpa --text test.txt      # or a .npz from --model
    wordnet-lm ngram-sample --model out.npz -n 5 --seed 1
"""

from __future__ import annotations

import argparse
import sys
import time
import warnings
from pathlib import Path

import numpy as np

from wordnet_lm.cli import options as opt
from wordnet_lm.cli.corpus_cmds import add_reading_arguments, reading_options
from wordnet_lm.cli.scale_args import add_scale_arguments, scale_requested
from wordnet_lm.errors import WordnetLMError
from wordnet_lm.io import read_npz_meta
from wordnet_lm.ngram.files import load_model, save_model
from wordnet_lm.ngram.model import NgramModel
from wordnet_lm.ngram.npz_file import KIND as NGRAM_KIND
from wordnet_lm.ngram.smoothing import ALIASES, SMOOTHING, make_model, smoothing_class
from wordnet_lm.outputs import ARPA, check_output, is_npz_of_kind, locked_outputs
from wordnet_lm.scoring import perplexity
from wordnet_lm.text.demo import demo_paths
from wordnet_lm.text.loading import load_corpus
from wordnet_lm.text.vocab import SPECIALS, UNK_ID, Corpus, Vocab

DEFAULT_ORDER = 5  # the neural LM's default order too (tests check they agree)


def register(subparsers: argparse._SubParsersAction) -> None:
    p = subparsers.add_parser(
        "ngram", help="train an n-gram language model (modified Kneser-Ney by default)",
        description="Count n-grams, estimate a smoothed model, optionally write it (ARPA and/or .npz) and "
                    "report perplexities.")
    p.add_argument("--train", default="demo",
                   help="training text: file, directory, NLTK zip or corpus name (default: the demo corpus)")
    p.add_argument("--order", type=opt.order, default=DEFAULT_ORDER,
                   help=f"n-gram order (default {DEFAULT_ORDER}, as the neural LM)")
    p.add_argument("--smoothing", default="mkn", type=str.lower,
                   help=f"one of {', '.join(SMOOTHING)} (default mkn); aliases: {', '.join(sorted(ALIASES))}")
    p.add_argument("--k", type=opt.positive, default=None, help="add-k pseudo-count (default 1: Laplace)")
    p.add_argument("--discount", type=opt.positive, nargs="+", default=None, metavar="D",
                   help="fixed discount(s): 1 number for absolute/kn, 3 (D1 D2 D3+) for mkn "
                        "(default: from count-of-counts)")
    p.add_argument("--heldout", default=None,
                   help="held-out text for the jelinek-mercer weights (default: the last 10%% of --train)")
    p.add_argument("--min-count", type=opt.count, default=1, help="words seen fewer times become <unk> (default 1)")
    p.add_argument("--max-vocab", type=opt.count, default=None, help="keep at most this many words")
    p.add_argument("--arpa", type=Path, default=None, help="write the model as an ARPA file")
    p.add_argument("--model", type=Path, default=None, help="write the model as a .npz model file")
    p.add_argument("--valid", default=None, help="report the perplexity of this text")
    p.add_argument("--test", default=None, help="report the perplexity of this text")
    p.add_argument("--sample", type=opt.integer(0), default=0, metavar="N", help="print N sentences sampled from the model")
    p.add_argument("--seed", type=opt.seed, default=None, help="random seed for --sample")
    add_reading_arguments(p)
    add_scale_arguments(p)
    p.set_defaults(func=cmd_ngram)

    q = subparsers.add_parser(
        "perplexity", help="perplexity of a text under a language model (ARPA, n-gram .npz or neural LM .npz)",
        description="Score a text like KenLM's query: one prediction per token plus </s> per sentence; "
                    "perplexity including and excluding OOVs. A neural LM (train-lm) scores unseen "
                    "words as its <unk>.")
    q.add_argument("--model", "-m", required=True, type=Path, help="ARPA file (plain or .gz), or .npz from ngram or train-lm")
    q.add_argument("--text", "-t", default=None,
                   help="text to score, - for standard input (default: the demo corpus test split)")
    q.add_argument("--sentence", action="append", metavar="TEXT",
                   help='score this sentence instead of a file, e.g. --sentence "the cat sat" (repeatable)')
    q.set_defaults(sentence_target="text")
    q.add_argument("--per-sentence", action="store_true",
                   help="also print each sentence's log10 probability and OOV count")
    add_reading_arguments(q)
    q.set_defaults(func=cmd_perplexity)

    s = subparsers.add_parser("ngram-sample", help="sample sentences from an n-gram model (ARPA or .npz)")
    s.add_argument("--model", "-m", required=True, type=Path, help="ARPA file or .npz model file")
    s.add_argument("--n", "-n", type=opt.count, default=5, help="number of sentences (default 5)")
    s.add_argument("--max-length", type=opt.count, default=50, help="words per sentence at most (default 50)")
    s.add_argument("--seed", type=opt.seed, default=None, help="random seed")
    s.add_argument("--start", nargs="+", default=(), metavar="WORD", help="words every sentence starts with")
    s.add_argument("--no-unk", action="store_true", help="never draw <unk>")
    s.set_defaults(func=cmd_sample)


# ---------------------------------------------------------------------- commands
def cmd_ngram(args: argparse.Namespace) -> int:
    if scale_requested(args):  # bigger than memory, or on Dask
        from wordnet_lm.cli.ngram_scale import cmd_ngram_scaled

        return cmd_ngram_scaled(args)
    model = _model_from_args(args)
    inputs = (args.train, args.heldout, args.valid, args.test)
    if args.arpa:
        check_output(args.arpa, what="ARPA file", inputs=inputs, accepts=ARPA, option="--arpa")
    if args.model:
        check_output(args.model, what="n-gram model file", inputs=(*inputs, args.arpa),
                     accepts=is_npz_of_kind(NGRAM_KIND), option="--model")
    with locked_outputs([args.arpa, args.model]):
        return _train_ngram(args, model)


def _train_ngram(args: argparse.Namespace, model: NgramModel) -> int:
    options = reading_options(args)
    started = time.perf_counter()
    train, vocab = load_corpus(args.train, min_count=args.min_count, max_size=args.max_vocab, **options)
    heldout = load_corpus(args.heldout, vocab=vocab, **options)[0] if args.heldout else None
    read = time.perf_counter() - started
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        model.fit(train, vocab, heldout=heldout, progress=options["progress"])
    for warning in caught:
        print(f"wordnet-lm ngram: warning: {warning.message}", file=sys.stderr)
    fitted = time.perf_counter() - started - read
    _print_summary(model, train, vocab, read, fitted)
    extra = {"reading": {k: v for k, v in options.items() if k != "progress"}, "train": str(args.train)}
    if args.model:
        save_model(model, args.model, extra)
        print(f"wrote {args.model}")
    if args.arpa:
        model.to_arpa(args.arpa, progress=options["progress"])
        print(f"wrote {args.arpa}")
    for label, source in (("valid", args.valid), ("test", args.test)):
        if source:
            result = model.perplexity(load_corpus(source, vocab=vocab, **options)[0])
            print(f"{label} perplexity {result.perplexity:.2f} (excluding {result.n_oov:,} OOVs: "
                  f"{result.perplexity_excl_oov:.2f}) over {result.n_predictions:,} predictions")
    for sentence in model.sample(args.sample, seed=args.seed) if args.sample else ():
        print("sample:", " ".join(sentence))
    return 0


def cmd_perplexity(args: argparse.Namespace) -> int:
    if _is_nplm_file(args.model):
        return _nplm_perplexity(args)
    from wordnet_lm.ngram.score_setup import model_and_text

    text = args.text if args.text is not None else demo_paths()["test"]
    model, corpus = model_and_text(args.model, text, lambda extra: _scoring_options(args, extra))
    if corpus.n_sentences == 0:
        raise WordnetLMError(f"{text}: no sentences to score")
    if args.per_sentence:
        _print_sentence_scores(model.sentence_logprobs(corpus), corpus)
    print(model.perplexity(corpus))
    return 0


def cmd_sample(args: argparse.Namespace) -> int:
    model = load_model(args.model)
    for sentence in model.sample(args.n, max_length=args.max_length, seed=args.seed, context=args.start,
                                 allow_unk=not args.no_unk):
        print(" ".join(sentence))
    return 0


# ---------------------------------------------------------------------- helpers
def _is_nplm_file(path: Path) -> bool:
    """Whether ``path`` is a neural LM file (``wordnet-lm train-lm``) rather than an n-gram model."""
    from wordnet_lm.nplm.config import MODEL_KIND

    if path.suffix != ".npz" or not path.is_file():
        return False
    try:
        return read_npz_meta(path).get("kind") == MODEL_KIND
    except WordnetLMError:
        return False  # load_model below reports what is wrong with the file


def _nplm_perplexity(args: argparse.Namespace) -> int:
    """Perplexity under a neural LM: closed vocabulary, unseen words scored as ``<unk>``."""
    from wordnet_lm.nplm import NPLM

    model = NPLM.load(args.model)
    text = args.text if args.text is not None else demo_paths()["test"]
    corpus, _ = load_corpus(text, vocab=model.vocab_, **reading_options(args))
    if corpus.n_sentences == 0:
        raise WordnetLMError(f"{text}: no sentences to score")
    logprobs = model.token_logprobs(corpus)
    if args.per_sentence:
        _print_sentence_scores(np.bincount(_prediction_sentences(corpus), weights=logprobs,
                                           minlength=corpus.n_sentences), corpus)
    n_unk = int(np.count_nonzero(corpus.ids == UNK_ID))
    print(f"perplexity {perplexity(logprobs):.2f} over {len(logprobs):,} predictions "
          f"({n_unk:,} unseen words scored as <unk>)")
    return 0


def _print_sentence_scores(logprobs: np.ndarray, corpus: Corpus) -> None:
    """One line per sentence: its natural-log probability ``logprobs[k]`` in log10, its OOVs."""
    oov = np.bincount(corpus.sentence_index(), weights=corpus.ids == UNK_ID, minlength=corpus.n_sentences)
    for k, (total, n_oov) in enumerate(zip((logprobs / np.log(10)).tolist(), oov.astype(int).tolist())):
        print(f"sentence {k + 1}\tlog10 {total:.4f}\tOOV {n_oov}")


def _prediction_sentences(corpus: Corpus) -> np.ndarray:
    """Sentence index of every prediction, in order: a sentence's tokens, then its ``</s>``."""
    return np.repeat(np.arange(corpus.n_sentences), corpus.lengths() + 1)


def _model_from_args(args: argparse.Namespace) -> NgramModel:
    """The unfitted model the options describe (hyper-parameters checked before reading text)."""
    cls = smoothing_class(args.smoothing)
    params: dict = {}
    if args.discount is not None:
        if cls.smoothing == "mkn":
            params["discounts"] = args.discount
        elif cls.smoothing in ("absolute", "kn"):
            params["discount"] = args.discount[0] if len(args.discount) == 1 else args.discount
        else:
            raise WordnetLMError(f"--discount applies to absolute, kn and mkn, not {cls.smoothing}")
    if args.k is not None:
        if cls.smoothing != "add-k":
            raise WordnetLMError(f"--k applies to add-k, not {cls.smoothing}")
        params["k"] = args.k
    if args.heldout and cls.smoothing != "jelinek-mercer":
        raise WordnetLMError(f"--heldout applies to jelinek-mercer, not {cls.smoothing}")
    model = make_model(cls.smoothing, args.order, **params)
    model._check_params()
    return model


def _scoring_options(args: argparse.Namespace, extra: dict) -> dict:
    """Reading options for scoring: those given, else those the model was trained with."""
    options = reading_options(args)
    stored = extra.get("reading", {})
    defaults = {"tokenizer": "auto", "lowercase": None, "sentences": "auto", "encoding": "utf-8"}
    for key, default in defaults.items():
        if options.get(key) == default and key in stored:
            options[key] = stored[key]
    return options


def _print_summary(model: NgramModel, train: Corpus, vocab: Vocab, read: float, fitted: float) -> None:
    sizes = model.n_ngrams()
    print(f"{model!r}")
    print(f"training text: {train.n_sentences:,} sentences, {train.n_tokens:,} tokens; "
          f"vocabulary {len(vocab):,} (with {', '.join(SPECIALS)})")
    print("n-grams: " + ", ".join(f"{n}: {size:,}" for n, size in enumerate(sizes, start=1)))
    discounts = getattr(model, "discounts_", None)
    if discounts is not None:
        for n, row in enumerate(discounts, start=1):
            print(f"  discounts order {n}: " + " / ".join(f"{d:.3f}" for d in row[1:]))
    lambdas = getattr(model, "lambdas_", None)
    if lambdas is not None:
        print("  weights (order 1..n): " + " ".join(f"{w:.3f}" for w in lambdas))
    print(f"read {read:.2f} s, counted and estimated {fitted:.2f} s", file=sys.stderr)
