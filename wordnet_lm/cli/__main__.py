"""``python -m wordnet_lm.cli`` runs the command-line tool (as ``python -m wordnet_lm``)."""

import sys

from wordnet_lm.cli import main

sys.exit(main())
