"""N-gram language models: vectorised counting, six smoothing methods, ARPA files, perplexity.

Typical use::

    from wordnet_lm.text import load_corpus
    from wordnet_lm.ngram import make_model, load_model

    train, vocab = load_corpus("train.txt")
    test, _ = load_corpus("test.txt", vocab=vocab)
    model = make_model("mkn", order=5).fit(train, vocab)
    print(model.perplexity(test))
    model.to_arpa("model.arpa")            # KenLM / SRILM can read it
    same = load_model("model.arpa")        # or a .npz written by model.save()
"""

from wordnet_lm.ngram.arpa import read_arpa, write_arpa
from wordnet_lm.ngram.counts import NgramCounts, count_ngrams, merge_counts
from wordnet_lm.ngram.files import load_model, save_model
from wordnet_lm.ngram.model import BackoffModel, NgramModel
from wordnet_lm.ngram.perplexity import Perplexity, perplexity_from_logprobs, prediction_targets
from wordnet_lm.ngram.sample import sample_sentences
from wordnet_lm.ngram.smoothing import (SMOOTHING, AbsoluteDiscounting, AddK, JelinekMercer, KneserNey,
                                        MaximumLikelihood, ModifiedKneserNey, make_model, smoothing_class)
from wordnet_lm.ngram.tables import BackoffTables

InterpolatedKneserNey = KneserNey  # the name wordnet_lm.compare uses

__all__ = [
    "NgramModel", "BackoffModel", "MaximumLikelihood", "AddK", "JelinekMercer", "AbsoluteDiscounting",
    "KneserNey", "InterpolatedKneserNey", "ModifiedKneserNey", "SMOOTHING", "make_model", "smoothing_class",
    "NgramCounts", "count_ngrams", "merge_counts", "BackoffTables",
    "Perplexity", "perplexity_from_logprobs", "prediction_targets",
    "read_arpa", "write_arpa", "load_model", "save_model", "sample_sentences",
]
