"""The ``wordnet-lm`` command: one argparse tree, each subcommand a thin function over the library.

Each module listed in ``_COMMAND_MODULES`` defines ``register(subparsers)``, which adds its
subcommands with ``parser.set_defaults(func=...)``; ``func(args)`` returns an exit status.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib
import os
import signal
import sys
import warnings
from typing import Iterator, Sequence

from wordnet_lm import __version__
from wordnet_lm.cli.inputs import spool_standard_input
from wordnet_lm.cli.options import OneLineParser
from wordnet_lm.errors import WordnetLMError

_COMMAND_MODULES = (
    "wordnet_lm.cli.corpus_cmds",
    "wordnet_lm.cli.ngram_cmds",
    "wordnet_lm.cli.lm_cmds",
    "wordnet_lm.cli.glove_cmds",
    "wordnet_lm.cli.cooccur_cmds",
    "wordnet_lm.cli.binary_cmds",
    "wordnet_lm.cli.vector_cmds",
    "wordnet_lm.cli.explore_cmds",
)


def build_parser() -> argparse.ArgumentParser:
    """The full parser with every available subcommand."""
    parser = OneLineParser(
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
    """Entry point of the ``wordnet-lm`` console script.

    Errors a user can cause are one line on stderr and exit status 2; Ctrl-C and SIGTERM exit
    130/143 after cleaning up (partial files removed, locks released); a closed pipe
    (``| head``) ends the command quietly.
    """
    parser = build_parser()
    try:
        args = parser.parse_args(argv)
    except SystemExit as e:  # a usage error (one line, see OneLineParser), --help or --version
        return e.code if isinstance(e.code, int) else 2
    if getattr(args, "func", None) is None:
        parser.print_help()
        return 0 if args.command is None else 2
    name = " ".join(["wordnet-lm", args.command, *([args.corpus_command] if getattr(args, "corpus_command", None) else [])])
    with contextlib.ExitStack() as cleanup, _warnings_as_lines(name), _sigterm_as_exit():
        try:
            spool_standard_input(args, cleanup)
            return int(args.func(args) or 0)
        except WordnetLMError as e:
            print(f"{name}: error: {e}", file=sys.stderr)
            return 2
        except KeyboardInterrupt:
            print(f"{name}: interrupted", file=sys.stderr)
            return 130
        except BrokenPipeError:
            _silence_stdout()
            return 141  # as a shell reports a command killed by SIGPIPE
        except OSError as e:  # a file the checks before could not foresee: permissions, a full disk, ...
            where = f"{e.filename}: " if e.filename else ""
            print(f"{name}: error: {where}{(e.strerror or str(e)).lower()}", file=sys.stderr)
            return 2
        except MemoryError:
            print(f"{name}: error: out of memory (try smaller sizes, or a memory budget where the "
                  "command has one)", file=sys.stderr)
            return 2


@contextlib.contextmanager
def _warnings_as_lines(name: str) -> Iterator[None]:
    """Warnings printed as ``wordnet-lm CMD: warning: ...`` (no file:line, no class name)."""
    def show(message, category, filename, lineno, file=None, line=None) -> None:
        print(f"{name}: warning: {message}", file=sys.stderr)

    with warnings.catch_warnings():
        warnings.showwarning = show
        yield


@contextlib.contextmanager
def _sigterm_as_exit() -> Iterator[None]:
    """SIGTERM raises ``SystemExit(143)``, so ``finally`` blocks and atomic writes clean up."""
    def stop(signum, frame) -> None:
        raise SystemExit(128 + signum)

    try:
        previous = signal.signal(signal.SIGTERM, stop)
    except ValueError:  # not the main thread (e.g. called from a test runner's worker thread)
        yield
        return
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _silence_stdout() -> None:
    """After a closed pipe: point stdout at /dev/null so the interpreter's final flush is quiet."""
    with contextlib.suppress(OSError, ValueError):
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        os.close(devnull)


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
