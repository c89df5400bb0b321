"""Text inputs given as ``-`` (standard input) or as a sentence on the command line.

Commands read their text more than once (a vocabulary pass, then an encoding pass), so standard
input is first copied to a temporary file that lives as long as the command.
"""

from __future__ import annotations

import argparse
import contextlib
import shutil
import sys
import tempfile
from pathlib import Path

from wordnet_lm.errors import OptionError

TEXT_OPTIONS = ("train", "valid", "test", "text", "corpus", "heldout")  # options naming text to read


def spool_standard_input(args: argparse.Namespace, cleanup: contextlib.ExitStack) -> None:
    """Replace a text option given as ``-`` by a temporary copy of standard input, and
    ``--sentence`` texts by a temporary file of those sentences (one per line)."""
    named = [name for name in TEXT_OPTIONS if getattr(args, name, None) == "-"]
    if len(named) > 1:
        raise OptionError(f"only one input can be standard input, not {' and '.join('--' + n for n in named)}")
    sentences = getattr(args, "sentence", None)
    if not named and not sentences:
        return
    folder = Path(cleanup.enter_context(tempfile.TemporaryDirectory(prefix="wordnet-lm-input-")))
    if named:
        copy = folder / "stdin.txt"
        with open(copy, "wb") as out:
            shutil.copyfileobj(sys.stdin.buffer, out)
        setattr(args, named[0], str(copy))
    if sentences:
        target = getattr(args, "sentence_target", "text")
        if getattr(args, target, None) is not None:
            raise OptionError(f"give --sentence or --{target}, not both")
        given = folder / "sentences.txt"
        given.write_text("\n".join(sentences) + "\n", encoding="utf-8")
        setattr(args, target, str(given))
