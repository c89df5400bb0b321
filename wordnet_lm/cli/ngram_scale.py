"""``wordnet-lm ngram --memory 2G [--temp DIR] [--workers N | --scheduler ADDR]``: the n-gram
model counted under a memory budget (optionally on Dask) and written as an ARPA file."""

from __future__ import annotations

import argparse
import sys
import warnings

from wordnet_lm.cli.corpus_cmds import reading_options
from wordnet_lm.cli.scale_args import check_scale_arguments, executor_from_args
from wordnet_lm.errors import WordnetLMError
from wordnet_lm.ngram.external import SMOOTHINGS, build_arpa
from wordnet_lm.ngram.smoothing import smoothing_class
from wordnet_lm.outputs import ARPA, check_output, locked_outputs
from wordnet_lm.scale.budget import format_bytes
from wordnet_lm.scale.executor import default_workers


def cmd_ngram_scaled(args: argparse.Namespace) -> int:
    smoothing = smoothing_class(args.smoothing).smoothing
    if smoothing not in SMOOTHINGS:
        raise WordnetLMError(f"--memory/--workers/--scheduler support --smoothing {', '.join(SMOOTHINGS)}, "
                             f"not {smoothing}")
    if args.arpa is None:
        raise WordnetLMError("--memory/--workers/--scheduler write the model as an ARPA file: give --arpa")
    for option in ("model", "valid", "test", "heldout"):
        if getattr(args, option):
            raise WordnetLMError(f"--{option} cannot be combined with --memory/--workers/--scheduler "
                                 f"(score the ARPA file with wordnet-lm perplexity)")
    if args.sample:
        raise WordnetLMError("--sample cannot be combined with --memory/--workers/--scheduler "
                             "(sample from the ARPA file with wordnet-lm ngram-sample)")
    check_output(args.arpa, what="ARPA file", inputs=(args.train,), accepts=ARPA, option="--arpa")
    budget = check_scale_arguments(args)
    discounts = None
    if args.discount is not None:
        discounts = args.discount if smoothing == "mkn" else (args.discount[0] if len(args.discount) == 1
                                                               else args.discount)
    options = reading_options(args)
    executor = executor_from_args(args)
    try:
        with locked_outputs([args.arpa]), warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            result = build_arpa(args.train, args.arpa, order=args.order, smoothing=smoothing, discounts=discounts,
                                min_count=args.min_count, max_size=args.max_vocab, memory=budget, temp=args.temp,
                                executor=executor, processes=None if executor else default_workers(), **options)
    finally:
        if executor is not None:
            executor.close()
    for warning in caught:
        print(f"wordnet-lm ngram: warning: {warning.message}", file=sys.stderr)
    print(f"order {result.order} {smoothing} over {result.n_sentences:,} sentences, {result.n_tokens:,} tokens; "
          f"vocabulary {result.vocab_size:,}")
    print("n-grams: " + ", ".join(f"{n}: {size:,}" for n, size in enumerate(result.sizes, start=1)))
    for n, row in enumerate(result.discounts, start=1):
        print(f"  discounts order {n}: " + " / ".join(f"{d:.3f}" for d in row[1:]))
    print(f"wrote {args.arpa}")
    stages = ", ".join(f"{k} {v:.2f} s" for k, v in result.seconds.items())
    print(f"budget {format_bytes(budget)}: {result.n_runs} sorted runs ({format_bytes(result.run_bytes)}), "
          f"{result.n_ranges} merge ranges; {stages}",
          file=sys.stderr)
    return 0
