"""Subcommands over word vectors: analogy, neighbors, similarity, evaluate, plot."""

from __future__ import annotations

import argparse
import sys
from typing import Any, TextIO

from wordnet_lm.cli import options as opt
from wordnet_lm.outputs import PICTURE, check_output, locked_outputs
from wordnet_lm.errors import OptionError, WordnetLMError
from wordnet_lm.text.demo import demo_paths
from wordnet_lm.vectors import analogies as analogy_eval
from wordnet_lm.vectors import similarity as similarity_eval
from wordnet_lm.vectors.formats import FORMATS
from wordnet_lm.vectors.keyed import KeyedVectors

CLI_RESTRICT_VOCAB = 30_000
DEFAULT_MAX_PAIRS = 20
DEFAULT_TSNE_PERPLEXITY = 30.0


# --------------------------------------------------------------------------- shared options
def _add_vectors_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--vectors", "-v", metavar="FILE",
                        help="vectors file: word2vec text/binary, GloVe text or wordnet_lm .npz "
                             "(default: GloVe vectors of the demo corpus, trained once and cached)")
    parser.add_argument("--format", default="auto", choices=("auto",) + FORMATS,
                        help="vectors file format (default: detected from the content)")


def _add_query_options(parser: argparse.ArgumentParser, topn: int) -> None:
    parser.add_argument("--topn", "-n", type=opt.count, default=topn, help=f"answers to print (default {topn})")
    parser.add_argument("--restrict-vocab", type=opt.integer(0), default=None, metavar="N",
                        help="only consider the N most frequent words (default: all)")
    parser.add_argument("--case-sensitive", action="store_true",
                        help="do not fall back to a case variant (Paris -> paris) for unknown words")


def _load(args: argparse.Namespace) -> KeyedVectors:
    if args.vectors is None:
        from wordnet_lm.glove.demo import demo_vectors, demo_vectors_path

        path = demo_vectors_path()
        if not path.is_file():
            print("no --vectors given: training GloVe vectors of the demo corpus (once, a few seconds)",
                  file=sys.stderr)
        return demo_vectors(path)
    return KeyedVectors.load(args.vectors, args.format)


def _word(kv: KeyedVectors, word: str, case_sensitive: bool) -> str:
    """The vocabulary spelling of ``word`` (a case variant unless ``case_sensitive``)."""
    if case_sensitive:
        kv.get_index(word)  # raises UnknownWordError
        return word
    return kv.resolve(word)


def _print_ranked(results: list[tuple[str, float]], out: TextIO) -> None:
    width = max((len(w) for w, _ in results), default=0)
    for rank, (word, score) in enumerate(results, 1):
        print(f"{rank:>4}. {word:<{width}}  {score:.4f}", file=out)


# --------------------------------------------------------------------------- analogy
def answer_analogy(kv: KeyedVectors, words: list[str], args: argparse.Namespace, out: TextIO) -> None:
    """Print the top answers to "a is to b as c is to ?"."""
    if len(words) != 3:
        raise WordnetLMError(f"expected three words 'a b c' (a is to b as c is to ?), got {len(words)}")
    a, b, c = (_word(kv, w, args.case_sensitive) for w in words)
    query = kv.most_similar if args.method == "cosadd" else kv.most_similar_cosmul
    results = query(positive=[b, c], negative=[a], topn=args.topn, restrict_vocab=args.restrict_vocab)
    print(f"{a} : {b} :: {c} : ?", file=out)
    _print_ranked(results, out)


def cmd_analogy(args: argparse.Namespace) -> int:
    kv = _load(args)
    if args.words:
        answer_analogy(kv, args.words, args, sys.stdout)
        return 0
    interactive = sys.stdin.isatty()
    if interactive:
        print(f"{kv!r}. Type three words 'a b c' (a is to b as c is to ?); Ctrl-D ends.", file=sys.stderr)
    while True:
        if interactive:
            print("> ", end="", file=sys.stderr, flush=True)
        line = sys.stdin.readline()
        if not line:
            return 0
        words = line.split()
        if not words:
            continue
        try:
            answer_analogy(kv, words, args, sys.stdout)
        except WordnetLMError as e:  # one bad query does not end the session
            print(f"error: {e}", file=sys.stdout)
        sys.stdout.flush()


# --------------------------------------------------------------------------- neighbors, similarity
def cmd_neighbors(args: argparse.Namespace) -> int:
    kv = _load(args)
    words = [_word(kv, w, args.case_sensitive) for w in args.words]
    for k, word in enumerate(words):
        if k:
            print()
        print(f"{word}:")
        _print_ranked(kv.most_similar(positive=[word], topn=args.topn, restrict_vocab=args.restrict_vocab),
                      sys.stdout)
    return 0


def cmd_similarity(args: argparse.Namespace) -> int:
    if len(args.words) % 2:
        raise WordnetLMError("give words in pairs: w1 w2 [w3 w4 ...]")
    kv = _load(args)
    words = [_word(kv, w, args.case_sensitive) for w in args.words]
    pairs = list(zip(words[::2], words[1::2]))
    width = max(len(a) + len(b) for a, b in pairs) + 3
    for a, b in pairs:
        print(f"{a + ' ~ ' + b:<{width}}  {kv.similarity(a, b):.4f}")
    return 0


# --------------------------------------------------------------------------- evaluate
def cmd_evaluate(args: argparse.Namespace) -> int:
    analogies, similarity = args.analogies, args.similarity or []
    if analogies is None and not similarity:
        demo = demo_paths()
        analogies, similarity = demo["analogies"], [demo["similarity"]]
        print(f"(no --analogies/--similarity given: using the demo sets {analogies} and {similarity[0]})")
    kv = _load(args)
    restrict = None if args.restrict_vocab <= 0 else args.restrict_vocab
    known = len(kv) if restrict is None else min(restrict, len(kv))
    case = "case-sensitive" if args.case_sensitive else "case-insensitive"
    print(f"vectors {args.vectors or 'demo GloVe'}: {len(kv):,} words x {kv.vector_size}; "
          f"known: the first {known:,} words, {case}")
    if analogies is not None:
        methods = analogy_eval.METHODS if args.method == "both" else (args.method,)
        questions = analogy_eval.read_analogies(analogies)
        results = [analogy_eval.evaluate_word_analogies(kv, questions, restrict, not args.case_sensitive,
                                                        args.dummy4unknown, m)
                   for m in methods]
        print()
        print(format_analogy_table(results, sections=not args.no_sections))
    for path in similarity:
        result = similarity_eval.evaluate_word_pairs(kv, path, restrict_vocab=restrict,
                                                     case_insensitive=not args.case_sensitive,
                                                     dummy4unknown=args.dummy4unknown)
        print()
        print(format_similarity(result))
    return 0


def format_analogy_table(results: list[analogy_eval.AnalogyResult], sections: bool = True) -> str:
    """A plain-text table: per section (optional), semantic, syntactic and total accuracy."""
    first = results[0]
    names = {"cosadd": "3CosAdd", "cosmul": "3CosMul"}
    rows = []
    if sections:
        per_method = [r.sections for r in results]
        rows += [(scores[0], [s.accuracy for s in scores]) for scores in zip(*per_method)]
        rows.append(None)
    for group in ("semantic", "syntactic", "total"):
        scores = [getattr(r, group) for r in results]
        rows.append((scores[0], [s.accuracy for s in scores]))
    width = max(24, *(len(r[0].name) for r in rows if r))
    head = f"{'section':<{width}} {'questions':>9} {'covered':>8} " + " ".join(
        f"{names[r.method]:>8}" for r in results)
    n_oov = int(first.oov.sum())
    lines = [f"analogies {first.questions.path}: {len(first.status):,} questions, {len(first.status) - n_oov:,} "
             f"covered ({100 * first.coverage:.1f}%), {n_oov:,} with unknown words "
             + ("counted wrong" if first.dummy4unknown else "skipped"), head, "-" * len(head)]
    for row in rows:
        if row is None:
            lines.append("-" * len(head))
            continue
        score, accuracies = row
        n = score.attempted + (0 if first.dummy4unknown else score.oov)
        covered = n - score.oov
        lines.append(f"{score.name:<{width}} {n:>9,} {covered:>8,} " + " ".join(f"{100 * a:>7.2f}%" for a in accuracies))
    if first.questions.invalid_lines:
        lines.append(f"({first.questions.invalid_lines} malformed lines skipped)")
    return "\n".join(lines)


def format_similarity(result: similarity_eval.SimilarityResult) -> str:
    """One line: Spearman, Pearson, pairs used and OOV."""
    text = (f"word similarity {result.path}: Spearman rho {result.spearman:.4f}, Pearson r {result.pearson:.4f} "
            f"on {result.n_pairs} of {result.n_valid} pairs ({result.n_oov} with unknown words, "
            f"{100 * result.oov_ratio:.1f}%)")
    if result.invalid_lines:
        text += f"; {result.invalid_lines} malformed lines skipped"
    return text


# --------------------------------------------------------------------------- plot
def cmd_plot(args: argparse.Namespace) -> int:
    from wordnet_lm.vectors import plot

    _check_plot_options(args)
    check_output(args.out, what="picture", inputs=(args.vectors, args.analogies), accepts=PICTURE, option="--out")
    kv = _load(args)
    with locked_outputs([args.out]):
        return _plot(args, kv, plot)


def _check_plot_options(args: argparse.Namespace) -> None:
    """Options that only some pictures use are refused where they would be silently ignored."""
    arrows = bool(args.pairs or args.analogy_section)
    if args.analogies and not args.analogy_section:
        raise OptionError("--analogies is read only with --analogy-section")
    if args.max_pairs is not None and not args.analogy_section:
        raise OptionError("--max-pairs applies to --analogy-section")
    if args.perplexity is not None and (arrows or args.method != "tsne"):
        raise OptionError("--perplexity applies to t-SNE maps of words (--method tsne)")
    if args.method != "tsne" and arrows:
        raise OptionError("--method applies to maps of words, not to --pairs/--analogy-section (drawn by PCA)")


def _plot(args: argparse.Namespace, kv: KeyedVectors, plot: Any) -> int:
    if args.pairs or args.analogy_section:
        if args.pairs:
            pairs = [(kv.resolve(a), kv.resolve(b)) for a, b in plot.parse_pairs(args.pairs)]
        else:
            questions = analogy_eval.read_analogies(args.analogies or demo_paths()["analogies"])
            pairs = plot.analogy_pairs(questions.section(args.analogy_section), kv, args.max_pairs or DEFAULT_MAX_PAIRS)
            if not pairs:
                raise WordnetLMError(f"no pair of section {args.analogy_section!r} is in the vectors' vocabulary")
        out = plot.plot_pairs(kv, pairs, args.out, args.title)
        print(f"wrote {out} ({len(pairs)} pairs)")
        return 0
    words = plot.resolve_words(kv, args.words) if args.words else plot.top_words(kv, args.top)
    perplexity = args.perplexity if args.perplexity is not None else DEFAULT_TSNE_PERPLEXITY
    out = plot.plot_words(kv, words, args.out, args.method, perplexity, args.seed, args.title)
    print(f"wrote {out} ({len(words)} words, {args.method})")
    return 0


# --------------------------------------------------------------------------- registration
def register(subparsers) -> None:
    p = subparsers.add_parser("analogy", help="a is to b as c is to ? (interactive without words)",
                              description="Answer 'a is to b as c is to ?' (e.g. paris france london). "
                                          "Without words, read lines of three words from standard input.")
    _add_vectors_options(p)
    p.add_argument("words", nargs="*", metavar="WORD", help="a b c")
    _add_query_options(p, topn=5)
    p.add_argument("--method", choices=analogy_eval.METHODS, default="cosadd", help="3CosAdd (default) or 3CosMul")
    p.set_defaults(func=cmd_analogy)

    p = subparsers.add_parser("neighbors", help="nearest neighbours of words (cosine)",
                              description="Print the nearest neighbours (cosine similarity) of each word.")
    _add_vectors_options(p)
    p.add_argument("words", nargs="+", metavar="WORD")
    _add_query_options(p, topn=10)
    p.set_defaults(func=cmd_neighbors)

    p = subparsers.add_parser("similarity", help="cosine similarity of word pairs",
                              description="Print the cosine similarity of each pair: w1 w2 [w3 w4 ...].")
    _add_vectors_options(p)
    p.add_argument("words", nargs="+", metavar="WORD")
    p.add_argument("--case-sensitive", action="store_true", help="no fall back to case variants")
    p.set_defaults(func=cmd_similarity)

    p = subparsers.add_parser("evaluate", help="analogy accuracy and word-similarity correlation",
                              description="Evaluate vectors on analogy questions (questions-words format) and "
                                          "word-similarity pairs (WordSim-353 format), counting as gensim does.")
    _add_vectors_options(p)
    p.add_argument("--analogies", "-a", metavar="FILE",
                   help="analogy questions (questions-words.txt format)")
    p.add_argument("--similarity", "-s", metavar="FILE", action="append",
                   help="word pairs with human scores (repeatable); with neither option, the demo "
                        "corpus's analogies.txt and similarity.tsv are used")
    p.add_argument("--restrict-vocab", type=opt.integer(0), default=CLI_RESTRICT_VOCAB, metavar="N",
                   help=f"only the N most frequent words are known (default {CLI_RESTRICT_VOCAB:,}; 0: all)")
    p.add_argument("--method", choices=analogy_eval.METHODS + ("both",), default="both",
                   help="analogy method (default: both)")
    p.add_argument("--case-sensitive", action="store_true", help="compare words as written (gensim: upper-cased)")
    p.add_argument("--dummy4unknown", action="store_true",
                   help="count questions/pairs with unknown words as wrong/zero instead of skipping them")
    p.add_argument("--no-sections", action="store_true", help="print only semantic, syntactic and total")
    p.set_defaults(func=cmd_evaluate)

    p = subparsers.add_parser("plot", help="t-SNE/PCA map of words, or analogy pairs as arrows",
                              description="Draw words on a 2-D map (t-SNE or PCA), or analogy pairs as arrows "
                                          "(PCA of the pair words). PNG, SVG or PDF by the --out suffix.")
    _add_vectors_options(p)
    what = p.add_mutually_exclusive_group()
    what.add_argument("--words", nargs="+", metavar="WORD", help="words to draw")
    what.add_argument("--top", type=opt.count, default=300, metavar="N", help="draw the N most frequent words (default 300)")
    what.add_argument("--pairs", metavar="A:B,...", help="pairs to draw as arrows, e.g. paris:france,rome:italy")
    what.add_argument("--analogy-section", metavar="NAME", help="draw the pairs of one analogy section")
    p.add_argument("--analogies", "-a", metavar="FILE", help="analogy file for --analogy-section (default: demo set)")
    p.add_argument("--max-pairs", type=opt.count, default=None, metavar="N",
                   help=f"pairs drawn from a section (default {DEFAULT_MAX_PAIRS})")
    p.add_argument("--method", choices=("tsne", "pca"), default="tsne", help="projection of a word map (default tsne)")
    p.add_argument("--perplexity", type=opt.positive, default=None, metavar="P",
                   help=f"t-SNE perplexity (default {DEFAULT_TSNE_PERPLEXITY:g})")
    p.add_argument("--seed", type=opt.seed, default=0, metavar="S", help="t-SNE random seed (default 0)")
    p.add_argument("--title", help="picture title")
    p.add_argument("--out", "-o", default="map.png", metavar="FILE", help="output picture .png/.svg/.pdf (default map.png)")
    p.set_defaults(func=cmd_plot)
