#!/usr/bin/env python3
"""Answer word analogies with a vectors file: a thin script over ``wordnet_lm.vectors``.

    python scripts/query_analogies.py VECTORS paris france london     # a : b :: c : ?
    python scripts/query_analogies.py VECTORS < questions.txt          # one "a b c" per line
    python scripts/query_analogies.py VECTORS --method cosmul --topn 3
    python scripts/query_analogies.py paris france london             # the demo corpus's GloVe vectors

It is ``wordnet-lm analogy [--vectors VECTORS] ...``; see ``wordnet-lm analogy --help``.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # run from a checkout without installing

from wordnet_lm.cli import main as wordnet_lm_main  # noqa: E402


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if argv and argv[0] in ("-h", "--help"):
        print(__doc__.strip())
        return 0
    if argv and Path(argv[0]).is_file():  # a vectors file first; otherwise the demo vectors
        return wordnet_lm_main(["analogy", "--vectors", argv[0], *argv[1:]])
    return wordnet_lm_main(["analogy", *argv])


if __name__ == "__main__":
    sys.exit(main())
