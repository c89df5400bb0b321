"""Fixtures of the text tests: small files in every format and a local NLTK-like HTTP server."""

from __future__ import annotations

import hashlib
import http.server
import io
import threading
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

import pytest


def make_zip(path: Path, members: dict[str, bytes | str]) -> Path:
    """A zip at ``path`` holding ``members`` (name -> content; str is UTF-8 encoded)."""
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        dirs = sorted({name.rsplit("/", 1)[0] + "/" for name in members if "/" in name})
        for d in dirs:
            z.writestr(d, b"")
        for name, content in members.items():
            z.writestr(name, content.encode("utf-8") if isinstance(content, str) else content)
    return path


def zip_bytes(members: dict[str, str]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        for name, content in members.items():
            z.writestr(name, content)
    return buffer.getvalue()


@dataclass
class NLTKServer:
    """A local stand-in for NLTK's data server: an index plus package zips.

    ``drop_after``: the next package response sends only that many bytes, then hangs up.
    ``honour_range``: answer ``Range`` requests with 206 (else always the whole file, 200).
    ``requests``: ``(path, Range header)`` of every request, in order.
    """

    base: str = ""
    files: dict[str, bytes] = field(default_factory=dict)
    drop_after: int | None = None
    honour_range: bool = True
    requests: list[tuple[str, str | None]] = field(default_factory=list)

    @property
    def index_url(self) -> str:
        return self.base + "/index.xml"

    def add_package(self, name: str, data: bytes, *, checksum: str | None = None, size: int | None = None) -> None:
        self.files[f"/packages/corpora/{name}.zip"] = data
        self._packages[name] = (checksum or hashlib.md5(data).hexdigest(), len(data) if size is None else size)
        entries = "".join(
            f'<package id="{n}" name="{n} corpus" checksum="{md5}" size="{s}" subdir="corpora" unzip="1" '
            f'url="{self.base}/packages/corpora/{n}.zip" />\n' for n, (md5, s) in self._packages.items())
        self.files["/index.xml"] = (f'<?xml version="1.0"?>\n<nltk_data>\n<packages>\n{entries}</packages>\n'
                                    f'<collections />\n</nltk_data>\n').encode()

    def __post_init__(self) -> None:
        self._packages: dict[str, tuple[str, int]] = {}


@pytest.fixture
def nltk_server():
    state = NLTKServer()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *args):  # quiet
            pass

        def do_GET(self):
            state.requests.append((self.path, self.headers.get("Range")))
            data = state.files.get(self.path)
            if data is None:
                self.send_error(404)
                return
            start = 0
            header = self.headers.get("Range")
            if header and state.honour_range:
                start = int(header.split("=")[1].split("-")[0])
                if start >= len(data):
                    self.send_error(416)
                    return
                self.send_response(206)
                self.send_header("Content-Range", f"bytes {start}-{len(data) - 1}/{len(data)}")
            else:
                self.send_response(200)
            body = data[start:]
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            if state.drop_after is not None and self.path.endswith(".zip"):
                self.wfile.write(body[:state.drop_after])
                state.drop_after = None
                self.close_connection = True
                return
            self.wfile.write(body)

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    state.base = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True)
    thread.start()
    try:
        yield state
    finally:
        server.shutdown()
        server.server_close()
