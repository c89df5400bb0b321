"""The model and the text of a scoring run, read at the same time when the model is an ARPA file.

``wordnet-lm perplexity`` needs the model's tables and the text as ids of the model's
vocabulary.  An ARPA file gives its vocabulary first (the 1-grams), then millions of longer
n-grams: :func:`model_and_text` starts reading the text on another thread as soon as the
vocabulary is known (:func:`~wordnet_lm.ngram.arpa_hashed.read_arpa_hashed`'s
``on_vocabulary``), so the two overlap on a second core instead of running one after the other.
The corpus is the one :func:`~wordnet_lm.text.byte_corpus.load_scoring_corpus` gives after
loading (it is read again in that order if the model ends up with another vocabulary).
"""

from __future__ import annotations

import os
import threading
from typing import Any, Callable

from wordnet_lm.heap import release_freed_memory
from wordnet_lm.ngram.files import load_model
from wordnet_lm.ngram.model import NgramModel
from wordnet_lm.text.byte_corpus import load_scoring_corpus
from wordnet_lm.text.vocab import Corpus, Vocab


def model_and_text(model_path: str | os.PathLike, text: Any,
                   options_for: Callable[[dict], dict]) -> tuple[NgramModel, Corpus]:
    """``load_model(model_path, scoring=True)`` and ``load_scoring_corpus(text, model.vocab_,
    **options_for(model.extra_ or {}))``, the text read while the model loads when it can.

    Errors are those of the sequential calls, the model's first."""
    early: dict[str, Any] = {}

    def start(vocab: Vocab) -> None:
        options = options_for({})
        early.update(vocab=vocab, options=options)

        def read() -> None:
            try:
                early["corpus"] = load_scoring_corpus(text, vocab, **options)
            except BaseException as error:  # raised by the caller, after the model's own errors
                early["error"] = error
            release_freed_memory()  # the text's temporaries, kept by the allocator, would add to the load's peak

        early["thread"] = thread = threading.Thread(target=read, name="wordnet_lm-text", daemon=True)
        thread.start()

    model = load_model(model_path, scoring=True, on_vocabulary=start)
    options = options_for(getattr(model, "extra_", {}))
    if "thread" in early:
        early["thread"].join()
        if early["vocab"] is model.vocab_ and early["options"] == options:
            if "error" in early:
                raise early["error"]
            return model, early["corpus"]
    return model, load_scoring_corpus(text, model.vocab_, **options)
