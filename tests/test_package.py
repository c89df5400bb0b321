"""The package imports, the CLI answers --help/--version, model files are safe."""

import numpy as np
import pytest

import wordnet_lm
from wordnet_lm.cli import main
from wordnet_lm.errors import ModelFileError
from wordnet_lm.io import atomic_write, load_npz, read_npz_meta, save_npz


def test_version(capsys):
    assert main(["--version"]) == 0
    assert wordnet_lm.__version__ in capsys.readouterr().out


def test_help_lists_subcommands(capsys):
    assert main(["--help"]) == 0
    assert "COMMAND" in capsys.readouterr().out


def test_npz_round_trip(tmp_path):
    path = tmp_path / "m.npz"
    save_npz(path, {"w": np.arange(6.0).reshape(2, 3)}, {"kind": "test", "vocab": ["a", "b"]})
    arrays, meta = load_npz(path, kind="test")
    np.testing.assert_array_equal(arrays["w"], np.arange(6.0).reshape(2, 3))
    assert meta == {"kind": "test", "vocab": ["a", "b"]}
    assert read_npz_meta(path, kind="test") == meta  # the metadata alone, arrays unread


def test_npz_rejects_foreign_files(tmp_path):
    bad = tmp_path / "bad.npz"
    bad.write_bytes(b"\x00\x01 not a zip")
    with pytest.raises(ModelFileError, match="bad.npz"):
        load_npz(bad)
    plain = tmp_path / "plain.npz"
    np.savez(plain, w=np.zeros(3))
    with pytest.raises(ModelFileError, match="no metadata"):
        load_npz(plain)
    save_npz(tmp_path / "k.npz", {"w": np.zeros(1)}, {"kind": "glove"})
    with pytest.raises(ModelFileError, match="expected 'nplm'"):
        load_npz(tmp_path / "k.npz", kind="nplm")
    with pytest.raises(ModelFileError, match="expected 'nplm'"):
        read_npz_meta(tmp_path / "k.npz", kind="nplm")
    with pytest.raises(ModelFileError, match="no metadata"):
        read_npz_meta(plain)
    with pytest.raises(ModelFileError, match="bad.npz"):
        read_npz_meta(bad)
    with pytest.raises(ModelFileError, match="no such"):
        load_npz(tmp_path / "missing.npz")


def test_atomic_write_keeps_old_file_on_failure(tmp_path):
    path = tmp_path / "f.txt"
    path.write_text("old")
    with pytest.raises(RuntimeError):
        with atomic_write(path, "w") as f:
            f.write("new, half written")
            raise RuntimeError("crash")
    assert path.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["f.txt"]


def test_atomic_write_uses_umask_permissions(tmp_path):
    import os
    old = os.umask(0o022)
    try:
        with atomic_write(tmp_path / "g.txt", "w") as f:
            f.write("x")
    finally:
        os.umask(old)
    assert (tmp_path / "g.txt").stat().st_mode & 0o777 == 0o644


def test_fingerprint_tells_data_apart():
    from wordnet_lm.io import fingerprint

    a = np.arange(6, dtype=np.int32)
    assert fingerprint(a) == fingerprint(a.copy())
    assert fingerprint(a) != fingerprint(a[::-1].copy())
    assert fingerprint(a[:3], a[3:]) != fingerprint(a, None)          # boundaries count
    assert fingerprint(None) != fingerprint(np.zeros(0, np.int32))    # absent is not empty
    assert fingerprint(b"abc") == fingerprint(np.frombuffer(b"abc", np.uint8))
    assert len(fingerprint(a)) == 24


def test_an_npz_whose_header_claims_more_than_it_holds_is_refused_before_allocating(tmp_path):
    import io as _io
    import zipfile

    path = tmp_path / "crafted.npz"
    header = _io.BytesIO()
    np.lib.format.write_array_header_1_0(header, {"descr": "<f8", "fortran_order": False, "shape": (10**12,)})
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("a.npy", header.getvalue() + b"\0" * 80)  # claims 8 TB, holds 80 bytes
    with pytest.raises(ModelFileError, match=r"array 'a' claims shape \(1000000000000,\) .* holds 80"):
        load_npz(path)
