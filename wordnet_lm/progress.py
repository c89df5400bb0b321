"""Progress bars: tqdm on stderr, shown only when asked for and stderr is a terminal.

Logs and pipes get the one-line summaries the commands print, not bar redraws.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING, Any, Iterable

if TYPE_CHECKING:
    from tqdm import tqdm as Bar  # the type of a bar, for annotations


def progress_bar(iterable: Iterable | None = None, *, enabled: bool = True, **kwargs: Any) -> Bar:
    """A ``tqdm`` bar, disabled unless ``enabled`` and stderr is a terminal."""
    from tqdm.auto import tqdm  # loaded with the first bar: a tenth of a second off every command's start

    return tqdm(iterable, disable=None if enabled else True, **kwargs)


def write(text: str) -> None:
    """Print a line on stderr without breaking a bar on screen (epoch and status lines)."""
    from tqdm.auto import tqdm

    tqdm.write(text, file=sys.stderr)
