"""Looking at models: ``explore`` (an offline HTML map of word vectors) and ``serve`` (the
language-model playground on a local HTTP server)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from wordnet_lm.cli.options import count, integer, positive, seed
from wordnet_lm.errors import OptionError, WordnetLMError

DEFAULT_TSNE_PERPLEXITY = 30.0


def _settings(args: argparse.Namespace, top: int, method: str, method_option: str) -> Any:
    from wordnet_lm.explore.page import ExplorerSettings

    if args.perplexity is not None and method != "tsne":
        raise OptionError(f"--perplexity applies to t-SNE maps ({method_option} tsne)")
    perplexity = DEFAULT_TSNE_PERPLEXITY if args.perplexity is None else args.perplexity
    settings = ExplorerSettings(top=top, method=method, perplexity=perplexity, seed=args.seed,
                                clusters=args.clusters, encoding=args.precision)
    settings.check()
    return settings


def _warn_size(settings: Any, available: int) -> None:
    from wordnet_lm.explore.page import MAX_WORDS, TSNE_SLOW_WORDS, cap_message

    notice = cap_message(settings.top, available)
    if notice:
        print(f"note: {notice}", file=sys.stderr)
    shown = min(settings.top, available, MAX_WORDS)
    if settings.method == "tsne" and shown > TSNE_SLOW_WORDS:
        print(f"note: t-SNE of {shown:,} words takes many minutes; --method pca is immediate", file=sys.stderr)


def cmd_explore(args: argparse.Namespace) -> int:
    from wordnet_lm.explore.groups import read_label_file
    from wordnet_lm.explore.page import HTML_PAGE, write_explorer
    from wordnet_lm.explore.sources import load_vectors
    from wordnet_lm.outputs import check_output, locked_outputs

    if args.vectors is not None and args.model is not None:
        raise OptionError("give --vectors or --model, not both")
    if args.model is not None and args.format != "auto":
        raise OptionError("--format applies to --vectors files, not to a --model")
    settings = _settings(args, args.top, args.method, "--method")
    out = check_output(args.out, what="HTML page", inputs=(args.vectors, args.model, args.labels),
                       accepts=HTML_PAGE, option="--out")
    labels = read_label_file(args.labels) if args.labels else None
    kv, source = load_vectors(args.vectors, args.model, args.format)
    _warn_size(settings, len(kv))
    with locked_outputs([out]):
        write_explorer(kv, out, settings, labels, source, args.title)
    print(f"wrote {out} ({min(settings.top, len(kv)):,} words of {source}, {settings.method}, "
          f"{out.stat().st_size / 1e6:.2f} MB)")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from wordnet_lm.serve import Playground, make_server

    settings = _settings(args, args.explore_top, args.explore_method, "--explore-method")
    playground = Playground.load(args.model, args.ngram, args.vectors)
    server = make_server(playground, args.host, args.port, settings, verbose=args.verbose, threads=args.threads)
    if args.self_test:
        return _self_test(server)
    print(f"serving the playground at {server.url} (Ctrl-C stops)", flush=True)
    if args.host not in ("127.0.0.1", "localhost", "::1"):
        print(f"note: listening on {args.host}: other machines can reach it", file=sys.stderr)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        print("stopped", file=sys.stderr)
    finally:
        server.server_close()
    return 0


def _self_test(server: Any) -> int:
    """Serve in a thread, ask every page and endpoint once over HTTP, print what came back, stop."""
    import json
    import threading
    import urllib.error
    import urllib.request

    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    words = [w for w in server.playground.model.vocab_.words[3:13] if w.isalpha()][:5] or ["<unk>"]
    text = " ".join(words)
    asks = [("GET", "", None), ("GET", "explorer", None), ("POST", "api/score", {"text": text}),
            ("POST", "api/next", {"text": text, "k": 3}), ("POST", "api/sample", {"text": text, "n": 5, "seed": 0}),
            ("POST", "api/neighbors", {"word": words[0], "topn": 3})]
    try:
        for method, path, body in asks:
            data = None if body is None else json.dumps(body).encode("utf-8")
            request = urllib.request.Request(server.url + path, data=data, method=method)
            try:
                with urllib.request.urlopen(request, timeout=120) as response:
                    payload = response.read()
            except urllib.error.HTTPError as e:
                raise WordnetLMError(f"self-test: {method} /{path} answered {e.code}: {e.read()[:200]!r}") from None
            print(f"{method} /{path}: 200, {_summary(path, payload)}")
    finally:
        server.shutdown()
        server.server_close()
    print(f"self-test passed: {server.url} answers every page and endpoint")
    return 0


def _summary(path: str, payload: bytes) -> str:
    """One line about an answer of the self-test."""
    import json

    if not path.startswith("api/"):
        return f"{len(payload):,} bytes of HTML"
    answer = json.loads(payload)
    if path == "api/score":
        models = [m for m in ("neural", "ngram") if answer[m] is not None]
        return ", ".join(f"{m} perplexity {answer[m]['perplexity']:.2f}" for m in models) + \
            f" over {len(answer['words'])} predictions"
    if path == "api/next":
        return "neural LM: " + ", ".join(f"{w} {p:.3f}" for w, p in answer["neural"])
    if path == "api/sample":
        return "neural LM: " + " ".join(answer["neural"])
    return f"{answer['word']}: " + ", ".join(f"{w} {c:.3f}" for w, c in answer["neighbors"])


def _add_map_options(p: argparse.ArgumentParser) -> None:
    from wordnet_lm.explore.encoding import ENCODINGS

    p.add_argument("--perplexity", type=positive, default=None, metavar="P",
                   help=f"t-SNE perplexity (default {DEFAULT_TSNE_PERPLEXITY:g})")
    p.add_argument("--seed", type=seed, default=0, help="t-SNE and k-means seed (default 0)")
    p.add_argument("--clusters", type=integer(1, 60), default=12, metavar="K",
                   help="k-means clusters to colour by (default 12)")
    p.add_argument("--precision", choices=ENCODINGS, default="float16",
                   help="vectors in the page: float16 (default) or int8 (half the size, cosines to ~0.01)")


def register(subparsers: Any) -> None:
    """Add ``explore`` and ``serve`` to the ``wordnet-lm`` parser."""
    from wordnet_lm.explore.page import MAX_WORDS
    from wordnet_lm.vectors.formats import FORMATS

    p = subparsers.add_parser("explore", help="write an offline HTML explorer of word vectors",
                              description="Write one self-contained HTML file: a pan/zoom map (t-SNE or PCA) of "
                                          "the most frequent words, search, nearest neighbours and analogies "
                                          "computed in the page, coordinates exported as TSV.  Without "
                                          "--vectors/--model: the demo GloVe vectors.")
    p.add_argument("--vectors", "-v", metavar="FILE", help="vectors file: word2vec text/binary, GloVe, .npz")
    p.add_argument("--format", default="auto", choices=("auto",) + FORMATS, help="vectors format (default: detected)")
    p.add_argument("--model", "-m", metavar="FILE", help="a neural LM (train-lm): map its embeddings")
    p.add_argument("--out", "-o", default="explorer.html",
                   help="HTML file to write (default explorer.html; an existing file is replaced only if it "
                        "is an HTML page)")
    p.add_argument("--top", type=integer(2), default=5000, metavar="N",
                   help=f"map the N most frequent words (default 5000; at most {MAX_WORDS:,})")
    p.add_argument("--method", choices=("tsne", "pca"), default="tsne", help="projection (default tsne)")
    p.add_argument("--labels", metavar="FILE", help="word<TAB>label lines: colour the map by label")
    p.add_argument("--title", help="page title")
    _add_map_options(p)
    p.set_defaults(func=cmd_explore)

    p = subparsers.add_parser("serve", help="language-model playground on a local web server",
                              description="Serve a page that colours each word of a typed sentence by its "
                                          "surprisal under the neural LM and an n-gram model, lists the next "
                                          "words, samples continuations and explores the embeddings.  JSON "
                                          "endpoints: POST /api/score, /api/next, /api/sample, /api/neighbors.")
    p.add_argument("--model", "-m", required=True, metavar="FILE", help="neural LM file (train-lm)")
    p.add_argument("--ngram", metavar="FILE", help="n-gram model: ARPA file or .npz (wordnet-lm ngram)")
    p.add_argument("--vectors", "-v", metavar="FILE", help="vectors for neighbours and the explorer "
                                                           "(default: the neural LM's embeddings)")
    p.add_argument("--host", default="127.0.0.1", help="address to listen on (default 127.0.0.1: this machine only)")
    p.add_argument("--port", type=integer(0, 65535), default=8765, help="port (default 8765; 0: any free port)")
    p.add_argument("--explore-top", type=integer(2), default=2000, metavar="N",
                   help="words on the explorer map (default 2000)")
    p.add_argument("--explore-method", choices=("tsne", "pca"), default="pca",
                   help="explorer projection (default pca: immediate; tsne takes a while on first view)")
    p.add_argument("--threads", type=count, default=1,
                   help="NumPy/BLAS threads per request (default 1: requests already run in parallel)")
    p.add_argument("--verbose", action="store_true", help="log every request to stderr")
    p.add_argument("--self-test", action="store_true",
                   help="start, ask every page and endpoint once over HTTP, print the answers and stop")
    _add_map_options(p)
    p.set_defaults(func=cmd_serve)
