"""The command line's neural-LM defaults (read without loading the model) are NPLM's."""

import inspect

from wordnet_lm.nplm import NPLM
from wordnet_lm.nplm.config import MODEL_DEFAULTS


def test_model_defaults_are_the_constructor_defaults():
    signature = inspect.signature(NPLM.__init__)
    defaults = {name: p.default for name, p in signature.parameters.items() if name != "self"}
    assert defaults == MODEL_DEFAULTS
