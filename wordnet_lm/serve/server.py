"""The playground's HTTP server: standard library ``http.server``, one thread per request.

``GET /`` the playground page, ``GET /explorer`` the explorer of the vectors (built on first
use), ``GET /api`` the endpoint list; ``POST /api/score``, ``/api/next``, ``/api/sample``,
``/api/neighbors`` take and answer JSON.  A bad request gets a 4xx status and
``{"error": message}``; an unexpected failure a 500 with a one-line message (the traceback
goes to the server's log, never to the client).  Bound to 127.0.0.1 unless told otherwise.
"""

from __future__ import annotations

import json
import sys
import threading
import traceback
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from importlib import resources
from typing import Any

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.serve import requests as rq
from wordnet_lm.serve.playground import Playground

DRAIN_LIMIT = 16 * 1024 * 1024  # an oversized body up to this size is read and dropped before answering 413
SOCKET_TIMEOUT = 20.0  # seconds a client may stall mid-request

ENDPOINTS = {
    "POST /api/score": '{"text": str} -> {"words", "sentence", "neural": {"logprob", "oov", "perplexity"}, '
                       '"ngram": {...} or null}; natural logs, one per word and one per </s>',
    "POST /api/next": '{"text": str, "k": int 1-100 (10)} -> {"context", "neural": [[word, p]], "ngram": ...}',
    "POST /api/sample": '{"text": str, "n": int 1-200 (20), "temperature": 0.05-10 (1), "top_k": int or null, '
                        '"seed": int or null} -> {"context", "neural": [words], "ngram": [words] or null}',
    "POST /api/neighbors": '{"word": str, "topn": int 1-100 (10)} -> {"word", "neighbors": [[word, cosine]]}',
    "GET /api/info": "what is loaded",
    "GET /explorer": "the embedding explorer page",
}


def _asset(name: str) -> str:
    return resources.files("wordnet_lm.serve").joinpath("assets", name).read_text("utf-8")


def playground_page() -> str:
    """The playground HTML with its CSS and JavaScript inlined."""
    page = _asset("playground.html")
    return page.replace("/*STYLE*/", _asset("playground.css")).replace("/*SCRIPT*/", _asset("playground.js"))


class ExplorerPage:
    """The explorer page of the playground's vectors, built once, on first request."""

    def __init__(self, playground: Playground, settings) -> None:
        self._playground, self._settings = playground, settings
        self._lock = threading.Lock()
        self._html: str | None = None

    def html(self) -> str:
        with self._lock:
            if self._html is None:
                from wordnet_lm.explore.page import explorer_data, render_explorer

                source = self._playground.names.get("vectors", "vectors")
                data = explorer_data(self._playground.vectors, self._settings, source=source)
                self._html = render_explorer(data, f"wordnet_lm explorer: {source}")
            return self._html


# --------------------------------------------------------------------------- endpoints
def _score(pg: Playground, body: dict[str, Any]) -> Any:
    rq.check_fields(body, ("text",))
    return pg.score(rq.text_field(body))


def _next(pg: Playground, body: dict[str, Any]) -> Any:
    rq.check_fields(body, ("text", "k"))
    return pg.next_words(rq.text_field(body, required=False, allow_empty=True), rq.int_field(body, "k", 10, 1, 100))


def _sample(pg: Playground, body: dict[str, Any]) -> Any:
    rq.check_fields(body, ("text", "n", "temperature", "top_k", "seed"))
    return pg.sample(rq.text_field(body, required=False, allow_empty=True), rq.int_field(body, "n", 20, 1, 200),
                     rq.float_field(body, "temperature", 1.0, 0.05, 10.0),
                     rq.int_field(body, "top_k", None, 1, 1_000_000), rq.int_field(body, "seed", None, 0, 2**32 - 1))


def _neighbors(pg: Playground, body: dict[str, Any]) -> Any:
    rq.check_fields(body, ("word", "topn"))
    return pg.neighbors(rq.word_field(body), rq.int_field(body, "topn", 10, 1, 100))


POST_ROUTES: dict[str, Callable[[Playground, dict[str, Any]], Any]] = {
    "/api/score": _score, "/api/next": _next, "/api/sample": _sample, "/api/neighbors": _neighbors}


class PlaygroundHandler(BaseHTTPRequestHandler):
    """Answers one request; the server holds the :class:`Playground` and the explorer page."""

    server_version = "wordnet-lm"
    timeout = SOCKET_TIMEOUT

    # ------------------------------------------------------------------ GET
    def do_GET(self) -> None:
        path = self.path.split("?", 1)[0]
        try:
            if path in ("/", "/index.html"):
                self._send(HTTPStatus.OK, self.server.page.encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/explorer":
                self._send(HTTPStatus.OK, self.server.explorer.html().encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/api":
                self._json(HTTPStatus.OK, {"endpoints": ENDPOINTS})
            elif path == "/api/info":
                self._json(HTTPStatus.OK, self.server.playground.info())
            else:
                self._json(HTTPStatus.NOT_FOUND, {"error": f"no page {path!r}; see GET /api"})
        except (TimeoutError, ConnectionError):  # the client left mid-answer
            self.close_connection = True
        except WordnetLMError as e:
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": str(e)})
        except Exception as e:  # noqa: BLE001 - one line to the client, the traceback to the log
            self._internal_error(e)

    # ------------------------------------------------------------------ POST
    def do_POST(self) -> None:
        path = self.path.split("?", 1)[0]
        try:
            route = POST_ROUTES.get(path)
            if route is None:
                self._drain_body()
                raise rq.BadRequest(f"no endpoint POST {path}; see GET /api", HTTPStatus.NOT_FOUND)
            body = rq.parse_body(self._read_body())
            self._json(HTTPStatus.OK, route(self.server.playground, body))
        except rq.BadRequest as e:
            self._json(e.status, {"error": str(e)})
        except (TimeoutError, ConnectionError):  # the client stalled or left: nobody to answer
            self.close_connection = True
        except WordnetLMError as e:  # unknown word, bad option for the model
            self._json(HTTPStatus.BAD_REQUEST, {"error": str(e)})
        except Exception as e:  # noqa: BLE001
            self._internal_error(e)

    def _content_length(self) -> int:
        if self.headers.get("Transfer-Encoding"):
            self.close_connection = True
            raise rq.BadRequest("chunked bodies are not accepted: send Content-Length", HTTPStatus.LENGTH_REQUIRED)
        text = self.headers.get("Content-Length")
        if text is None:
            raise rq.BadRequest("missing Content-Length", HTTPStatus.LENGTH_REQUIRED)
        try:
            length = int(text)
        except ValueError:
            length = -1
        if length < 0:
            self.close_connection = True
            raise rq.BadRequest(f"bad Content-Length {text[:20]!r}")
        return length

    def _read_body(self) -> bytes:
        length = self._content_length()
        if length > rq.MAX_BODY_BYTES:
            self._drain(length)
            raise rq.BadRequest(f"request body of {length:,} bytes is over the limit of {rq.MAX_BODY_BYTES:,}",
                                HTTPStatus.REQUEST_ENTITY_TOO_LARGE)
        raw = self.rfile.read(length)
        if len(raw) < length:
            self.close_connection = True
            raise rq.BadRequest(f"body ended after {len(raw):,} of {length:,} bytes")
        return raw

    def _drain_body(self) -> None:
        try:
            self._drain(self._content_length())
        except rq.BadRequest:
            self.close_connection = True

    def _drain(self, length: int) -> None:
        """Read and drop ``length`` bytes (so the client can read our answer), unless absurdly many."""
        if length > DRAIN_LIMIT:
            self.close_connection = True
            return
        while length > 0:
            chunk = self.rfile.read(min(length, 1 << 16))
            if not chunk:
                break
            length -= len(chunk)

    # ------------------------------------------------------------------ answers
    def _send(self, status: int, payload: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(payload)))
        self.send_header("Cache-Control", "no-store")
        if self.close_connection:
            self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(payload)

    def _json(self, status: int, obj: Any) -> None:
        self._send(status, json.dumps(obj, allow_nan=False).encode("utf-8"), "application/json")

    def _internal_error(self, error: Exception) -> None:
        traceback.print_exc(file=sys.stderr)
        self.close_connection = True
        try:
            self._json(HTTPStatus.INTERNAL_SERVER_ERROR, {"error": f"internal error: {type(error).__name__}"})
        except OSError:
            pass

    def log_message(self, format: str, *args: Any) -> None:
        if self.server.verbose:
            super().log_message(format, *args)


class PlaygroundServer(ThreadingHTTPServer):
    """A threading HTTP server holding the playground, its page and its explorer."""

    daemon_threads = True
    request_queue_size = 64

    def __init__(self, playground: Playground, host: str = "127.0.0.1", port: int = 8765,
                 explorer_settings=None, verbose: bool = False, threads: int | None = 1) -> None:
        from wordnet_lm.explore.page import ExplorerSettings

        self.playground = playground
        self.threads = threads
        self.page = playground_page()
        self.explorer = ExplorerPage(playground, explorer_settings or ExplorerSettings(top=2000, method="pca"))
        self.verbose = verbose
        super().__init__((host, port), PlaygroundHandler)

    def serve_forever(self, poll_interval: float = 0.5) -> None:
        """Serve until :meth:`shutdown`, each request's NumPy work on ``threads`` threads (BLAS and
        :mod:`wordnet_lm.parallel`): requests already run in parallel, and two BLAS threads per
        request on a busy two-core machine made a scoring request 4x slower than one."""
        from contextlib import ExitStack

        from threadpoolctl import threadpool_limits

        from wordnet_lm.parallel import thread_limit

        with ExitStack() as stack:
            if self.threads is not None:
                stack.enter_context(threadpool_limits(limits=self.threads))
                stack.enter_context(thread_limit(self.threads))
            super().serve_forever(poll_interval)

    def handle_error(self, request, client_address) -> None:
        """A client that left or stalled is nobody's error: only other failures are logged."""
        if isinstance(sys.exc_info()[1], (ConnectionError, TimeoutError)):
            return
        super().handle_error(request, client_address)

    @property
    def url(self) -> str:
        host, port = self.server_address[:2]
        return f"http://{host}:{port}/"


def make_server(playground: Playground, host: str = "127.0.0.1", port: int = 8765, explorer_settings=None,
                verbose: bool = False, threads: int | None = 1) -> PlaygroundServer:
    """A bound (not yet serving) server; ``port=0`` picks a free port (see ``.url``); ``threads``
    caps the NumPy threads of each request (None: no cap).

    Raises :class:`WordnetLMError` if the address cannot be bound (port in use, no permission).
    """
    try:
        return PlaygroundServer(playground, host, port, explorer_settings, verbose, threads)
    except OSError as e:
        raise WordnetLMError(f"cannot listen on {host}:{port}: {e.strerror or e}") from None
