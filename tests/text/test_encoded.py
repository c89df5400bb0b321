"""Encoded corpora: the same corpus, vocabulary and command results as the text they encode."""

import json

import numpy as np
import pytest

from wordnet_lm.cli import main
from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.text import encode as encode_module
from wordnet_lm.text import load_corpus, read_sentences
from wordnet_lm.text.encode import encode_corpus
from wordnet_lm.text.encoded import EncodedCorpus, is_encoded_corpus
from wordnet_lm.text.loading import build_vocab, iter_corpus_chunks

TEXT = ("the cat sat\r\n\n  the dog   ran  \nzebra zebra\r\ncats and dogs sat\n\n\nthe end\n"
        "naïve café\nthe cat\n") * 7


def _same(a, b):
    (ca, va), (cb, vb) = a, b
    assert va.words == vb.words and np.array_equal(va.counts, vb.counts)
    assert np.array_equal(ca.ids, cb.ids) and np.array_equal(ca.offsets, cb.offsets)
    assert ca.ids.dtype == cb.ids.dtype


@pytest.fixture
def text_file(tmp_path):
    path = tmp_path / "t.txt"
    path.write_bytes(b"\xef\xbb\xbf" + TEXT.encode("utf-8"))  # with a BOM
    return path


@pytest.mark.parametrize("range_bytes", [10 ** 9, 37, 5])
def test_byte_ranges_give_the_text_corpus(text_file, tmp_path, monkeypatch, range_bytes):
    monkeypatch.setattr(encode_module, "RANGE_BYTES", range_bytes)  # many ranges: cuts at every kind of line
    encoded = encode_corpus(text_file, tmp_path / "enc", workers=2 if range_bytes == 37 else 1)
    _same(load_corpus(tmp_path / "enc"), load_corpus(text_file))
    for min_count, max_size in [(2, None), (1, 3), (8, None)]:
        _same(load_corpus(tmp_path / "enc", min_count=min_count, max_size=max_size),
              load_corpus(text_file, min_count=min_count, max_size=max_size))
    assert list(read_sentences(tmp_path / "enc")) == list(read_sentences(text_file))
    assert build_vocab(tmp_path / "enc", min_count=2) == build_vocab(text_file, min_count=2)
    header = json.loads((tmp_path / "enc" / "header.json").read_text())
    assert header["n_tokens"] == encoded.n_tokens == sum(len(s) for s in read_sentences(text_file))
    assert isinstance(encoded.ids, np.memmap) and encoded.ids.dtype == np.uint32


def test_other_sources_and_options(tmp_path):
    for source, options in [("demo", {}), ("demo", {"lowercase": True})]:
        encode_corpus(source, tmp_path / "enc", **options)  # replaces the earlier one
        _same(load_corpus(tmp_path / "enc"), load_corpus(source, **options))
        if options:
            with pytest.raises(WordnetLMError, match="lowercase"):
                load_corpus(tmp_path / "enc", lowercase=False)


def test_chunks_equal_the_text_chunks(text_file, tmp_path):
    encode_corpus(text_file, tmp_path / "enc")
    vocab = build_vocab(text_file, min_count=2)
    for size in (1, 4, 10, 1000):
        a = list(iter_corpus_chunks(tmp_path / "enc", vocab, size))
        b = list(iter_corpus_chunks(text_file, vocab, size))
        assert len(a) == len(b)
        for x, y in zip(a, b):
            assert np.array_equal(x.ids, y.ids) and np.array_equal(x.offsets, y.offsets)


def test_content_hash_and_shards(text_file, tmp_path):
    one = encode_corpus(text_file, tmp_path / "a", workers=1)
    two = encode_corpus(text_file, tmp_path / "b", workers=2)
    assert one.header["content_sha256"] == two.header["content_sha256"]
    shards = one.shards(3)
    assert shards[0][0] == 0 and shards[-1][1] == one.n_sentences
    assert all(a < b for a, b in shards) and all(s[1] == t[0] for s, t in zip(shards, shards[1:]))


def test_bad_inputs(tmp_path, text_file):
    (tmp_path / "bin").write_bytes(b"\0\1\2")
    with pytest.raises(InputFileError, match="binary"):
        encode_corpus(tmp_path / "bin", tmp_path / "x")
    (tmp_path / "latin").write_bytes("café\n".encode("latin-1") * 3)
    with pytest.raises(InputFileError, match="UTF-8"):
        encode_corpus(tmp_path / "latin", tmp_path / "y")
    busy = tmp_path / "busy"
    busy.mkdir()
    (busy / "keep.txt").write_text("mine")
    with pytest.raises(WordnetLMError, match="not empty"):
        encode_corpus(text_file, busy)
    encode_corpus(text_file, tmp_path / "enc")
    (tmp_path / "enc" / "ids.u32").write_bytes(b"\0" * 6)
    with pytest.raises(InputFileError, match="truncated"):
        EncodedCorpus.open(tmp_path / "enc")
    assert not any(p.name.startswith(".encode-") for p in tmp_path.iterdir())  # scratch folders removed


def test_cli_encode_and_use(tmp_path, text_file, capsys):
    assert main(["corpus", "encode", str(text_file), "--out", str(tmp_path / "enc")]) == 0
    assert is_encoded_corpus(tmp_path / "enc")
    capsys.readouterr()
    for source in (text_file, tmp_path / "enc"):
        assert main(["ngram", "--train", str(source), "--order", "3", "--arpa", str(tmp_path / f"{source.name}.arpa")]) == 0
    assert (tmp_path / "t.txt.arpa").read_bytes() == (tmp_path / "enc.arpa").read_bytes()
    assert main(["corpus", "encode", str(text_file), "--out", str(tmp_path / "e2"), "--workers", "0"]) == 2


def test_no_cut_off_asked_means_the_encoded_vocabulary(tmp_path, text_file, capsys):
    encode_corpus(text_file, tmp_path / "enc", min_count=2, max_size=5)
    _same(load_corpus(tmp_path / "enc"), load_corpus(text_file, min_count=2, max_size=5))
    _same(load_corpus(tmp_path / "enc", min_count=3, max_size=4), load_corpus(text_file, min_count=3, max_size=4))
    with pytest.raises(WordnetLMError, match="no words for min_count=1, max_size=9"):
        load_corpus(tmp_path / "enc", max_size=9)
    for source, extra in ((text_file, ["--min-count", "2", "--max-vocab", "5"]), (tmp_path / "enc", [])):
        arpa = tmp_path / f"{source.name}.arpa"
        assert main(["ngram", "--train", str(source), "--order", "2", "--arpa", str(arpa), *extra]) == 0
    assert (tmp_path / "t.txt.arpa").read_bytes() == (tmp_path / "enc.arpa").read_bytes()
    assert main(["ngram", "--train", str(tmp_path / "enc"), "--order", "2", "--max-vocab", "9",
                 "--arpa", str(tmp_path / "wide.arpa")]) == 2
    assert "no words for" in capsys.readouterr().err


def test_sentence_chunks_read_a_range_in_whole_sentences(text_file, tmp_path):
    """Map tasks read their shard chunk by chunk into memory (not through a memory map, whose
    touched pages would stay resident): the chunks are whole sentences, within the size asked
    unless one sentence is longer, and together exactly the sentences of the range."""
    from wordnet_lm.text.encoded import sentence_chunks

    encoded = encode_corpus(text_file, tmp_path / "enc")
    ids, offsets = np.asarray(encoded.ids).view(np.int32), np.asarray(encoded.offsets)
    n = len(offsets) - 1
    for first, stop in [(0, n), (3, 11), (5, 6), (7, 7)]:
        for chunk_tokens in (1, 4, 9, 10 ** 6):
            chunks = list(sentence_chunks(tmp_path / "enc", first, stop, chunk_tokens))
            assert sum(c.n_sentences for c in chunks) == stop - first
            joined = np.concatenate([c.ids for c in chunks]) if chunks else np.zeros(0, np.int32)
            assert np.array_equal(joined, ids[offsets[first]:offsets[stop]])
            lengths = np.concatenate([np.diff(c.offsets) for c in chunks]) if chunks else np.zeros(0)
            assert np.array_equal(lengths, np.diff(offsets[first:stop + 1]))
            for c in chunks:
                assert c.n_tokens <= chunk_tokens or c.n_sentences == 1
                assert not isinstance(c.ids, np.memmap) and c.ids.dtype == np.int32


def test_small_copy_blocks_give_the_same_folder(text_file, tmp_path, monkeypatch):
    whole = encode_corpus(text_file, tmp_path / "a", workers=2)
    monkeypatch.setattr(encode_module, "COPY_TOKENS", 3)  # the renumbering copy in many blocks
    blocks = encode_corpus(text_file, tmp_path / "b", workers=2)
    assert np.array_equal(whole.ids, blocks.ids) and np.array_equal(whole.offsets, blocks.offsets)
    assert json.loads((tmp_path / "a" / "header.json").read_text())["content_sha256"] == \
        json.loads((tmp_path / "b" / "header.json").read_text())["content_sha256"]


def test_vocabulary_words_are_read_when_asked_and_heads_alone(text_file, tmp_path):
    """``counts.i64`` holds the stored counts: opening reads no words, a head of the vocabulary
    is read alone, and a folder written before the file existed is read from ``vocab.tsv``."""
    encoded = encode_corpus(text_file, tmp_path / "enc")
    whole = encoded.vocab
    opened = EncodedCorpus.open(tmp_path / "enc")
    assert opened._vocab is None and np.array_equal(opened.counts, whole.counts)
    for size in (0, 3, 5, len(whole) - 1):
        head = opened.vocab_head(size)
        assert head.words == whole.words[:max(3, size)] and np.array_equal(head.counts, whole.counts[:max(3, size)])
    assert opened._vocab is None  # heads alone
    assert opened.vocab_head(len(whole)).words == whole.words and opened._vocab is not None
    (tmp_path / "enc" / "counts.i64").unlink()  # as written before counts.i64
    old = EncodedCorpus.open(tmp_path / "enc")
    assert old.vocab.words == whole.words and np.array_equal(old.counts, whole.counts)
    assert old.vocab_head(5).words == whole.words[:5]


def test_counts_and_vocabulary_that_disagree_are_refused(text_file, tmp_path):
    folder = tmp_path / "enc"
    counts = encode_corpus(text_file, folder).vocab.counts
    wrong = counts.copy()
    wrong[4] += 1
    wrong.astype("<i8").tofile(folder / "counts.i64")
    for read in (lambda e: e.vocab, lambda e: e.vocab_head(6)):
        with pytest.raises(InputFileError, match="vocab.tsv and counts.i64 disagree"):
            read(EncodedCorpus.open(folder))
    counts[:-1].astype("<i8").tofile(folder / "counts.i64")
    with pytest.raises(InputFileError, match="truncated"):
        EncodedCorpus.open(folder)
    counts.astype("<i8").tofile(folder / "counts.i64")
    (folder / "vocab.tsv").write_bytes("<unk>\t0\n<s>\t0\n</s>\t0\nthe\t9\n".encode())  # cut short
    with pytest.raises(InputFileError, match="disagree|expected"):
        EncodedCorpus.open(folder).vocab_head(6)
    (folder / "vocab.tsv").unlink()
    with pytest.raises(InputFileError, match="missing file"):
        EncodedCorpus.open(folder)
