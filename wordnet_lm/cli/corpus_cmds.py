"""``wordnet-lm corpus``: inspect, download and build vocabularies of corpora.

Other command groups reuse :func:`add_corpus_arguments` / :func:`reading_options` so every
command reads text the same way (``--tokenizer``, ``--lowercase``, ``--sentences``).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.cli import options as opt
from wordnet_lm.errors import OutputFileError
from wordnet_lm.outputs import check_output, locked_outputs
from wordnet_lm.text.demo import DEMO_FILES, SEED, write_demo_corpus
from wordnet_lm.text.download import download_corpus
from wordnet_lm.text.loading import build_vocab, corpus_stats
from wordnet_lm.text.options import SENTENCE_MODES, ReadingOptions
from wordnet_lm.text.resolve import resolve_corpus
from wordnet_lm.text.tokenize import TOKENIZERS
from wordnet_lm.text.vocab import SPECIALS, Vocab


def add_reading_arguments(parser: argparse.ArgumentParser) -> None:
    """``--tokenizer``, ``--lowercase``/``--no-lowercase``, ``--sentences``."""
    group = parser.add_argument_group("reading text")
    group.add_argument("--tokenizer", choices=("auto",) + TOKENIZERS, default="auto",
                       help="auto (default): whitespace for plain files and tokenised corpora, "
                            "wordpunct for raw-text NLTK corpora")
    group.add_argument("--lowercase", action=argparse.BooleanOptionalAction, default=None,
                       help="lower-case tokens (default: only with --tokenizer word)")
    add_encoding_argument(group)
    group.add_argument("--sentences", choices=SENTENCE_MODES, default="auto",
                       help="lines: one sentence per line; split: running text; split_lines: split each "
                            "line (default auto: lines for plain files, the corpus convention for NLTK corpora)")


def add_encoding_argument(group: argparse._ActionsContainer) -> None:
    """``--encoding`` of plain input text."""
    group.add_argument("--encoding", default="utf-8", metavar="NAME",
                       help="encoding of plain text files, e.g. latin-1 (default utf-8; NLTK corpora keep their own)")


def add_corpus_arguments(parser: argparse.ArgumentParser, *, name: str = "corpus", optional: bool = True) -> None:
    """A corpus positional (path, NLTK zip, directory or name; default ``demo``) plus reading options."""
    parser.add_argument(name, nargs="?" if optional else None, default="demo" if optional else None,
                        help="text file (.gz/.bz2/.xz ok), directory, NLTK corpus zip, or a name: demo "
                             "(default), brown, treebank, abc, ...")
    add_reading_arguments(parser)


def reading_options(args: argparse.Namespace) -> dict:
    """Keyword arguments for ``read_sentences``/``load_corpus`` from parsed arguments."""
    reading = ReadingOptions(tokenizer=args.tokenizer, lowercase=args.lowercase, sentences=args.sentences,
                             encoding=args.encoding)  # checked here, before any work
    return {**reading.to_dict(), "progress": sys.stderr.isatty()}


def register(subparsers: argparse._SubParsersAction) -> None:
    corpus = subparsers.add_parser("corpus", help="inspect, download, make vocabularies of corpora",
                                   description="Inspect, download and make vocabularies of corpora.")
    sub = corpus.add_subparsers(dest="corpus_command", metavar="SUBCOMMAND", required=True)

    info = sub.add_parser("info", help="sentences, tokens, types, OOV rate after --min-count")
    add_corpus_arguments(info)
    info.add_argument("--min-count", type=opt.count, default=1, help="vocabulary cut-off for the OOV figures (default 1)")
    info.add_argument("--max-vocab", "--max-size", dest="max_size", type=opt.count, default=None, metavar="N",
                      help="keep at most this many words")
    info.add_argument("--top", type=opt.count, default=10, help="show the N most frequent words (default 10)")
    info.set_defaults(func=cmd_info)

    download = sub.add_parser("download", help="download an NLTK corpus zip into ~/nltk_data/corpora")
    download.add_argument("name", help="NLTK package id: brown, treebank, abc, movie_reviews, ...")
    download.add_argument("--data-dir", type=Path, default=None,
                          help="NLTK data directory (default: first $NLTK_DATA entry, else ~/nltk_data)")
    download.add_argument("--index-url", default=None,
                          help="NLTK data index (default: $WORDNET_LM_NLTK_INDEX or NLTK's public index)")
    download.set_defaults(func=cmd_download)

    vocab = sub.add_parser("vocab", help="build a vocabulary file (word<TAB>count per line)")
    add_corpus_arguments(vocab)
    vocab.add_argument("--min-count", type=opt.count, default=1, help="drop words seen fewer times (default 1)")
    vocab.add_argument("--max-vocab", "--max-size", dest="max_size", type=opt.count, default=None, metavar="N",
                       help="keep at most this many words")
    vocab.add_argument("--out", "-o", type=Path, required=True, help="vocabulary file to write")
    vocab.set_defaults(func=cmd_vocab)

    encode = sub.add_parser("encode", help="write a corpus once as token ids (memory-mapped by every command)",
                            description="Encode a corpus as uint32 token ids, sentence offsets, a vocabulary "
                                        "and a header; every command taking a corpus accepts the folder.")
    add_corpus_arguments(encode, optional=False)
    encode.add_argument("--out", type=Path, required=True, help="folder to write")
    encode.add_argument("--min-count", type=opt.count, default=1,
                        help="words seen fewer times become <unk> (default 1: keep every word)")
    encode.add_argument("--max-vocab", "--max-size", dest="max_size", type=opt.count, default=None, metavar="N",
                        help="keep at most this many words")
    encode.add_argument("--workers", type=opt.integer(1, 1024), default=None,
                        help="processes reading a plain text file (default: the CPUs available)")
    encode.add_argument("--temp", type=Path, default=None, help="folder for temporary files (default: beside --out)")
    encode.set_defaults(func=cmd_encode)

    demo = sub.add_parser("demo", help="(re)generate the demo corpus and its evaluation files")
    demo.add_argument("--out", "-o", type=Path, required=True, help="directory to write into")
    demo.add_argument("--seed", type=opt.seed, default=SEED, help=f"random seed (default {SEED})")
    demo.set_defaults(func=cmd_demo)


def cmd_info(args: argparse.Namespace) -> int:
    path = resolve_corpus(args.corpus)
    stats = corpus_stats(path, **reading_options(args))
    counts, n_tokens = stats.counts, stats.n_tokens
    vocab = Vocab.from_counts(counts, args.min_count, args.max_size)
    oov = int(vocab.counts[0])
    cut = f"min_count={args.min_count}" + (f", max_size={args.max_size}" if args.max_size is not None else "")
    print(f"corpus      {path}")
    print(f"sentences   {stats.n_sentences:,}")
    print(f"tokens      {n_tokens:,}  (mean {n_tokens / stats.n_sentences:.1f}, "
          f"max {stats.max_length} per sentence)")
    print(f"types       {len(counts):,}  ({sum(1 for c in counts.values() if c == 1):,} seen once)")
    print(f"vocabulary  {len(vocab) - len(SPECIALS):,} words with {cut} (+ {', '.join(SPECIALS)})")
    print(f"OOV         {oov:,} tokens ({100 * oov / n_tokens:.2f}%) become {SPECIALS[0]}")
    if args.top > 0:
        top = np.argsort(-vocab.counts[3:], kind="stable")[:args.top] + 3
        print("top words   " + ", ".join(f"{vocab.words[i]} {vocab.counts[i]:,}" for i in top))
    return 0


def cmd_download(args: argparse.Namespace) -> int:
    path = download_corpus(args.name, data_dir=args.data_dir, index_url=args.index_url,
                           progress=sys.stderr.isatty())
    print(path)
    return 0


def cmd_vocab(args: argparse.Namespace) -> int:
    check_output(args.out, what="vocabulary file", inputs=(args.corpus,), accepts=_looks_like_vocab, option="--out")
    vocab = build_vocab(args.corpus, min_count=args.min_count, max_size=args.max_size, **reading_options(args))
    with locked_outputs([args.out]):
        vocab.save(args.out)
    print(f"{args.out}: {len(vocab):,} entries ({len(vocab) - len(SPECIALS):,} words + {len(SPECIALS)} specials), "
          f"{int(vocab.counts[0]):,} tokens mapped to {SPECIALS[0]}")
    return 0


def _looks_like_vocab(path: Path) -> bool:
    """A vocabulary file (``word<TAB>count`` lines, as ``Vocab.save`` writes)."""
    try:
        with open(path, encoding="utf-8") as f:
            first = f.readline()
    except (OSError, UnicodeDecodeError):
        return False
    word, tab, count = first.rstrip("\n").partition("\t")
    return first == "" or (bool(word) and tab == "\t" and count.isdigit())


def cmd_demo(args: argparse.Namespace) -> int:
    if args.out.exists() and not args.out.is_dir():
        raise OutputFileError(f"--out {args.out}: exists and is not a directory")
    for name in DEMO_FILES:
        check_output(args.out / name, what="demo corpus file", option="--out")
    for path in write_demo_corpus(args.out, seed=args.seed).values():
        print(path)
    return 0


def cmd_encode(args: argparse.Namespace) -> int:
    from wordnet_lm.text.encode import encode_corpus

    if args.workers is not None and args.workers < 1:
        raise WordnetLMError(f"--workers must be at least 1, got {args.workers}")
    started = time.perf_counter()
    encoded = encode_corpus(args.corpus, args.out, min_count=args.min_count, max_size=args.max_size,
                            workers=args.workers, temp=args.temp, **reading_options(args))
    seconds = time.perf_counter() - started
    print(f"{args.out}: {encoded.n_sentences:,} sentences, {encoded.n_tokens:,} tokens, "
          f"vocabulary {len(encoded.vocab):,}; sha256 {encoded.header['content_sha256'][:16]}")
    print(f"encoded in {seconds:.2f} s ({encoded.n_tokens / max(seconds, 1e-9) / 1e6:.2f} M tokens/s)",
          file=sys.stderr)
    return 0
