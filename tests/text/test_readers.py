"""read_sentences on plain, compressed and directory sources; sentence modes; bad input."""

from __future__ import annotations

import bz2
import gzip
import lzma

import pytest

from wordnet_lm.errors import InputFileError, WordnetLMError
from wordnet_lm.text import readers
from wordnet_lm.text.readers import read_sentence_batches, read_sentences

TEXT = "the cat sat\n\n  on the mat  \r\nthe end\n"
SENTENCES = [["the", "cat", "sat"], ["on", "the", "mat"], ["the", "end"]]


@pytest.fixture
def plain(tmp_path):
    path = tmp_path / "plain.txt"
    path.write_bytes(TEXT.encode())
    return path


def test_plain_file_one_sentence_per_nonblank_line(plain):
    assert list(read_sentences(plain)) == SENTENCES
    assert list(read_sentences(str(plain), lowercase=True)) == SENTENCES
    assert list(read_sentences(plain, markers=True))[1] == ["<s>", "on", "the", "mat", "</s>"]


@pytest.mark.parametrize("compress, suffix", [(gzip.compress, ".gz"), (bz2.compress, ".bz2"),
                                              (lzma.compress, ".xz"), (gzip.compress, ".txt")])
def test_compressed_files_are_recognised_by_their_magic_bytes(tmp_path, compress, suffix):
    path = tmp_path / ("corpus" + suffix)
    path.write_bytes(compress(TEXT.encode()))
    assert list(read_sentences(path)) == SENTENCES


def test_utf8_bom_and_non_ascii_text(tmp_path):
    path = tmp_path / "bom.txt"
    path.write_bytes("\ufeffcafé naïve\nüber\n".encode())
    assert list(read_sentences(path)) == [["café", "naïve"], ["über"]]


def test_directory_is_read_in_sorted_order_skipping_hidden_files(tmp_path):
    (tmp_path / "b.txt").write_text("second file\n")
    (tmp_path / "a.txt").write_text("first file\n")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "c.txt").write_text("third file\n")
    (tmp_path / ".hidden").write_text("never\n")
    assert list(read_sentences(tmp_path)) == [["first", "file"], ["second", "file"], ["third", "file"]]


def test_batches_are_streamed_and_agree_with_one_big_batch(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    lines = [f"w{i} w{i + 1} w{i * 7 % 13}" for i in range(3000)]
    path.write_text("\n".join(lines) + "\n")
    whole = list(read_sentences(path))
    monkeypatch.setattr(readers, "BATCH_BYTES", 200)
    batches = list(read_sentence_batches(path))
    assert len(batches) > 50
    assert [s for b in batches for s in b] == whole == [line.split() for line in lines]


def test_split_mode_joins_hard_wrapped_lines_and_splits_sentences(tmp_path):
    path = tmp_path / "book.txt"
    path.write_text(
        "CHAPTER ONE\n"
        "It was a bright cold day in April, and the clocks were striking thirteen. Winston\n"
        "Smith slipped quickly through the glass doors of Victory Mansions, though not\n"
        "quickly enough. Mr. Charrington smiled.\n"
        "\n"
        "A new paragraph starts here! Does it end here?\n")
    assert [" ".join(s) for s in read_sentences(path, sentences="split", tokenizer="wordpunct")] == [
        "CHAPTER ONE",
        "It was a bright cold day in April , and the clocks were striking thirteen .",
        "Winston Smith slipped quickly through the glass doors of Victory Mansions , though not quickly enough .",
        "Mr . Charrington smiled .",
        "A new paragraph starts here !",
        "Does it end here ?",
    ]


def test_split_lines_mode_splits_each_line_on_its_own(tmp_path):
    path = tmp_path / "paras.txt"
    path.write_text("Short title\nFirst one. Second one.\nthird line\n")
    assert list(read_sentences(path, sentences="split_lines", tokenizer="word")) == [
        ["short", "title"], ["first", "one"], ["second", "one"], ["third", "line"]]


# ------------------------------------------------------------------ bad input
def _one_line_error(source, match, **kwargs):
    with pytest.raises(InputFileError) as info:
        list(read_sentences(source, **kwargs))
    message = str(info.value)
    assert "\n" not in message
    assert match in message
    return message


def test_missing_path(tmp_path):
    _one_line_error(tmp_path / "nope.txt", "nope.txt: no such file")


def test_empty_file(tmp_path):
    path = tmp_path / "empty.txt"
    path.write_bytes(b"")
    _one_line_error(path, f"{path}: empty file")


def test_blank_file_has_no_text(tmp_path):
    path = tmp_path / "blank.txt"
    path.write_text("\n  \n\t\n")
    _one_line_error(path, f"{path}: no text")


def test_binary_file(tmp_path):
    path = tmp_path / "model.bin"
    path.write_bytes(b"abc\x00\x01\x02" * 100)
    _one_line_error(path, f"{path}: binary file")


def test_non_utf8_file(tmp_path):
    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\u00e9 ol\u00e9\n".encode("latin-1") * 10)
    _one_line_error(path, f"{path}: not UTF-8 text")


def test_non_utf8_deep_inside_a_large_file(tmp_path, monkeypatch):
    monkeypatch.setattr(readers, "BATCH_BYTES", 100)
    path = tmp_path / "late.txt"
    path.write_bytes(b"fine line\n" * 500 + b"bad \xff byte\n")
    _one_line_error(path, f"{path}: not UTF-8 text")


def test_corrupt_compressed_file(tmp_path):
    path = tmp_path / "broken.gz"
    path.write_bytes(gzip.compress(TEXT.encode() * 100)[:60])
    _one_line_error(path, f"{path}: corrupt")


def test_corrupt_zip(tmp_path):
    path = tmp_path / "broken.zip"
    path.write_bytes(b"PK\x03\x04" + b"garbage" * 20)
    _one_line_error(path, f"{path}: corrupt zip")


def test_empty_directory(tmp_path):
    _one_line_error(tmp_path, f"{tmp_path}: directory holds no text files")


def test_unknown_sentence_mode(plain):
    with pytest.raises(WordnetLMError, match="unknown sentence mode 'paragraphs'"):
        list(read_sentences(plain, sentences="paragraphs"))


def test_directory_skips_empty_files_and_sniffs_past_a_split_character(tmp_path):
    (tmp_path / "a.txt").write_text("")
    text = "x" * 8191 + "é more\n"  # byte 8192 falls inside the two bytes of é
    (tmp_path / "b.txt").write_text(text, encoding="utf-8")
    assert list(read_sentences(tmp_path)) == [["x" * 8191 + "é", "more"]]


def test_encoding_reads_other_text(tmp_path):
    from wordnet_lm.text import ReadingOptions

    path = tmp_path / "latin1.txt"
    path.write_bytes("caf\u00e9 ol\u00e9\nna\u00efve\n".encode("latin-1"))
    assert list(read_sentences(path, ReadingOptions(encoding="latin-1"))) == [["caf\u00e9", "ol\u00e9"], ["na\u00efve"]]
    assert list(read_sentences(path, encoding="latin1")) == [["caf\u00e9", "ol\u00e9"], ["na\u00efve"]]


def test_reading_options_are_checked_and_combined():
    from wordnet_lm.errors import WordnetLMError
    from wordnet_lm.text import ReadingOptions

    base = ReadingOptions(tokenizer="word")
    assert ReadingOptions.of(base, lowercase=False) == ReadingOptions(tokenizer="word", lowercase=False)
    assert ReadingOptions.of(None) == ReadingOptions()
    assert ReadingOptions.of({"sentences": "split"}).sentences == "split"
    assert ReadingOptions(encoding="UTF8").encoding == "utf-8"
    for bad in ({"tokenizer": "nope"}, {"sentences": "nope"}, {"encoding": "klingon"}):
        with pytest.raises(WordnetLMError):
            ReadingOptions(**bad)
    with pytest.raises(TypeError, match="unknown reading option"):
        ReadingOptions.of(None, colour="red")
