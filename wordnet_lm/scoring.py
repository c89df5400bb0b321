"""The scoring contract every language model here shares (n-gram, neural, mixtures).

A model makes one prediction per token plus one ``</s>`` per sentence (``<s>`` is context only)
and reports each prediction's natural-log probability; perplexity is ``exp(-mean log p)`` over
those predictions.  It is computed here and nowhere else.
"""

from __future__ import annotations

import math

import numpy as np


def perplexity(logprobs: np.ndarray) -> float:
    """``exp(-mean(logprobs))`` of natural-log probabilities (``inf`` if one of them is ``-inf``)."""
    logprobs = np.asarray(logprobs, np.float64)
    if logprobs.size == 0:
        raise ValueError("perplexity of no predictions")
    return perplexity_of_mean(float(logprobs.mean()))


def perplexity_of_mean(mean: float) -> float:
    """``exp(-mean)``: the perplexity of predictions whose mean natural-log probability is ``mean``."""
    return math.exp(-mean) if mean > -709.0 else math.inf
