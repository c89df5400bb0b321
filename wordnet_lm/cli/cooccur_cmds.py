"""``wordnet-lm cooccur``: count co-occurrences within a memory budget (optionally on Dask) into a
co-occurrence folder that ``wordnet-lm glove --cooccurrences DIR`` trains on memory-mapped; and
the scaled counting ``wordnet-lm glove --memory/--workers/--scheduler`` shares."""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING

from wordnet_lm.cli import options as opt
from wordnet_lm.cli.corpus_cmds import add_reading_arguments, reading_options
from wordnet_lm.cli.scale_args import add_scale_arguments, check_scale_arguments, executor_from_args
from wordnet_lm.glove.settings import DEFAULT_WINDOW, WEIGHTINGS
from wordnet_lm.scale.budget import format_bytes
from wordnet_lm.scale.executor import default_workers, make_executor

if TYPE_CHECKING:
    from wordnet_lm.glove.matrix_file import CooccurrenceFile


def add_counting_arguments(parser: argparse.ArgumentParser, group: argparse._ArgumentGroup) -> None:
    group.add_argument("--min-count", type=opt.count, default=5, help="drop words seen fewer times (default 5)")
    group.add_argument("--max-vocab", "--max-size", dest="max_size", type=opt.count, default=None, metavar="N",
                       help="keep at most this many words (most frequent)")
    group.add_argument("--window", type=opt.count, default=DEFAULT_WINDOW,
                       help=f"context words on each side (default {DEFAULT_WINDOW})")
    group.add_argument("--weighting", choices=WEIGHTINGS, default="harmonic",
                       help="weight of a pair d words apart: harmonic 1/d (GloVe, default), flat 1, "
                            "linear (window+1-d)/window (word2vec's expected weight)")


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "cooccur", help="count word-word co-occurrences into a folder (bounded memory, optionally on Dask)",
        description="Count word-word co-occurrences in a symmetric window within a memory budget (sorted runs "
                    "spilled to --temp and merged; both cores, or a Dask cluster) and write them as a "
                    "co-occurrence folder (memory-mapped CSR arrays + vocabulary) for wordnet-lm glove "
                    "--cooccurrences.")
    parser.add_argument("corpus", help="text file, directory, NLTK corpus zip, corpus name or encoded corpus folder")
    parser.add_argument("--out", type=Path, required=True, help="the co-occurrence folder to write")
    add_counting_arguments(parser, parser.add_argument_group("co-occurrences"))
    add_reading_arguments(parser)
    add_scale_arguments(parser)
    parser.set_defaults(func=cmd_cooccur)


def count_to_folder(args: argparse.Namespace, corpus, out: Path) -> CooccurrenceFile:
    """Count ``corpus`` as the scale options ask (a local process pool by default) into ``out``."""
    from wordnet_lm.glove.cooccur import check_writable_folder
    from wordnet_lm.glove.distributed import count_cooccurrences_on

    budget = check_scale_arguments(args)
    check_writable_folder(out)
    reading = reading_options(args)
    executor = executor_from_args(args) or make_executor(processes=default_workers())
    start = time.perf_counter()
    with executor:
        matrix = count_cooccurrences_on(executor, corpus, out=out, min_count=args.min_count, max_size=args.max_size,
                                        window=args.window, weighting=args.weighting, memory=budget, temp=args.temp,
                                        **reading)
    print(f"{corpus}: {matrix.n_words - 3:,} words (min count {args.min_count}), {matrix.nnz:,} nonzero "
          f"co-occurrences (window {args.window}, {args.weighting}) counted in {time.perf_counter() - start:.1f} s "
          f"within {format_bytes(budget)} on {executor.workers} worker(s)", file=sys.stderr)
    return matrix


def cmd_cooccur(args: argparse.Namespace) -> int:
    matrix = count_to_folder(args, args.corpus, args.out)
    print(f"{args.out}: {matrix.n_words:,} x {matrix.n_words:,} co-occurrence matrix, {matrix.nnz:,} nonzeros")
    return 0
