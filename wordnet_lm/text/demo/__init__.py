"""The built-in demo corpus: a seeded generator of simple English with learnable structure.

Every model of the toolkit trains on it in seconds, and its regularities are the ones the
demos look for:

* **facts** that stay consistent: 33 countries with their capital, nationality, language,
  currency, continent, climate and area (``the capital of france is paris``, ``in lisbon
  people speak portuguese``, ``russia is larger than spain``);
* **morphology**: plurals (``one horse``, ``three horses``), verb tenses chosen by a time
  adverb at the start of the sentence (``yesterday the old king of spain walked ...``),
  comparatives and superlatives that agree with hidden attributes (``the horse is faster than
  the pig``), gender pairs (king/queen, uncle/aunt...) with agreeing pronouns and possessives;
* **dependencies a few words long** -- subject-verb agreement across ``of spain`` or
  ``who lives in rome``, a pronoun agreeing with a subject four words back, the language
  spoken in a capital named three words earlier -- which a 3-gram model cannot see and a
  neural model with a wider window can.

``write_demo_corpus`` writes ``train.txt``, ``valid.txt``, ``test.txt`` (one sentence per line,
lower case, space-separated tokens), ``analogies.txt`` (the questions-words.txt format) and
``similarity.tsv`` (word pairs scored by shared hidden attributes, WordSim-353 layout).  The
output depends only on the seed: Python's ``random.random`` stream is the one part of the
``random`` module guaranteed stable across versions, and it is the only one used here.

One job per module: ``lexicon`` (the words and their hidden facts), ``choices`` (the seeded
draws), ``phrases`` and ``sentences`` (the grammar), ``evalsets`` (analogy and similarity
sets), ``files`` (the files' contents, written atomically), ``cache`` (where they are read from).
"""

from wordnet_lm.text.demo.cache import (
    CACHE_DIR_ENV,
    REPO_DEMO_DIR,
    cache_root,
    default_corpus,
    demo_paths,
)
from wordnet_lm.text.demo.choices import SEED, Rng
from wordnet_lm.text.demo.evalsets import analogy_lines, similarity_rows
from wordnet_lm.text.demo.files import (
    DEMO_FILES,
    SPLIT_SENTENCES,
    demo_texts,
    write_demo_corpus,
)
from wordnet_lm.text.demo.lexicon import (
    ADJECTIVES,
    ANIMALS,
    COUNTRIES,
    FOODS,
    GENDER_PAIRS,
    THINGS,
    VERBS,
    Country,
    Noun,
    Verb,
)
from wordnet_lm.text.demo.sentences import generate_sentences

__all__ = [
    "SEED", "SPLIT_SENTENCES", "DEMO_FILES", "REPO_DEMO_DIR", "CACHE_DIR_ENV",
    "Country", "Noun", "Verb", "COUNTRIES", "GENDER_PAIRS", "ANIMALS", "FOODS", "THINGS", "VERBS", "ADJECTIVES",
    "Rng", "generate_sentences", "analogy_lines", "similarity_rows",
    "demo_texts", "write_demo_corpus", "cache_root", "demo_paths", "default_corpus",
]
