"""The command line's GloVe defaults (read without loading SciPy or the engine) are GloVe's."""

import inspect

from wordnet_lm.glove import GloVe
from wordnet_lm.glove.settings import MODEL_DEFAULTS


def test_model_defaults_are_the_constructor_defaults():
    signature = inspect.signature(GloVe.__init__)
    defaults = {name: p.default for name, p in signature.parameters.items() if name != "self"}
    assert defaults == MODEL_DEFAULTS
