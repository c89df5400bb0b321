"""wordnet_lm: word representations and language models on a small autodiff engine of its own."""

__version__ = "0.1.0"

from wordnet_lm.errors import WordnetLMError

__all__ = ["WordnetLMError", "__version__"]
