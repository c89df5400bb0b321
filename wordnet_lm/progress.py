"""Progress bars: tqdm on stderr, shown only when asked for and stderr is a terminal.

Logs and pipes get the one-line summaries the commands print, not bar redraws.
"""

from __future__ import annotations

import sys
from typing import Any, Iterable

from tqdm.auto import tqdm

Bar = tqdm  # the type of a bar, for annotations


def progress_bar(iterable: Iterable | None = None, *, enabled: bool = True, **kwargs: Any) -> tqdm:
    """A ``tqdm`` bar, disabled unless ``enabled`` and stderr is a terminal."""
    return tqdm(iterable, disable=None if enabled else True, **kwargs)


def write(text: str) -> None:
    """Print a line on stderr without breaking a bar on screen (epoch and status lines)."""
    tqdm.write(text, file=sys.stderr)
