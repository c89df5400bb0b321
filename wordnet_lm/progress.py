"""Progress bars: tqdm on stderr, shown only when asked for and stderr is a terminal.

Logs and pipes get the one-line summaries the commands print, not bar redraws.
"""

from __future__ import annotations

from typing import Any, Iterable

from tqdm.auto import tqdm


def progress_bar(iterable: Iterable | None = None, *, enabled: bool = True, **kwargs: Any) -> tqdm:
    """A ``tqdm`` bar, disabled unless ``enabled`` and stderr is a terminal."""
    return tqdm(iterable, disable=None if enabled else True, **kwargs)


write = tqdm.write  # print a line without breaking a bar on screen
