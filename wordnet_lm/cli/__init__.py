"""The ``wordnet-lm`` command: one argparse tree, each subcommand a thin function over the library.

Each module listed in ``_COMMAND_MODULES`` defines ``register(subparsers)``, which adds its
subcommands with ``parser.set_defaults(func=...)``; ``func(args)`` returns an exit status.
"""

from __future__ import annotations

import argparse
import importlib
import sys
from typing import Sequence

from wordnet_lm import __version__
from wordnet_lm.errors import WordnetLMError

_COMMAND_MODULES = (
    "wordnet_lm.cli.corpus_cmds",
    "wordnet_lm.cli.ngram_cmds",
    "wordnet_lm.cli.lm_cmds",
    "wordnet_lm.cli.glove_cmds",
    "wordnet_lm.cli.cooccur_cmds",
    "wordnet_lm.cli.binary_cmds",
    "wordnet_lm.cli.vector_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every available subcommand."""
    parser = argparse.ArgumentParser(
        prog="wordnet-lm",
        description="Word representations and language models: neural LM, n-gram baselines, GloVe, analogies.",
    )
    parser.add_argument("--version", action="version", version=f"wordnet-lm {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND")
    for name in _COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as e:
            if e.name == name:  # that group of commands is not written yet
                continue
            raise
        module.register(sub)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    """Entry point of the ``wordnet-lm`` console script."""
    parser = build_parser()
    args = parser.parse_args(argv)
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0 if args.command is None else 2
    try:
        return int(args.func(args) or 0)
    except WordnetLMError as e:
        print(f"wordnet-lm {args.command}: error: {e}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(f"wordnet-lm {args.command}: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
