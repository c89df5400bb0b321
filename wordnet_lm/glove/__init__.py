"""GloVe: co-occurrence counts (:mod:`~wordnet_lm.glove.cooccur`) and the weighted
least-squares model trained with AdaGrad on the project's autodiff engine (:mod:`~wordnet_lm.glove.train`).

The names load on first use (:mod:`wordnet_lm.lazy`): the command line reads the options'
choices without loading SciPy or the autodiff engine.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from wordnet_lm.lazy import lazy_exports

_HOMES = {
    "RowAdaGrad": "wordnet_lm.glove.adagrad",
    "WEIGHTINGS": "wordnet_lm.glove.settings",
    "cooccurrence_matrix": "wordnet_lm.glove.cooccur",
    "count_cooccurrences": "wordnet_lm.glove.cooccur",
    "count_cooccurrences_to_file": "wordnet_lm.glove.cooccur",
    "distance_weights": "wordnet_lm.glove.cooccur",
    "CooccurrenceFile": "wordnet_lm.glove.matrix_file",
    "PairIndex": "wordnet_lm.glove.objective",
    "batch_loss": "wordnet_lm.glove.objective",
    "sampled_dots": "wordnet_lm.glove.objective",
    "weighting": "wordnet_lm.glove.objective",
    "GloVe": "wordnet_lm.glove.train",
}
__all__ = ["CooccurrenceFile", "GloVe", "PairIndex", "RowAdaGrad", "WEIGHTINGS", "batch_loss",
           "cooccurrence_matrix", "count_cooccurrences", "count_cooccurrences_to_file", "distance_weights",
           "sampled_dots", "weighting"]
__getattr__, __dir__ = lazy_exports(__name__, _HOMES)

if TYPE_CHECKING:  # for type checkers and IDEs: the eager imports the lazy ones stand for
    from wordnet_lm.glove.adagrad import RowAdaGrad
    from wordnet_lm.glove.cooccur import (cooccurrence_matrix, count_cooccurrences, count_cooccurrences_to_file,
                                          distance_weights)
    from wordnet_lm.glove.matrix_file import CooccurrenceFile
    from wordnet_lm.glove.objective import PairIndex, batch_loss, sampled_dots, weighting
    from wordnet_lm.glove.settings import WEIGHTINGS
    from wordnet_lm.glove.train import GloVe
