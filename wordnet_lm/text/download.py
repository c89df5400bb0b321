"""Download NLTK corpus zips from NLTK's public data index, as NLTK's downloader would.

The index (``index.xml``) lists every package with its ``url``, ``size`` and MD5
``checksum``.  Files are fetched to a hidden ``.part`` file beside the target, resumed with an
HTTP ``Range`` request after an interruption (or restarted cleanly if the server ignores
ranges), checked against size and checksum, and only then renamed into place; a corrupt
download leaves nothing behind.
"""

from __future__ import annotations

import contextlib
import hashlib
import http.client
import os
import socket
import urllib.error
import urllib.request
import xml.etree.ElementTree as ElementTree
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from wordnet_lm.errors import WordnetLMError
from wordnet_lm.progress import progress_bar
from wordnet_lm.text.nltk_data import default_download_dir

if TYPE_CHECKING:
    from wordnet_lm.progress import Bar

DEFAULT_INDEX_URL = "https://raw.githubusercontent.com/nltk/nltk_data/gh-pages/index.xml"
INDEX_URL_ENV = "WORDNET_LM_NLTK_INDEX"
_CHUNK = 1 << 16
_TIMEOUT = 30.0


class DownloadError(WordnetLMError):
    """A download failed: no network, server error, or a corrupt file."""


class NoNetworkError(DownloadError):
    """The server could not be reached at all."""


@dataclass(frozen=True)
class Package:
    """One entry of NLTK's data index."""

    name: str
    url: str
    size: int | None
    md5: str | None
    subdir: str = "corpora"


def resolve_index_url(url: str | None = None) -> str:
    """``url``, else ``$WORDNET_LM_NLTK_INDEX``, else NLTK's public index."""
    return url or os.environ.get(INDEX_URL_ENV) or DEFAULT_INDEX_URL


def conventional_url(name: str, index: str, subdir: str = "corpora") -> str:
    """Where NLTK keeps a package's zip: ``packages/<subdir>/<name>.zip`` beside the index."""
    return f"{index.rsplit('/', 1)[0]}/packages/{subdir}/{name}.zip"


def _manual_hint(name: str, index: str, data_dir: Path) -> str:
    return f"fetch {conventional_url(name, index)} and put it at {data_dir / 'corpora' / (name + '.zip')}"


def fetch_index(url: str | None = None) -> dict[str, Package]:
    """Packages of the NLTK data index at ``url`` (see :func:`resolve_index_url`), by name."""
    url = resolve_index_url(url)
    try:
        with urllib.request.urlopen(url, timeout=_TIMEOUT) as response:
            data = response.read()
    except urllib.error.HTTPError as e:
        raise DownloadError(f"cannot read the NLTK data index {url}: HTTP error {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError, http.client.HTTPException) as e:
        raise NoNetworkError(f"cannot read the NLTK data index {url}: {getattr(e, 'reason', e)}") from None
    try:
        root = ElementTree.fromstring(data)
    except ElementTree.ParseError as e:
        raise DownloadError(f"{url}: not an NLTK data index ({e})") from None
    packages = {}
    for element in root.iter("package"):
        name, package_url = element.get("id"), element.get("url")
        if not name or not package_url:
            continue
        size = element.get("size")
        packages[name] = Package(name, package_url, int(size) if size and size.isdigit() else None,
                                 element.get("checksum"), element.get("subdir") or "corpora")
    return packages


def download_corpus(name: str, *, data_dir: str | os.PathLike | None = None, index_url: str | None = None,
                    progress: bool = True, retries: int = 3) -> Path:
    """Download the NLTK corpus ``name`` to ``<data_dir>/corpora/<name>.zip`` and return that path.

    Parameters
    ----------
    name : str
        Package id in the NLTK index (``"brown"``, ``"treebank"``...).
    data_dir : path-like, optional
        NLTK data directory; default: first ``$NLTK_DATA`` entry, else ``~/nltk_data``.
    index_url : str, optional
        The index to use (default: ``$WORDNET_LM_NLTK_INDEX`` or NLTK's public index).
    progress : bool
        tqdm progress bar.
    retries : int
        Further attempts after an interrupted transfer (each resumes where the last stopped).

    Raises
    ------
    DownloadError
        No network (one line naming the file to fetch by hand and where to put it), unknown
        package, HTTP error, size or checksum mismatch (the partial file is deleted).
    """
    data_dir = Path(data_dir).expanduser() if data_dir is not None else default_download_dir()
    index = resolve_index_url(index_url)
    try:
        packages = fetch_index(index)
    except NoNetworkError:
        raise NoNetworkError(f"cannot download corpus {name!r} (no network): {_manual_hint(name, index, data_dir)}") from None
    package = packages.get(name)
    if package is None:
        raise DownloadError(f"{name}: no such file, and no corpus of that name in the NLTK index {index}")
    target = data_dir / package.subdir / f"{name}.zip"
    try:
        download_file(package.url, target, size=package.size, md5=package.md5, progress=progress, retries=retries)
    except NoNetworkError:
        raise NoNetworkError(f"cannot download corpus {name!r} (no network): fetch {package.url} "
                             f"and put it at {target}") from None
    return target


def download_file(url: str, target: str | os.PathLike, *, size: int | None = None, md5: str | None = None,
                  progress: bool = True, retries: int = 3) -> Path:
    """Fetch ``url`` to ``target`` atomically, resuming interrupted transfers.

    Bytes go to ``.<target name>.part`` beside ``target``; a later call (or a retry after a
    dropped connection) continues it with a ``Range`` request.  When complete, the size and
    MD5 checksum (if given) are checked, then the file is renamed over ``target``.
    """
    target = Path(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    part = target.with_name(f".{target.name}.part")
    with progress_bar(total=size, unit="B", unit_scale=True, desc=target.name, enabled=progress, leave=False) as bar:
        for attempt in range(retries + 1):
            try:
                _fetch_to(url, part, size, bar)
                break
            except _Interrupted as e:
                if attempt == retries:
                    raise DownloadError(f"{url}: download interrupted {retries + 1} times ({e}); "
                                        f"run again to resume from {part}") from None
    got = part.stat().st_size
    if size is not None and got != size:
        part.unlink()
        raise DownloadError(f"{url}: got {got} bytes, expected {size}; partial file deleted, try again")
    if md5 and _md5(part) != md5.lower():
        part.unlink()
        raise DownloadError(f"{url}: checksum mismatch (MD5 differs from the index); corrupt download deleted")
    os.replace(part, target)
    return target


class _Interrupted(Exception):
    """The transfer stopped part-way; retrying may resume it."""


def _fetch_to(url: str, part: Path, size: int | None, bar: Bar) -> None:
    """One attempt: append the missing bytes of ``url`` to ``part`` (restarting if need be)."""
    offset = part.stat().st_size if part.exists() else 0
    if size is not None and offset >= size:
        if offset == size:
            return
        part.unlink()
        offset = 0
    request = urllib.request.Request(url, headers={"Range": f"bytes={offset}-"} if offset else {})
    try:
        response = urllib.request.urlopen(request, timeout=_TIMEOUT)
    except urllib.error.HTTPError as e:
        if e.code == 416 and offset:  # range not satisfiable: start over
            part.unlink()
            raise _Interrupted("server refused to resume") from None
        raise DownloadError(f"{url}: HTTP error {e.code} {e.reason}") from None
    except (urllib.error.URLError, OSError) as e:
        if offset or isinstance(e, (socket.timeout, ConnectionResetError)):
            raise _Interrupted(str(getattr(e, "reason", e))) from None
        raise NoNetworkError(f"{url}: no network ({getattr(e, 'reason', e)})") from None
    with contextlib.closing(response):
        resumed = offset and response.status == 206 and _content_range_start(response) == offset
        mode = "ab" if resumed else "wb"
        bar.reset(total=size)
        bar.update(offset if resumed else 0)
        expected = response.headers.get("Content-Length")
        expected = int(expected) if expected and expected.isdigit() else None
        received = 0
        with open(part, mode) as f:
            try:
                while chunk := response.read(_CHUNK):
                    f.write(chunk)
                    received += len(chunk)
                    bar.update(len(chunk))
            except (http.client.IncompleteRead, OSError, socket.timeout) as e:
                raise _Interrupted(f"connection lost after {received} bytes: {e.__class__.__name__}") from None
        if expected is not None and received < expected:
            raise _Interrupted(f"connection closed after {received} of {expected} bytes")


def _content_range_start(response: http.client.HTTPResponse) -> int | None:
    value = response.headers.get("Content-Range", "")  # "bytes 100-199/200"
    try:
        return int(value.split()[1].split("-")[0])
    except (IndexError, ValueError):
        return None


def _md5(path: Path) -> str:
    digest = hashlib.md5()
    with open(path, "rb") as f:
        while chunk := f.read(1 << 20):
            digest.update(chunk)
    return digest.hexdigest()
