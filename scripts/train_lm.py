#!/usr/bin/env python
"""Train a Bengio neural language model: ``wordnet-lm train-lm`` as a script.

    python scripts/train_lm.py                                   # the built-in demo corpus
    python scripts/train_lm.py --train T --valid V --test X --out lm.npz --epochs 20
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from wordnet_lm.cli import main  # noqa: E402

if __name__ == "__main__":
    sys.exit(main(["train-lm", *sys.argv[1:]]))
