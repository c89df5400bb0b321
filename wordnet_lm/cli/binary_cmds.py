"""``wordnet-lm build-binary MODEL OUT``: an n-gram model (ARPA or .npz) as our memory-mapped
binary file, which ``wordnet-lm perplexity --model OUT`` loads without parsing."""

from __future__ import annotations

import argparse
from pathlib import Path

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.ngram.binary import write_binary
from wordnet_lm.ngram.files import load_model


def register(subparsers: argparse._SubParsersAction) -> None:
    parser = subparsers.add_parser(
        "build-binary", help="convert an n-gram model (ARPA or .npz) to the memory-mapped binary format",
        description="Write an n-gram model as hash tables in one binary file that loads by memory-mapping "
                    "(like KenLM's build_binary): wordnet-lm perplexity --model OUT then starts at once.")
    parser.add_argument("model", type=Path, help="ARPA file (plain or .gz) or .npz n-gram model")
    parser.add_argument("out", type=Path, help="binary model file to write")
    parser.add_argument("--double", action="store_true",
                        help="store probabilities as float64 (exactly the model's scores; default float32, as KenLM)")
    parser.set_defaults(func=cmd_build_binary)


def cmd_build_binary(args: argparse.Namespace) -> int:
    if args.out.is_dir():
        raise WordnetLMError(f"{args.out}: is a folder, not a file to write")
    parent = args.out.parent if str(args.out.parent) else Path(".")
    if not parent.is_dir():
        raise WordnetLMError(f"{args.out}: no such folder {parent}")
    import numpy as np

    model = load_model(args.model, scoring=True)
    write_binary(args.out, model._fitted(), model.vocab_, dtype=np.float64 if args.double else np.float32)
    sizes = ", ".join(f"{n}: {size:,}" for n, size in enumerate(model.n_ngrams(), start=1))
    print(f"{args.out}: order {len(model.n_ngrams())}, n-grams {sizes}")
    return 0
