#!/usr/bin/env python
"""One perplexity table of n-gram baselines and the neural LM: ``wordnet-lm compare`` as a script.

    python scripts/compare_perplexity.py                         # the built-in demo corpus
    python scripts/compare_perplexity.py --train T --valid V --test X --save-table table.md
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wordnet_lm.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["compare", *sys.argv[1:]]))
