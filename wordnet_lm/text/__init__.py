"""Text in: readers, tokenisation, vocabulary and the id-array corpus."""

from wordnet_lm.text.vocab import BOS, BOS_ID, EOS, EOS_ID, SPECIALS, UNK, UNK_ID, Corpus, Vocab

__all__ = ["Corpus", "Vocab", "UNK", "BOS", "EOS", "UNK_ID", "BOS_ID", "EOS_ID", "SPECIALS"]
