"""What ``wordnet-lm compare`` puts in its table: the models it trains, or models trained earlier
(``--neural lm.npz``, ``--ngram lm.arpa``), and which of its options make sense together.

A reused model brings its vocabulary, and the table takes it: the text is encoded with the
first reused model's vocabulary (the neural LM's, else the first n-gram model's), n-gram
baselines and a neural LM trained by the same run are trained on text encoded with it, and
every other reused model must know exactly the same words (else a one-line error).  Words
outside that vocabulary are predictions of ``<unk>``, as for the models ``compare`` trains.
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Callable, Sequence

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.text.vocab import Corpus, Vocab

DEFAULT_CHECKPOINT = "compare.ckpt.npz"
# options of the neural LM's training that do not change what is trained
_NOT_TRAINING = {"quiet", "threads"}


@dataclass
class ReusedModels:
    """The models of ``--neural`` and ``--ngram``, read and checked."""

    nplm: Any = None
    ngrams: dict[str, Any] = field(default_factory=dict)

    @property
    def vocab(self) -> Vocab | None:
        """The table's vocabulary: the first reused model's (``None``: build it from ``--train``)."""
        if self.nplm is not None:
            return self.nplm.vocab_
        return next(iter(self.ngrams.values())).vocab_ if self.ngrams else None


def changed_options(args: argparse.Namespace, adders: Sequence[Callable[[argparse.ArgumentParser], None]]) -> list[str]:
    """The options added by ``adders`` whose value in ``args`` is not their default."""
    parser = argparse.ArgumentParser(add_help=False)
    for add in adders:
        add(parser)
    defaults = parser.parse_args([])
    return [action.option_strings[0] for action in parser._actions
            if action.dest not in _NOT_TRAINING and getattr(args, action.dest) != getattr(defaults, action.dest)]


def check_options(args: argparse.Namespace, changed_training_options: Sequence[str]) -> None:
    """One-line :class:`WordnetLMError` for options that contradict each other or that the
    other options make meaningless (checked before any file is read)."""
    reused = args.neural is not None or bool(args.ngram)
    if args.no_neural and args.neural is not None:
        raise WordnetLMError("--no-neural and --neural exclude each other")
    no_training = "--no-neural" if args.no_neural else f"--neural {args.neural}" if args.neural else None
    if no_training:
        if args.save_model:
            raise WordnetLMError(f"--save-model saves the neural LM compare trains: there is none with {no_training}")
        if args.resume or args.checkpoint:
            raise WordnetLMError(f"--resume/--checkpoint continue the neural LM's training: there is none with "
                                 f"{no_training}")
        if changed_training_options:
            raise WordnetLMError(f"{', '.join(changed_training_options)}: neural LM settings, meaningless with "
                                 f"{no_training}")
    if reused and args.min_count != 1:
        raise WordnetLMError("--min-count builds the training vocabulary: with --neural/--ngram the reused model's "
                             "vocabulary is the table's")
    nothing_to_train = (args.no_neural or args.neural is not None) and args.ngram and args.orders is None
    if nothing_to_train and args.train is not None:
        raise WordnetLMError("--train is not used: every model of the table is reused (add --orders to train "
                             "n-gram baselines too)")


def load_reused(args: argparse.Namespace) -> ReusedModels:
    """Read the models of ``--neural`` and ``--ngram``; refuse vocabularies that differ."""
    from wordnet_lm.ngram.files import load_model
    from wordnet_lm.nplm import NPLM
    from wordnet_lm.text.recode import check_same_words

    reused = ReusedModels()
    if args.neural is not None:
        _check_not_text(Path(args.neural))
        reused.nplm = NPLM.load(args.neural)
    for path in args.ngram or []:
        if str(path) in reused.ngrams:
            raise WordnetLMError(f"--ngram {path} given twice")
        reused.ngrams[str(path)] = load_model(path)
    vocab, first = reused.vocab, args.neural or (args.ngram[0] if args.ngram else None)
    for name, model in reused.ngrams.items():
        check_same_words(vocab, model.vocab_, name, f"{first}'s")
    return reused


def _check_not_text(path: Path) -> None:
    """An ARPA (text) file given to ``--neural``: say where it belongs."""
    try:
        with open(path, "rb") as f:
            zipped = f.read(4) == b"PK\x03\x04"
    except OSError:
        return  # NPLM.load names what is wrong with the path
    if not zipped:
        raise WordnetLMError(f"{path}: not a neural LM file (a .npz written by train-lm); n-gram models, ARPA or "
                             ".npz, go to --ngram")


def load_texts(args: argparse.Namespace, vocab: Vocab, need_train: bool) -> tuple[Corpus | None, Corpus, Corpus | None]:
    """``(train, valid, test)`` encoded with ``vocab`` (the reused models'): the files given, or
    the demo corpus's splits; ``train`` is ``None`` unless ``need_train``."""
    from wordnet_lm.text import ReadingOptions, demo_paths, load_corpus

    sources = {"train": args.train if need_train else None, "valid": args.valid, "test": args.test}
    if args.valid is None:
        if args.train is not None or args.test is not None:
            raise WordnetLMError("--valid is required (validation data selects the best model)")
        demo = demo_paths()
        sources = {"train": demo["train"] if need_train else None, "valid": demo["valid"], "test": demo["test"]}
        _say(args, f"no --valid given: using the built-in demo corpus ({Path(demo['valid']).parent})")
    elif need_train and args.train is None:
        raise WordnetLMError("--train is required to train the models that are not reused")
    reading = ReadingOptions(lowercase=args.lowercase, encoding=args.encoding)
    texts = {k: load_corpus(v, reading=reading, vocab=vocab)[0] if v is not None else None
             for k, v in sources.items()}
    _say(args, f"the reused model's vocabulary: {len(vocab):,} words; valid: {texts['valid'].n_tokens:,} tokens")
    return texts["train"], texts["valid"], texts["test"]


def checkpoint_path(args: argparse.Namespace) -> Path:
    """Where the neural LM's training is checkpointed: ``--checkpoint``, else beside
    ``--save-model`` (as ``train-lm``), else ``compare.ckpt.npz`` here."""
    if args.checkpoint:
        return Path(args.checkpoint)
    if args.save_model:
        return Path(str(Path(args.save_model).with_suffix("")) + ".ckpt.npz")
    return Path(DEFAULT_CHECKPOINT)


def _say(args: argparse.Namespace, text: str) -> None:
    if not getattr(args, "quiet", False):
        print(text, file=sys.stderr)
