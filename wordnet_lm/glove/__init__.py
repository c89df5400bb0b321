"""GloVe: co-occurrence counts (:mod:`~wordnet_lm.glove.cooccur`) and the weighted
least-squares model trained with AdaGrad on the project's autodiff engine (:mod:`~wordnet_lm.glove.train`)."""

from wordnet_lm.glove.adagrad import RowAdaGrad
from wordnet_lm.glove.cooccur import (WEIGHTINGS, cooccurrence_matrix, count_cooccurrences,
                                      count_cooccurrences_to_file, distance_weights)
from wordnet_lm.glove.matrix_file import CooccurrenceFile
from wordnet_lm.glove.objective import PairIndex, batch_loss, sampled_dots, weighting
from wordnet_lm.glove.train import GloVe

__all__ = ["CooccurrenceFile", "GloVe", "PairIndex", "RowAdaGrad", "WEIGHTINGS", "batch_loss", "cooccurrence_matrix",
           "count_cooccurrences", "count_cooccurrences_to_file", "distance_weights", "sampled_dots", "weighting"]
