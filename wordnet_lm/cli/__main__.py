"""``python -m wordnet_lm.cli``: the ``wordnet-lm`` command."""

import sys

from wordnet_lm.cli import main

sys.exit(main())
