"""``python -m wordnet_lm`` runs the command-line tool."""

import sys

from wordnet_lm.cli import main

sys.exit(main())
