"""Named corpora: NLTK data directories, downloads from a local stand-in of NLTK's server."""

from __future__ import annotations

import socket

import pytest
from .conftest import zip_bytes

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.text import read_sentences, resolve_corpus
from wordnet_lm.text.demo import demo_paths
from wordnet_lm.text.download import DownloadError, NoNetworkError, download_corpus, fetch_index
from wordnet_lm.text.resolve import nltk_data_dirs

TINY = zip_bytes({"tiny/README": "docs\n", "tiny/a.txt": "hello tiny world\n" * 2000})


@pytest.fixture
def nltk_home(tmp_path, monkeypatch):
    """NLTK_DATA and HOME inside tmp_path: nothing real is read or written."""
    data = tmp_path / "nltk_data"
    monkeypatch.setenv("NLTK_DATA", str(data))
    monkeypatch.setenv("HOME", str(tmp_path / "home"))
    monkeypatch.delenv("WORDNET_LM_NLTK_INDEX", raising=False)
    return data


def _files_in(directory):
    return sorted(p.name for p in directory.rglob("*") if p.is_file())


def test_nltk_data_dirs_follow_nltk_order(nltk_home, tmp_path):
    dirs = nltk_data_dirs()
    assert dirs[0] == nltk_home and dirs[1] == tmp_path / "home" / "nltk_data"
    assert any(str(d) == "/usr/share/nltk_data" for d in dirs)


def test_paths_first_then_demo_then_installed_nltk_corpora(nltk_home, tmp_path):
    own = tmp_path / "brown"  # a path wins over the corpus name
    own.write_text("mine\n")
    assert resolve_corpus(own) == own
    assert resolve_corpus("demo") == demo_paths()["train"]
    (nltk_home / "corpora").mkdir(parents=True)
    (nltk_home / "corpora" / "tiny.zip").write_bytes(TINY)
    assert resolve_corpus("tiny") == nltk_home / "corpora" / "tiny.zip"
    (nltk_home / "corpora" / "unzipped").mkdir()
    assert resolve_corpus("unzipped") == nltk_home / "corpora" / "unzipped"
    with pytest.raises(InputFileError, match="no.txt: no such file or directory"):
        resolve_corpus("no.txt")
    with pytest.raises(InputFileError, match="no NLTK corpus of that name is installed"):
        resolve_corpus("absent", download=False)


def test_download_into_nltk_layout_then_read(nltk_server, nltk_home):
    nltk_server.add_package("tiny", TINY)
    assert set(fetch_index(nltk_server.index_url)) == {"tiny"}
    path = resolve_corpus("tiny", index_url=nltk_server.index_url, progress=False)
    assert path == nltk_home / "corpora" / "tiny.zip" and path.read_bytes() == TINY
    assert _files_in(nltk_home) == ["tiny.zip"]
    assert next(read_sentences("tiny")) == ["hello", "tiny", "world"]  # now installed: no request
    assert [r[0] for r in nltk_server.requests] == ["/index.xml", "/index.xml", "/packages/corpora/tiny.zip"]


def test_index_url_from_the_environment(nltk_server, nltk_home, monkeypatch):
    nltk_server.add_package("tiny", TINY)
    monkeypatch.setenv("WORDNET_LM_NLTK_INDEX", nltk_server.index_url)
    assert download_corpus("tiny", progress=False).read_bytes() == TINY


def test_checksum_mismatch_leaves_no_file(nltk_server, nltk_home):
    nltk_server.add_package("tiny", TINY, checksum="0" * 32)
    with pytest.raises(DownloadError, match="checksum mismatch") as info:
        download_corpus("tiny", index_url=nltk_server.index_url, progress=False)
    assert "\n" not in str(info.value)
    assert _files_in(nltk_home) == []


def test_interrupted_download_resumes_with_a_range_request(nltk_server, nltk_home):
    nltk_server.add_package("tiny", TINY)
    nltk_server.drop_after = len(TINY) // 3
    path = download_corpus("tiny", index_url=nltk_server.index_url, progress=False)
    assert path.read_bytes() == TINY and _files_in(nltk_home) == ["tiny.zip"]
    assert nltk_server.requests[-2:] == [("/packages/corpora/tiny.zip", None),
                                         ("/packages/corpora/tiny.zip", f"bytes={len(TINY) // 3}-")]


def test_interrupted_download_restarts_cleanly_when_ranges_are_ignored(nltk_server, nltk_home):
    nltk_server.add_package("tiny", TINY)
    nltk_server.drop_after = 100
    nltk_server.honour_range = False
    path = download_corpus("tiny", index_url=nltk_server.index_url, progress=False)
    assert path.read_bytes() == TINY and _files_in(nltk_home) == ["tiny.zip"]


def test_a_partial_file_from_an_earlier_run_is_resumed(nltk_server, nltk_home):
    nltk_server.add_package("tiny", TINY)
    part = nltk_home / "corpora" / ".tiny.zip.part"
    part.parent.mkdir(parents=True)
    part.write_bytes(TINY[:500])
    download_corpus("tiny", index_url=nltk_server.index_url, progress=False)
    assert nltk_server.requests[-1] == ("/packages/corpora/tiny.zip", "bytes=500-")
    assert (nltk_home / "corpora" / "tiny.zip").read_bytes() == TINY and not part.exists()


def test_unknown_package(nltk_server, nltk_home):
    nltk_server.add_package("tiny", TINY)
    with pytest.raises(DownloadError, match="no corpus of that name in the NLTK index"):
        resolve_corpus("nosuchcorpus", index_url=nltk_server.index_url, progress=False)


def _closed_port_url() -> str:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    return f"http://127.0.0.1:{port}/index.xml"


def test_no_network_is_one_line_naming_the_file_and_where_to_put_it(nltk_home):
    url = _closed_port_url()
    with pytest.raises(NoNetworkError) as info:
        resolve_corpus("brown", index_url=url, progress=False)
    message = str(info.value)
    assert "\n" not in message and isinstance(info.value, WordnetLMError)
    assert url.rsplit("/", 1)[0] + "/packages/corpora/brown.zip" in message
    assert str(nltk_home / "corpora" / "brown.zip") in message


def test_http_errors_are_reported(nltk_server, nltk_home):
    nltk_server.add_package("tiny", TINY)
    del nltk_server.files["/packages/corpora/tiny.zip"]
    with pytest.raises(DownloadError, match="HTTP error 404"):
        download_corpus("tiny", index_url=nltk_server.index_url, progress=False)
    nltk_server.files["/index.xml"] = b"<html>not an index"
    with pytest.raises(DownloadError, match="not an NLTK data index"):
        download_corpus("tiny", index_url=nltk_server.index_url, progress=False)
