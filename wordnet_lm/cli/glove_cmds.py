"""``wordnet-lm glove``: count co-occurrences of a corpus, train GloVe, write the vectors."""

from __future__ import annotations

import argparse
import contextlib
import sys
import time
from pathlib import Path
from types import SimpleNamespace
from typing import Callable

from wordnet_lm.cli.cooccur_cmds import add_counting_arguments, count_to_folder
from wordnet_lm.cli.corpus_cmds import add_reading_arguments, reading_options
from wordnet_lm.cli import options as opt
from wordnet_lm.cli.scale_args import add_scale_arguments, check_scale_arguments, scale_requested
from wordnet_lm.errors import WordnetLMError
from wordnet_lm.glove.adagrad import VARIANTS
from wordnet_lm.glove.settings import AUTO, COMBINE, MODEL_DEFAULTS
from wordnet_lm.glove.checkpoint import KIND as CHECKPOINT_KIND
from wordnet_lm.memory import format_bytes
from wordnet_lm.outputs import check_output, is_npz_of_kind, locked_outputs
from wordnet_lm.scale.budget import parse_memory
from wordnet_lm.scale.tempdir import TempFolder
from wordnet_lm.vectors.formats import FORMATS, looks_like_vectors

_DEFAULTS = SimpleNamespace(**MODEL_DEFAULTS)
# a nonzero being trained: packed (16 bytes), its batch key and sort order (10), gathered copies (~24)
TRAIN_BYTES_PER_NONZERO = 64


def _auto_or(kind: type, minimum: int):
    """An argparse type: ``auto`` or a number of ``kind`` >= ``minimum``."""
    def parse(text: str):
        if text == AUTO:
            return AUTO
        try:
            value = kind(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"expected 'auto' or an integer, got {text!r}") from None
        if value < minimum:
            raise argparse.ArgumentTypeError(f"expected 'auto' or an integer >= {minimum}, got {text!r}")
        return value
    return parse


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "glove", help="train GloVe word vectors on a corpus",
        description="Count word-word co-occurrences in a symmetric window, train GloVe (weighted least "
                    "squares on log counts, AdaGrad) and write the word vectors.")
    data = parser.add_argument_group("corpus and co-occurrences")
    data.add_argument("--corpus", default="demo",
                      help="text file (.gz/.bz2/.xz ok; one sentence per line), directory, NLTK corpus zip, or a "
                           "name: demo (default), brown, ...")
    add_counting_arguments(parser, data)
    data.add_argument("--chunk-tokens", type=opt.count, default=1_000_000,
                      help="tokens counted at a time; bounds memory (default 1,000,000)")
    data.add_argument("--cooccurrences", type=Path, default=None, metavar="DIR",
                      help="train on this co-occurrence folder (wordnet-lm cooccur), memory-mapped, instead of "
                           "counting --corpus")
    data.add_argument("--block-nonzeros", type=opt.count, default=None,
                      help="train in shuffled blocks of this many nonzeros (default: all at once in memory; "
                           "with --memory or --cooccurrences, as many as the budget allows)")
    add_reading_arguments(parser)
    add_scale_arguments(parser)

    model = parser.add_argument_group("model and training")
    model.add_argument("--dim", type=opt.count, default=_DEFAULTS.dim, help=f"vector size (default {_DEFAULTS.dim})")
    model.add_argument("--epochs", type=_auto_or(int, 1), default=_DEFAULTS.epochs,
                       help=f"passes over the nonzeros, or auto: 10 from 10 M nonzero co-occurrences up, 15 at "
                            f"0.1 M and below (default {_DEFAULTS.epochs})")
    model.add_argument("--x-max", type=opt.positive, default=_DEFAULTS.x_max,
                       help=f"weighting cut-off: counts above it weigh 1 (default {_DEFAULTS.x_max:g})")
    model.add_argument("--alpha", type=opt.positive, default=_DEFAULTS.alpha,
                       help=f"weighting exponent (default {_DEFAULTS.alpha:g})")
    model.add_argument("--lr", type=opt.positive, default=_DEFAULTS.lr, help=f"AdaGrad learning rate (default {_DEFAULTS.lr:g})")
    model.add_argument("--batch-size", type=_auto_or(int, 1), default=_DEFAULTS.batch_size,
                       help=f"nonzeros per mini-batch, or auto: 65,536, fewer if an epoch would have under 32 "
                            f"batches (default {_DEFAULTS.batch_size})")
    model.add_argument("--adagrad", choices=VARIANTS, default=_DEFAULTS.adagrad,
                       help=f"AdaGrad formula (default {_DEFAULTS.adagrad}; see docs/glove.md)")
    model.add_argument("--bias-lr", type=opt.positive, default=None,
                       help="AdaGrad learning rate of the biases (default: 1 with --adagrad stanford, as glove.c, "
                            "else --lr)")
    model.add_argument("--seed", type=opt.seed, default=_DEFAULTS.seed, help=f"random seed (default {_DEFAULTS.seed})")

    output = parser.add_argument_group("output")
    output.add_argument("--out", "-o", type=Path, default=Path("vectors.txt"), help="vectors file (default vectors.txt)")
    output.add_argument("--format", choices=FORMATS, default=None,
                        help="word2vec (text with a header), word2vec-binary, glove (text, no header) or npz "
                             "(default: from the suffix: .bin binary, .npz npz, else word2vec)")
    output.add_argument("--vectors", choices=COMBINE, default="sum", dest="combine",
                        help="sum: W + W~ (default, GloVe's output); w: word vectors W only; w_tilde: W~ only")
    output.add_argument("--checkpoint", type=Path, default=None,
                        help="training state written after every epoch (default: OUT without its suffix + "
                             ".ckpt.npz)")
    output.add_argument("--no-checkpoint", action="store_true", help="write no checkpoint")
    output.add_argument("--resume", action="store_true",
                        help="continue an interrupted run (or extend a finished one with more --epochs) from "
                             "its checkpoint; same corpus and settings")
    output.add_argument("--quiet", "-q", action="store_true", help="no progress bars or per-epoch losses")
    parser.set_defaults(func=cmd_glove)


def checkpoint_path(out: Path) -> Path:
    """The default checkpoint beside the vectors file: ``vectors.txt`` -> ``vectors.ckpt.npz``."""
    return out.with_name(out.stem + ".ckpt.npz")


def cmd_glove(args: argparse.Namespace) -> int:
    reading = reading_options(args)
    reading["progress"] = reading["progress"] and not args.quiet
    say = (lambda *a: None) if args.quiet else (lambda message: print(message, file=sys.stderr))

    if args.resume and args.no_checkpoint:
        raise WordnetLMError("--resume continues from a checkpoint: drop --no-checkpoint")
    checkpoint = None if args.no_checkpoint else args.checkpoint or checkpoint_path(args.out)
    check_output(args.out, what="vectors file", inputs=(args.corpus,), accepts=looks_like_vectors, option="--out")
    if checkpoint is not None:
        check_output(checkpoint, what="GloVe checkpoint", inputs=(args.corpus, args.out),
                     accepts=is_npz_of_kind(CHECKPOINT_KIND), option="--checkpoint")
    with locked_outputs([args.out, checkpoint]):
        return _train_glove(args, checkpoint, reading, say)


def _cooccurrences(args: argparse.Namespace, reading: dict, say: Callable[[str], None],
                   stack: contextlib.ExitStack):
    """The matrix to train on (in memory, or a memory-mapped folder), its vocabulary and block size."""
    from wordnet_lm.glove.cooccur import count_cooccurrences
    from wordnet_lm.glove.matrix_file import CooccurrenceFile

    if args.cooccurrences is not None:
        matrix = CooccurrenceFile.open(args.cooccurrences)
        budget = parse_memory(args.memory) if args.memory is not None else None
        return matrix, matrix.vocab(), args.block_nonzeros or (budget and budget // TRAIN_BYTES_PER_NONZERO)
    if scale_requested(args):
        budget = check_scale_arguments(args)
        folder = stack.enter_context(TempFolder(args.temp))
        matrix = count_to_folder(args, args.corpus, folder / "cooccurrences")
        return matrix, matrix.vocab(), args.block_nonzeros or budget // TRAIN_BYTES_PER_NONZERO
    start = time.perf_counter()
    matrix, vocab = count_cooccurrences(args.corpus, min_count=args.min_count, max_size=args.max_size,
                                        window=args.window, weighting=args.weighting,
                                        chunk_tokens=args.chunk_tokens, **reading)
    n_words = len(vocab) - 3
    say(f"{args.corpus}: {n_words:,} words (min count {args.min_count}), {matrix.nnz:,} nonzero co-occurrences "
        f"(window {args.window}, {args.weighting}) in {time.perf_counter() - start:.1f} s")
    return matrix, vocab, args.block_nonzeros


def _train_glove(args: argparse.Namespace, checkpoint: Path | None, reading: dict, say: Callable[[str], None]) -> int:
    with contextlib.ExitStack() as stack:  # the temporary folder of counts made with --memory lives until trained
        matrix, vocab, block_nonzeros = _cooccurrences(args, reading, say, stack)
        return _fit_and_save(args, checkpoint, matrix, vocab, block_nonzeros, say)


def _fit_and_save(args: argparse.Namespace, checkpoint: Path | None, matrix, vocab, block_nonzeros: int | None,
                  say: Callable[[str], None]) -> int:
    from wordnet_lm.glove.train import GloVe

    model = GloVe(dim=args.dim, x_max=args.x_max, alpha=args.alpha, epochs=args.epochs, lr=args.lr,
                  batch_size=args.batch_size, adagrad=args.adagrad, bias_lr=args.bias_lr, seed=args.seed,
                  verbose=not args.quiet, block_nonzeros=block_nonzeros)
    resolved = model.resolved_params(matrix.nnz)
    auto = {name: " (auto)" if getattr(args, name) == AUTO else "" for name in resolved}
    say(f"GloVe: dim {args.dim}, x_max {args.x_max:g}, alpha {args.alpha:g}, {resolved['epochs']} epochs"
        f"{auto['epochs']}, batches of {resolved['batch_size']:,} nonzeros{auto['batch_size']}, lr {args.lr:g} "
        f"(biases {model.resolved_bias_lr():g}), AdaGrad {args.adagrad}")
    if args.resume and (checkpoint is None or not checkpoint.exists()):
        say(f"no checkpoint {checkpoint} yet: starting from scratch")
    elif args.resume:
        say(f"resuming from {checkpoint}")
    start = time.perf_counter()
    try:
        model.fit(matrix, checkpoint=checkpoint, resume=args.resume)
    except KeyboardInterrupt:
        if checkpoint is not None and checkpoint.exists():
            print(f"checkpoint {checkpoint} kept: run the same command with --resume to continue", file=sys.stderr)
        raise
    elapsed = time.perf_counter() - start
    final = f", final loss {model.loss_history_[-1]:.6f}" if model.loss_history_ else ""
    say(f"trained {model.epochs_} epochs in {elapsed:.1f} s{final}")

    vectors = model.to_keyed_vectors(vocab, combine=args.combine)
    vectors.save(args.out, args.format)
    print(f"{args.out}: {len(vectors):,} vectors of dimension {args.dim}")
    if checkpoint is not None and checkpoint.exists():
        say(f"checkpoint {checkpoint} ({format_bytes(checkpoint.stat().st_size)}) kept: --resume continues the "
            "run (e.g. with more --epochs); delete it when done")
    return 0
