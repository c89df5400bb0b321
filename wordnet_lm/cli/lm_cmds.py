"""Neural language model commands: train-lm, compare, generate, next, export-vectors."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from wordnet_lm.cli import options as opt
from wordnet_lm.cli.corpus_cmds import add_encoding_argument
from wordnet_lm.cli.output_args import add_output_args, output_options
from wordnet_lm.errors import WordnetLMError
from wordnet_lm.io import read_npz_meta
from wordnet_lm.memory import format_bytes
from wordnet_lm.nplm.config import MODEL_KIND
from wordnet_lm.outputs import check_output, is_npz_of_kind, locked_outputs, starts_with

DEFAULT_MODEL = "nplm.npz"
_is_table = starts_with(b"|", b"method,", b"model,")  # a table written by compare --save-table


# ---------------------------------------------------------------------------- shared options


def add_data_args(parser: argparse.ArgumentParser, test: bool = True) -> None:
    group = parser.add_argument_group("data (default: the built-in demo corpus)")
    group.add_argument("--train", metavar="SOURCE", help="training text: file, directory, zip or corpus name")
    group.add_argument("--valid", metavar="SOURCE", help="validation text (early stopping, lr decay, mixture weight)")
    if test:
        group.add_argument("--test", metavar="SOURCE", help="test text, scored at the end")
    group.add_argument("--min-count", type=opt.count, default=1,
                       help="words seen fewer times in training become <unk> (default 1: keep all)")
    group.add_argument("--max-vocab", type=opt.count, default=None, metavar="N",
                       help="keep the N most frequent training words, the rest become <unk> (default: all)")
    group.add_argument("--lowercase", action="store_true", default=None, help="lower-case the text")
    add_encoding_argument(group)


def add_model_args(parser: argparse.ArgumentParser) -> None:
    from types import SimpleNamespace

    from wordnet_lm.nplm.config import MODEL_DEFAULTS

    d = SimpleNamespace(**MODEL_DEFAULTS)
    group = parser.add_argument_group("model")
    group.add_argument("--order", type=opt.neural_order, default=d.order,
                       help=f"n: predict from n-1 previous words (default {d.order})")
    group.add_argument("--embed-dim", type=opt.count, default=d.embed_dim, help=f"embedding size m (default {d.embed_dim})")
    group.add_argument("--hidden", type=opt.integer(0), default=d.hidden,
                       help=f"tanh hidden units h, 0 for none (default {d.hidden})")
    group.add_argument("--direct", action="store_true", help="direct connections embeddings -> output")
    group.add_argument("--dropout", type=opt.probability, default=d.dropout,
                       help=f"dropout on embeddings and hidden layer (default {d.dropout:g})")
    group.add_argument("--embed-std", type=opt.positive, default=d.embed_std,
                       help=f"std of the initial embeddings (default {d.embed_std:g})")
    group.add_argument("--seed", type=opt.seed, default=d.seed, help=f"random seed (default {d.seed})")
    add_output_args(group)


def add_training_args(parser: argparse.ArgumentParser) -> None:
    from wordnet_lm.nplm.config import OPTIMIZERS, TrainConfig

    d = TrainConfig()
    group = parser.add_argument_group("training")
    group.add_argument("--optimizer", choices=OPTIMIZERS, default=d.optimizer, help=f"(default {d.optimizer})")
    group.add_argument("--lr", type=opt.positive, default=d.lr, help=f"initial learning rate (default {d.lr:g})")
    group.add_argument("--momentum", type=opt.real(0, 1, high_open=True), default=d.momentum,
                       help=f"SGD momentum (default {d.momentum:g})")
    group.add_argument("--batch-size", type=opt.count, default=d.batch_size, help=f"(default {d.batch_size})")
    group.add_argument("--epochs", type=opt.positive, default=d.max_epochs,
                       help=f"at most this many epochs (default {d.max_epochs:g})")
    group.add_argument("--weight-decay", type=opt.real(0), default=d.weight_decay,
                       help=f"decay of weights and embeddings, decoupled for adamw (default {d.weight_decay:g})")
    group.add_argument("--lazy-embeddings", action="store_true", default=d.lazy_embeddings,
                       help="Adam/AdamW update only the embedding rows of each batch (lazy moments, exact "
                            f"weight decay; the default: {d.lazy_embeddings})")
    group.add_argument("--dense-embeddings", action="store_false", dest="lazy_embeddings",
                       help="dense Adam/AdamW on the whole embedding table at every step")
    group.add_argument("--lr-decay", type=opt.real(0, 1, low_open=True), default=d.lr_decay,
                       help=f"lr factor after a validation without improvement (default {d.lr_decay:g})")
    group.add_argument("--patience", type=opt.count, default=d.patience,
                       help=f"stop after this many validations without improvement (default {d.patience})")
    group.add_argument("--min-improvement", type=opt.real(0), default=d.min_improvement,
                       help=f"relative validation gain that counts as progress (default {d.min_improvement:g})")
    group.add_argument("--evals-per-epoch", type=opt.count, default=d.evals_per_epoch,
                       help=f"validations and checkpoints per epoch (default {d.evals_per_epoch})")
    group.add_argument("--max-time", type=opt.positive, default=None, metavar="SECONDS",
                       help="time budget: stop when the next validation would come later")
    group.add_argument("--threads", type=opt.count, default=None,
                       help="BLAS threads (default: 1 for vocabularies under 5,000 words, else the BLAS default)")
    group.add_argument("--quiet", "-q", action="store_true", help="no progress bars")


def model_from_args(args: argparse.Namespace) -> Any:
    from wordnet_lm.nplm import NPLM

    model = NPLM(order=args.order, embed_dim=args.embed_dim, hidden=args.hidden, direct=args.direct,
                 dropout=args.dropout, embed_std=args.embed_std, seed=args.seed, **output_options(args))
    model.check_params()
    return model


def config_from_args(args: argparse.Namespace) -> Any:
    from wordnet_lm.nplm.config import TrainConfig

    config = TrainConfig(optimizer=args.optimizer, lr=args.lr, momentum=args.momentum, batch_size=args.batch_size,
                         max_epochs=args.epochs, weight_decay=args.weight_decay,
                         lazy_embeddings=args.lazy_embeddings, lr_decay=args.lr_decay, patience=args.patience,
                         min_improvement=args.min_improvement,
                         evals_per_epoch=args.evals_per_epoch, max_time=args.max_time, threads=args.threads)
    config.check()
    return config


def load_data(args: argparse.Namespace, need_valid: bool = False) -> tuple:
    """``(train, valid, test, vocab)`` from ``--train/--valid/--test``, or the demo corpus."""
    from wordnet_lm.text import ReadingOptions, demo_paths, load_corpus

    sources = {"train": args.train, "valid": args.valid, "test": getattr(args, "test", None)}
    if sources["train"] is None:
        if sources["valid"] is not None or sources["test"] is not None:
            raise WordnetLMError("--valid/--test given without --train")
        demo = demo_paths()
        sources = {"train": demo["train"], "valid": demo["valid"],
                   "test": demo["test"] if hasattr(args, "test") else None}
        _say(args, f"no --train given: using the built-in demo corpus ({Path(demo['train']).parent})")
    if need_valid and sources["valid"] is None:
        raise WordnetLMError("--valid is required (validation data selects the best model)")
    reading = ReadingOptions(lowercase=args.lowercase, encoding=args.encoding)
    train, vocab = load_corpus(sources["train"], reading=reading, min_count=args.min_count, max_size=args.max_vocab)
    loaded = {k: load_corpus(v, reading=reading, vocab=vocab)[0] if v is not None else None
              for k, v in sources.items() if k != "train"}
    _say(args, f"train: {train.n_sentences:,} sentences, {train.n_tokens:,} tokens, vocabulary {len(vocab):,}")
    return train, loaded["valid"], loaded.get("test"), vocab


def _say(args: argparse.Namespace, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)


# ---------------------------------------------------------------------------- commands


def cmd_train_lm(args: argparse.Namespace) -> int:
    model = model_from_args(args)
    config = config_from_args(args)
    inputs = (args.train, args.valid, args.test)
    check_output(args.out, what="neural LM file", inputs=inputs, accepts=is_npz_of_kind(MODEL_KIND), option="--out")
    checkpoint = args.checkpoint or str(Path(args.out).with_suffix("")) + ".ckpt.npz"
    check_output(checkpoint, what="neural LM checkpoint", inputs=(*inputs, args.out), accepts=_is_nplm_checkpoint,
                 option="--checkpoint")
    train, valid, test, vocab = load_data(args)
    if args.resume and not Path(checkpoint).exists():
        _say(args, f"no checkpoint {checkpoint} yet: starting from scratch")
    with locked_outputs([args.out, checkpoint]):
        try:
            model.fit(train, vocab, valid, config, checkpoint=checkpoint, resume=args.resume, progress=not args.quiet)
        except KeyboardInterrupt:
            if Path(checkpoint).exists():
                print(f"checkpoint {checkpoint} kept: run the same command with --resume to continue", file=sys.stderr)
            raise
        model.save(args.out)
    print(f"saved {args.out}")
    if valid is not None:
        print(f"valid perplexity {model.perplexity(valid):.2f}")
    if test is not None:
        print(f"test perplexity {model.perplexity(test):.2f}")
    _say(args, checkpoint_note(checkpoint))
    return 0


def checkpoint_note(checkpoint: str | Path) -> str:
    """The last line of a training run: the checkpoint left beside the model, its size, what to do with it."""
    path = Path(checkpoint)
    if not path.exists():
        return "no checkpoint left"
    return (f"checkpoint {path} ({format_bytes(path.stat().st_size)}) kept: --resume continues the run "
            f"(e.g. with more --epochs); delete it when done")


def _is_nplm_checkpoint(path: Path) -> bool:
    """A neural LM file that is a training checkpoint (a plain model file may not be overwritten by one)."""
    try:
        meta = read_npz_meta(path)
    except WordnetLMError:
        return False
    return meta.get("kind") == MODEL_KIND and isinstance(meta.get("checkpoint"), dict)


def cmd_compare(args: argparse.Namespace) -> int:
    from wordnet_lm.cli import compare_models as cm

    cm.check_options(args, cm.changed_options(args, (add_model_args, add_training_args)))
    inputs = (args.train, args.valid, args.test, args.neural, *(args.ngram or []))
    if args.save_model:
        check_output(args.save_model, what="neural LM file", inputs=inputs, accepts=is_npz_of_kind(MODEL_KIND),
                     option="--save-model")
    for path in args.save_table or []:
        check_output(path, what="table", inputs=inputs, accepts=_is_table, option="--save-table")
    checkpoint = cm.checkpoint_path(args) if args.neural is None and not args.no_neural else None
    if checkpoint is not None:
        check_output(checkpoint, what="neural LM checkpoint", inputs=(*inputs, args.save_model),
                     accepts=_is_nplm_checkpoint, option="--checkpoint")
    with locked_outputs([args.save_model, *(args.save_table or []), checkpoint]):
        return _run_compare(args, checkpoint)


def _run_compare(args: argparse.Namespace, checkpoint: Path | None) -> int:
    from wordnet_lm.cli import compare_models as cm
    from wordnet_lm.compare import DEFAULT_ORDERS, NGRAM_METHODS, compare, format_table, write_table

    reused = cm.load_reused(args)
    train_nplm = checkpoint is not None
    train_ngrams = not reused.ngrams or args.orders is not None
    model = model_from_args(args) if train_nplm else reused.nplm
    config = config_from_args(args) if train_nplm else None
    if reused.vocab is None:
        train, valid, test, vocab = load_data(args, need_valid=True)
    else:
        vocab = reused.vocab
        train, valid, test = cm.load_texts(args, vocab, need_train=train_nplm or train_ngrams)
    if args.resume and train_nplm and not checkpoint.exists():
        _say(args, f"no checkpoint {checkpoint} yet: starting from scratch")
    try:
        rows = compare(train, valid, test, vocab, orders=args.orders or DEFAULT_ORDERS,
                       methods=NGRAM_METHODS if train_ngrams else (), nplm=model, train_config=config,
                       progress=not args.quiet, ngram_models=reused.ngrams, nplm_trained=not train_nplm,
                       checkpoint=checkpoint, resume=args.resume)
    except KeyboardInterrupt:
        if train_nplm and checkpoint.exists():
            print(f"checkpoint {checkpoint} kept: run the same command with --resume to continue", file=sys.stderr)
        raise
    print(format_table(rows, markdown=args.markdown_stdout), end="")
    for path in args.save_table or []:
        write_table(path, rows)
        _say(args, f"wrote {path}")
    if args.save_model:
        model.save(args.save_model)
        _say(args, f"saved the neural LM to {args.save_model}")
    if train_nplm and checkpoint.exists():
        if args.checkpoint:  # named: kept, a later --resume skips the training
            _say(args, checkpoint_note(checkpoint))
        else:  # the default one is a working file
            checkpoint.unlink()
    return 0


def _parse_orders(text: str) -> tuple[int, ...]:
    """``2-5`` or ``2,3,5`` as a tuple of n-gram orders (an argparse type)."""
    try:
        if "-" in text:
            low, high = (int(x) for x in text.split("-"))
            orders = tuple(range(low, high + 1))
        else:
            orders = tuple(int(x) for x in text.split(","))
    except ValueError:
        raise argparse.ArgumentTypeError(f"must look like 2-5 or 2,3,5, got {text!r}") from None
    if not orders or min(orders) < 1 or max(orders) > opt.MAX_ORDER:
        raise argparse.ArgumentTypeError(f"must be orders from 1 to {opt.MAX_ORDER}, got {text!r}")
    return orders


def cmd_generate(args: argparse.Namespace) -> int:
    from wordnet_lm.nplm import NPLM
    from wordnet_lm.nplm.sample import generate

    model = NPLM.load(args.model)
    prompt = args.prompt.split() if args.prompt else []
    words = generate(model, prompt, args.n, temperature=args.temperature, top_k=args.top_k,
                     allow_unk=args.allow_unk, seed=args.seed)
    text = " ".join(prompt + words)
    print(text.replace(" </s> ", "\n").replace(" </s>", "").replace("</s>", "").strip())
    return 0


def cmd_next(args: argparse.Namespace) -> int:
    from wordnet_lm.nplm import NPLM
    from wordnet_lm.nplm.sample import top_next_words

    if (args.context is None) == (args.context_option is None):
        raise WordnetLMError("give the words starting the sentence once: as an argument or with --sentence")
    model = NPLM.load(args.model)
    context = args.context if args.context is not None else args.context_option
    for word, p in top_next_words(model, context.split(), args.k):
        print(f"{word}\t{p:.4f}")
    return 0


def cmd_export_vectors(args: argparse.Namespace) -> int:
    from wordnet_lm.nplm import NPLM
    from wordnet_lm.vectors import KeyedVectors
    from wordnet_lm.vectors.formats import looks_like_vectors

    check_output(args.out, what="vectors file", inputs=(args.model,), accepts=looks_like_vectors, option="--out")
    model = NPLM.load(args.model)
    vectors = KeyedVectors.from_vocab(model.vocab_, model.params_["embed.C"])
    with locked_outputs([args.out]):
        vectors.save(args.out, args.format)
    print(f"wrote {len(vectors):,} vectors of dimension {vectors.vector_size} to {args.out}")
    return 0


# ---------------------------------------------------------------------------- parser


def register(subparsers: Any) -> None:
    """Add the neural LM subcommands to the ``wordnet-lm`` parser."""
    p = subparsers.add_parser("train-lm", help="train a Bengio neural language model",
                              description="Train a Bengio-style neural LM (shared embeddings, tanh hidden layer, "
                                          "softmax).  Without --train: the built-in demo corpus.")
    add_data_args(p)
    p.add_argument("--out", "-o", default=DEFAULT_MODEL, help=f"model file to write (default {DEFAULT_MODEL})")
    p.add_argument("--checkpoint", help="checkpoint file (default: OUT without .npz + .ckpt.npz)")
    p.add_argument("--resume", action="store_true", help="continue an interrupted run from its checkpoint")
    add_model_args(p)
    add_training_args(p)
    p.set_defaults(func=cmd_train_lm)

    p = subparsers.add_parser("compare", help="perplexity table: n-gram baselines vs the neural LM",
                              description="Train add-k, interpolated and modified Kneser-Ney n-gram models and the "
                                          "neural LM, and print validation and test perplexity in one table.  "
                                          "Without --train: the built-in demo corpus.")
    add_data_args(p)
    p.add_argument("--orders", type=_parse_orders,
                   help="n-gram orders to train, e.g. 2-5 (default, unless --ngram) or 2,3")
    p.add_argument("--no-neural", action="store_true", help="n-gram models only")
    reuse = p.add_argument_group("models trained earlier (their vocabulary becomes the table's; all must agree)")
    reuse.add_argument("--neural", metavar="MODEL", help="a neural LM file (train-lm) to score instead of training one")
    reuse.add_argument("--ngram", action="append", metavar="MODEL",
                       help="an n-gram model (ARPA or .npz) to score instead of training the baselines "
                            "(repeatable; with --orders the baselines are trained too)")
    p.add_argument("--save-table", action="append", metavar="PATH",
                   help="also write the table: .csv -> CSV, otherwise Markdown (repeatable)")
    p.add_argument("--markdown", dest="markdown_stdout", action="store_true", help="print the table as Markdown")
    p.add_argument("--save-model", metavar="PATH", help="save the trained neural LM")
    p.add_argument("--checkpoint", metavar="PATH",
                   help="the neural LM's training checkpoint, kept after the run (default: beside --save-model, "
                        "else compare.ckpt.npz, removed when the table is printed)")
    p.add_argument("--resume", action="store_true",
                   help="continue an interrupted run: the neural LM's training resumes from its checkpoint")
    add_model_args(p)
    add_training_args(p)
    p.set_defaults(func=cmd_compare)

    p = subparsers.add_parser("generate", help="sample text from a neural LM")
    p.add_argument("--model", "-m", default=DEFAULT_MODEL, help=f"model file (default {DEFAULT_MODEL})")
    p.add_argument("--prompt", "-p", default="", help="words starting the sentence")
    p.add_argument("--n", "-n", type=opt.count, default=20, help="words to generate (default 20)")
    p.add_argument("--temperature", type=opt.positive, default=1.0, help="below 1: safer, above 1: wilder (default 1)")
    p.add_argument("--top-k", type=opt.count, default=None, help="sample among the k most probable words only")
    p.add_argument("--allow-unk", action="store_true", help="let <unk> be generated")
    p.add_argument("--seed", type=opt.seed, default=None, help="random seed")
    p.set_defaults(func=cmd_generate)

    p = subparsers.add_parser("next", help="most probable next words after a context")
    p.add_argument("context", nargs="?", help='words starting a sentence, e.g. "the king"')
    p.add_argument("--sentence", dest="context_option", metavar="TEXT", help="the same words, as an option")
    p.add_argument("--model", "-m", default=DEFAULT_MODEL, help=f"model file (default {DEFAULT_MODEL})")
    p.add_argument("--topn", "-n", "-k", dest="k", type=opt.count, default=10, help="how many words (default 10)")
    p.set_defaults(func=cmd_next)

    p = subparsers.add_parser("export-vectors", help="write a neural LM's embeddings as word vectors")
    p.add_argument("--model", "-m", default=DEFAULT_MODEL, help=f"model file (default {DEFAULT_MODEL})")
    p.add_argument("--out", "-o", required=True, help="vectors file (.txt word2vec text, .bin binary, .npz)")
    p.add_argument("--format", choices=("word2vec", "word2vec-binary", "glove", "npz"), default=None,
                   help="default: from the file name")
    p.set_defaults(func=cmd_export_vectors)
