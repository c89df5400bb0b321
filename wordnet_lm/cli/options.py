"""Checked option types: every numeric option of the CLI has a domain, reported in one line.

``type=integer(1)`` accepts integers >= 1; ``type=real(0, 1, high_open=True)`` reals in
``[0, 1)``.  argparse turns the ``ArgumentTypeError`` into ``argument --x: must be ...``, and
:class:`OneLineParser` prints that on one line with the command's name, exit status 2.
"""

from __future__ import annotations

import argparse
import math
import sys
from typing import Callable, NoReturn

MAX_ORDER = 20  # n-gram and neural orders: beyond this, counts and windows explode for nothing
MAX_SEED = 2**32 - 1


class OneLineParser(argparse.ArgumentParser):
    """An ArgumentParser whose usage errors are one line: ``wordnet-lm CMD: error: ... (see --help)``."""

    def error(self, message: str) -> NoReturn:
        print(f"{self.prog}: error: {message} (see {self.prog} --help)", file=sys.stderr)
        sys.exit(2)


def integer(low: int | None = None, high: int | None = None) -> Callable[[str], int]:
    """An argparse type for integers in ``[low, high]`` (either bound may be None)."""
    def parse(text: str) -> int:
        try:
            value = int(text)
        except ValueError:
            raise argparse.ArgumentTypeError(f"must be an integer{_domain(low, high)}, got {text!r}") from None
        if (low is not None and value < low) or (high is not None and value > high):
            raise argparse.ArgumentTypeError(f"must be an integer{_domain(low, high)}, got {value}")
        return value
    parse.__name__ = "integer"
    return parse


def real(low: float | None = None, high: float | None = None, *, low_open: bool = False,
         high_open: bool = False) -> Callable[[str], float]:
    """An argparse type for finite reals between ``low`` and ``high`` (open ends if asked)."""
    def parse(text: str) -> float:
        try:
            value = float(text)
        except ValueError:
            value = math.nan
        ok = math.isfinite(value)
        ok = ok and (low is None or (value > low if low_open else value >= low))
        ok = ok and (high is None or (value < high if high_open else value <= high))
        if not ok:
            raise argparse.ArgumentTypeError(f"must be a number{_real_domain(low, high, low_open, high_open)}, "
                                             f"got {text!r}")
        return value
    parse.__name__ = "number"
    return parse


order = integer(1, MAX_ORDER)            # n-gram order
neural_order = integer(2, MAX_ORDER)     # the neural LM predicts from at least one word
count = integer(1)                       # how many: answers, words, sentences, epochs, ...
seed = integer(0, MAX_SEED)
positive = real(0, low_open=True)        # learning rates, x_max, t-SNE perplexity, ...
probability = real(0, 1, high_open=True)  # dropout


def _domain(low, high) -> str:
    if low is not None and high is not None:
        return f" from {low} to {high}"
    if low is not None:
        return f" >= {low}"
    if high is not None:
        return f" <= {high}"
    return ""


def _real_domain(low, high, low_open, high_open) -> str:
    parts = []
    if low is not None:
        parts.append(f"{'>' if low_open else '>='} {low:g}")
    if high is not None:
        parts.append(f"{'<' if high_open else '<='} {high:g}")
    return (" " + " and ".join(parts)) if parts else ""
