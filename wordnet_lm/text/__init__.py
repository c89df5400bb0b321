"""Text in: readers, tokenisation, vocabulary, the id-array corpus, named corpora, demo corpus.

Typical use::

    from wordnet_lm.text import load_corpus, read_sentences
    corpus, vocab = load_corpus("demo")              # or a path, a zip, "brown"...
    for tokens in read_sentences("corpus.txt.gz"):   # streamed
        ...
"""

from wordnet_lm.text.demo import default_corpus, demo_paths
from wordnet_lm.text.loading import build_vocab, count_words, iter_corpus_chunks, load_corpus
from wordnet_lm.text.options import ReadingOptions
from wordnet_lm.text.readers import SENTENCE_MODES, read_sentence_batches, read_sentences
from wordnet_lm.text.resolve import nltk_data_dirs, resolve_corpus
from wordnet_lm.text.tokenize import TOKENIZERS, split_sentences, tokenize
from wordnet_lm.text.vocab import BOS, BOS_ID, EOS, EOS_ID, SPECIALS, UNK, UNK_ID, Corpus, Vocab

__all__ = [
    "ReadingOptions", "Corpus", "Vocab", "UNK", "BOS", "EOS", "UNK_ID", "BOS_ID", "EOS_ID", "SPECIALS",
    "read_sentences", "read_sentence_batches", "load_corpus", "iter_corpus_chunks", "count_words", "build_vocab",
    "resolve_corpus", "nltk_data_dirs", "default_corpus", "demo_paths",
    "tokenize", "split_sentences", "TOKENIZERS", "SENTENCE_MODES",
]
